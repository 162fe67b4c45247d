/**
 * `berth __complete CWORD WORDS...`: what packaging/completion/berth.bash asks for at each Tab. The
 * candidates come from complete.ts over the command line's own tree; this file gives it the host: the
 * definitions on the search path, and a container's archive folder. It never fails loudly: a completion
 * that cannot read something offers less.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { unitInfos } from '../compile/kinds.js';
import { loadDefinitions } from '../generator/load.js';
import { findContainer } from '../generator/lookup.js';
import { searchPaths } from '../generator/search-paths.js';
import { parseArchiveName } from '../checkpoint/names.js';
import { complete, formatCompletion, type CompletionSources } from './complete.js';

export function hostSources(env: NodeJS.ProcessEnv = process.env): CompletionSources {
  const loaded = new Map<boolean, ReturnType<typeof loadDefinitions>['definitions']>();
  const definitions = (user: boolean) => {
    let defs = loaded.get(user);
    if (!defs) loaded.set(user, (defs = loadDefinitions(searchPaths(user, env)).definitions));
    return defs;
  };
  return {
    containers(user, checkpointed) {
      const defs = definitions(user);
      const infos = unitInfos(defs);
      return defs
        .filter((d) => d.kind === 'container' && (!checkpointed || d.unit.hasSection('Checkpoint')))
        .map((d) => infos.get(d.fileName)!.serviceName)
        .filter((n) => !n.endsWith('@'));
    },
    definitions(user) {
      const defs = definitions(user);
      const infos = unitInfos(defs);
      return { files: defs.map((d) => d.fileName), units: defs.map((d) => `${infos.get(d.fileName)!.serviceName}.service`) };
    },
    archives(name, user) {
      try {
        const c = findContainer(name, user, env);
        if (!c.checkpoint) return [];
        const dir = join(c.checkpoint.directory, c.serviceName);
        return readdirSync(dir)
          .filter((f) => parseArchiveName(c.serviceName, f)?.isManifest === false)
          .map((f) => join(dir, f));
      } catch {
        return [];
      }
    },
  };
}

/** Prints the candidates; always exit status 0. */
export function runComplete(root: Command, argv: readonly string[], sources: CompletionSources = hostSources()): number {
  const cword = Number(argv[0]);
  const words = argv.slice(1);
  if (!Number.isInteger(cword) || cword < 1) return 0;
  try {
    process.stdout.write(formatCompletion(complete(root, words, cword, sources)));
  } catch {
    // Nothing to offer.
  }
  return 0;
}
