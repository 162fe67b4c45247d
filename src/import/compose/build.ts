/**
 * build: of a service → a .build definition that builds its image (Quadlet runs `podman build` in its unit
 * and orders the container after it), tagged as image: says or as compose tags what it builds
 * (PROJECT-SERVICE); the container's Image= then names the .build definition.
 */
import { quoteArgvLiteral, literalValue } from '../../unit/quote.js';
import { definitionText, type Imported } from '../definition.js';
import { hostPath, type ComposeContext } from './context.js';
import { serviceStem } from './names.js';
import { Parts } from './parts.js';
import type { Entry } from './tree.js';
import { field } from './values.js';

/** A context that is no folder: a git or web address, which podman build fetches itself. */
const isRemote = (context: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@');

export function buildDefinition(ctx: ComposeContext, service: string, build: Entry, image: string | undefined): Imported {
  const { v } = ctx;
  const parts = new Parts(v.file);
  const keys: Array<[string, string]> = [];
  const key = (k: string, value: string): void => void keys.push([k, value]);
  const entries = build.value.kind === 'map' ? build.value.entries : [];
  const text = (key: string): string | undefined => {
    const e = field(entries, key);
    return e && v.text(e.value);
  };
  const written = (value: string, at: Entry['at']): string => literalValue(value) ?? v.fail(at, 'this value cannot be written into a definition');
  const contextText = build.value.kind === 'map' ? (text('context') ?? '.') : v.text(build.value);
  const context = isRemote(contextText) ? contextText : hostPath(ctx, contextText) ?? v.fail(build.at, 'no home folder to resolve ~ against');
  const tag = image ?? `localhost/${serviceStem(ctx.project, service)}`;
  key('ImageTag', written(tag, build.at));
  key('SetWorkingDirectory', written(context, build.at));
  for (const e of entries) {
    if (e.key === 'context' || e.key.startsWith('x-')) continue;
    if (e.key === 'dockerfile') {
      const file = v.text(e.value);
      key('File', written(isRemote(context) || file.startsWith('/') ? file : `${context}/${file}`, e.at));
    } else if (e.key === 'target') key('Target', written(v.text(e.value), e.at));
    else if (e.key === 'args' || e.key === 'labels') {
      for (const p of v.pairs(e.value)) {
        const value = p.value ?? ctx.lookup(p.key);
        if (value === undefined) parts.report(p.at, `${p.key} has no value here and is not set in the environment: left out`);
        else key(e.key === 'args' ? 'BuildArg' : 'Label', quoteArgvLiteral([`${p.key}=${value}`]));
      }
    } else parts.report(e.at, 'no Quadlet equivalent, left out');
  }
  return definitionText('build', serviceStem(ctx.project, service), [['Build', keys]], parts.notes, parts.warnings);
}
