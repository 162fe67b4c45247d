/**
 * SetWorkingDirectory= of .build and .kube definitions (Quadlet's handleSetWorkingDirectory): sets the
 * service's WorkingDirectory to the folder of the definition (`unit`), of its Yaml (`yaml`, .kube only)
 * or of its File (`file`, .build only); for .build any other value is the build context (a path, or a
 * git/https/github.com URL or archive), returned for the caller to put last on the command line.
 */
import { posix } from 'node:path';
import type { Entry } from '../unit/syntax.js';
import type { Job } from './job.js';
import { absolutePath } from './shared.js';

/** Quadlet's URL test, alternation precedence included: http…, git://…, or …github.com/… anywhere. */
const URL_LIKE = /^((https?)|(git):\/\/)|(github\.com\/).+$/;

export const isUrlLike = (s: string): boolean => URL_LIKE.test(s);

/** Go's filepath.Dir: all but the last element, cleaned (no trailing slash, '.' when nothing is left). */
function dirOf(p: string): string {
  const dir = posix.normalize(p.slice(0, p.lastIndexOf('/') + 1) || '.');
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/**
 * Applies SetWorkingDirectory= of `section` ('Build' or 'Kube'): may add Service WorkingDirectory (never
 * over one the definition sets itself). Returns the build context, '' when there is none. Throws a
 * definition error at the key for a value the section does not support.
 */
export function setWorkingDirectory(t: Pick<Job, 'unit' | 'service'>, section: string): string {
  const { unit, service } = t;
  const e: Entry | undefined = unit.last(section, 'SetWorkingDirectory');
  const value = unit.get(section, 'SetWorkingDirectory');
  if (!e || !value) return '';

  let relativeTo = '';
  let context = '';
  switch (value.toLowerCase()) {
    case 'yaml': {
      if (section !== 'Kube') throw unit.error(e, `SetWorkingDirectory=${value} is only supported in .kube files`);
      const yamls = unit.strv('Kube', 'Yaml');
      if (yamls.length === 0) throw unit.error(e, 'no Yaml key specified');
      if (yamls.length !== 1) throw unit.error(e, 'SetWorkingDirectory=yaml is only supported when a single Yaml key is provided');
      relativeTo = yamls[0]!;
      break;
    }
    case 'file': {
      if (section !== 'Build') throw unit.error(e, `SetWorkingDirectory=${value} is only supported in .build files`);
      const file = unit.get(section, 'File');
      if (file === undefined) throw unit.error(e, 'no File key specified');
      relativeTo = file;
      break;
    }
    case 'unit':
      relativeTo = unit.path;
      break;
    default:
      // A path or URL is a build context: .build only.
      if (section !== 'Build') throw unit.error(e, `unsupported value for WorkingDirectory: ${value}`);
      context = value;
      // A relative context is relative to the definition's folder: run the build there.
      if (!posix.isAbsolute(context)) relativeTo = unit.path;
  }

  if (relativeTo && !isUrlLike(context)) {
    // A WorkingDirectory the definition sets itself wins (and, as in Quadlet, then no context is used).
    if (unit.get('Service', 'WorkingDirectory')) return '';
    service.add('Service', 'WorkingDirectory', dirOf(absolutePath(unit, relativeTo)));
  }
  return context;
}
