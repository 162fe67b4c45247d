/**
 * Shell completion, computed from the command line's own definition (program.ts) at run time, so that a
 * command or option added there completes without touching the shell script
 * (packaging/completion/berth.bash, which calls `berth __complete CWORD WORDS...`).
 *
 * The walk follows commander's tree as commander parses: subcommands by name or alias, options (an
 * option that takes a value takes the next word, unless written --opt=value), `--` ending options, and
 * positional arguments by their place. What a value or argument is completed with is chosen by its name:
 * containers and definitions (from the search path), units, archives of a container, files or folders.
 * Pure: everything it reads of the host comes through CompletionSources.
 */
import type { Argument, Command, Option } from 'commander';

export interface CompletionSources {
  /** The unit names of the container definitions without .service (web for web.service); only those with [Checkpoint] when asked. */
  containers(user: boolean, checkpointed: boolean): string[];
  /** Every definition's file name (web.container) and its unit's name (web.service). */
  definitions(user: boolean): { files: string[]; units: string[] };
  /** The archive files of one container's checkpoint folder, as paths. */
  archives(name: string, user: boolean): string[];
}

export interface Completion {
  /** Candidates that start with the word being completed. */
  readonly words: string[];
  /** Whether the shell should add its own file (or folder) names. */
  readonly files?: 'file' | 'dir';
}

/** Commands whose NAME is a container with a [Checkpoint] section, and those whose NAME is any container. */
const CHECKPOINTED = new Set(['checkpoint', 'checkpoints', 'prune', 'restore']);
const CONTAINERS = new Set(['status', 'start']);

/** Values with a fixed set of words that program.ts does not declare as choices. */
const VALUE_WORDS: Record<string, readonly string[]> = { '--scheduler': ['auto', 'systemd', 'cron'] };

/** Values and arguments that are names of things berth cannot list (running containers, bus addresses …). */
const NOTHING = new Set(['adopt container', 'import --container', '--address', '--podman-version', '--timeout', '--project-name', 'start argv']);

interface Walk {
  readonly cmd: Command;
  readonly positionals: readonly string[];
  readonly afterDashes: boolean;
  /** The option whose value the current word is. */
  readonly valueFor?: Option;
  readonly user: boolean;
}

const visibleCommands = (cmd: Command): Command[] => cmd.createHelp().visibleCommands(cmd);
const visibleOptions = (cmd: Command): Option[] => cmd.createHelp().visibleOptions(cmd);

function findCommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** An option of the command or one of its parents (commander reads the parents' too), by its flag. */
function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

function walk(root: Command, words: readonly string[], cword: number): Walk {
  let cmd = root;
  const positionals: string[] = [];
  let afterDashes = false;
  let user = false;
  for (let i = 1; i < cword; i++) {
    const w = words[i] ?? '';
    if (!afterDashes && w === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && w.startsWith('-') && w.length > 1) {
      const flag = w.split('=')[0]!;
      if (flag === '--user') user = true;
      const opt = findOption(cmd, flag);
      if (!opt || w.includes('=') || !(opt.required || opt.optional)) continue;
      if (i + 1 === cword) return { cmd, positionals, afterDashes, valueFor: opt, user };
      if (opt.required || !(words[i + 1] ?? '').startsWith('-')) i++;
      continue;
    }
    const sub = positionals.length === 0 && !afterDashes ? findCommand(cmd, w) : undefined;
    if (sub) cmd = sub;
    else positionals.push(w);
  }
  return { cmd, positionals, afterDashes, user };
}

const startingWith = (cur: string, words: Iterable<string>): string[] => [...new Set([...words].filter((w) => w.startsWith(cur)))].sort();

/** Completes the value of an option. */
function optionValue(w: Walk, opt: Option, cur: string, sources: CompletionSources): Completion {
  const flag = opt.long ?? opt.short ?? '';
  if (opt.argChoices) return { words: startingWith(cur, opt.argChoices) };
  const fixed = VALUE_WORDS[flag];
  if (fixed) return { words: startingWith(cur, fixed) };
  if (NOTHING.has(flag) || NOTHING.has(`${w.cmd.name()} ${flag}`)) return { words: [] };
  if (flag === '--archive') {
    const name = w.positionals[0];
    return { words: name ? startingWith(cur, sources.archives(name, w.user)) : [], files: 'file' };
  }
  if (/dir/.test(flag)) return { words: [], files: 'dir' };
  return { words: [], files: 'file' };
}

/** Unit names (web), or when the word has a dot, definition files and units (web.container, web.service). */
function names(w: Walk, cur: string, sources: CompletionSources): string[] {
  const verb = w.cmd.name();
  if (CHECKPOINTED.has(verb) || CONTAINERS.has(verb)) return startingWith(cur, sources.containers(w.user, CHECKPOINTED.has(verb)));
  const { files, units } = sources.definitions(w.user);
  if (cur.includes('.')) return startingWith(cur, [...files, ...units]);
  return startingWith(cur, units.map((u) => u.replace(/\.service$/, '')));
}

/** Completes a positional argument, by the command and the argument's name. */
function argumentValue(w: Walk, arg: Argument, cur: string, sources: CompletionSources): Completion {
  const verb = w.cmd.name();
  const name = arg.name();
  if (arg.argChoices) return { words: startingWith(cur, arg.argChoices) };
  if (NOTHING.has(`${verb} ${name}`)) return { words: [] };
  if (verb === 'checkpoints') {
    // checkpoints NAME, or checkpoints show FILE|NAME.
    const containers = sources.containers(w.user, true);
    if (w.positionals.length === 0) return { words: startingWith(cur, ['show', ...containers]) };
    return w.positionals[0] === 'show' ? { words: startingWith(cur, containers), files: 'file' } : { words: [] };
  }
  if (/^(names?|containers?)$/.test(name)) return { words: names(w, cur, sources) };
  if (/^units?$/.test(name)) return { words: startingWith(cur, sources.definitions(w.user).units) };
  if (/definition/.test(name)) return { words: startingWith(cur, sources.definitions(w.user).files), files: 'file' };
  if (/dir/.test(name)) return { words: [], files: 'dir' };
  return { words: [], files: 'file' };
}

/**
 * The candidates for word `cword` of `words` (bash's COMP_CWORD and COMP_WORDS: words[0] is the program).
 */
export function complete(root: Command, words: readonly string[], cword: number, sources: CompletionSources): Completion {
  const cur = words[cword] ?? '';
  const w = walk(root, words, cword);
  if (w.valueFor) return optionValue(w, w.valueFor, cur, sources);

  if (!w.afterDashes && cur.startsWith('-')) {
    const eq = /^(--[^=]+)=(.*)$/.exec(cur);
    if (eq) {
      const opt = findOption(w.cmd, eq[1]!);
      if (!opt || !(opt.required || opt.optional)) return { words: [] };
      const value = optionValue(w, opt, eq[2]!, sources);
      return { words: value.words.map((v) => `${eq[1]}=${v}`) };
    }
    const flags = visibleOptions(w.cmd).flatMap((o) => (o.long ? [o.long] : o.short ? [o.short] : []));
    return { words: startingWith(cur, flags) };
  }

  const subcommands = visibleCommands(w.cmd);
  if (subcommands.length > 0 && w.positionals.length === 0 && !w.afterDashes) {
    return { words: startingWith(cur, subcommands.map((c) => c.name())) };
  }
  if (subcommands.length > 0 && w.positionals[0] === 'help') {
    // commander's own help command, which its tree holds only once it runs: `help COMMAND`.
    return w.positionals.length === 1 ? { words: startingWith(cur, subcommands.map((c) => c.name()).filter((n) => n !== 'help')) } : { words: [] };
  }
  const args = w.cmd.registeredArguments;
  const last = args.at(-1);
  const arg = args[w.positionals.length] ?? (last?.variadic ? last : undefined);
  return arg ? argumentValue(w, arg, cur, sources) : { words: [] };
}

/** What `berth __complete` prints: one candidate a line, then `:file` or `:dir` when the shell should add its own. */
export function formatCompletion(c: Completion): string {
  return [...c.words, ...(c.files ? [`:${c.files}`] : [])].map((l) => `${l}\n`).join('');
}
