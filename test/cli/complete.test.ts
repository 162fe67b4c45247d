import test from 'ava';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complete, formatCompletion, type CompletionSources } from '../../src/cli/complete.js';
import { hostSources } from '../../src/cli/complete-command.js';
import { program } from '../../src/cli/program.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

const sources: CompletionSources = {
  containers: (user, checkpointed) => (user ? ['mine'] : checkpointed ? ['clock'] : ['clock', 'web']),
  definitions: () => ({ files: ['clock.container', 'web.container', 'data.volume'], units: ['clock.service', 'web.service', 'data-volume.service'] }),
  archives: (name) => (name === 'clock' ? ['/var/lib/berth/checkpoints/clock/clock-20261207T010203004Z.tar.zst'] : []),
};

/** Completes the last word of a command line written as words (the last one the word being completed). */
const at = (...words: string[]) => complete(program(), ['berth', ...words], words.length, sources);

test('commands come from the program itself, hidden ones and options apart', (t) => {
  const all = at('').words;
  for (const c of program().commands) t.true(all.includes(c.name()), c.name());
  t.true(all.includes('help'));
  t.false(all.some((w) => w.startsWith('__')));
  t.deepEqual(at('chec').words, ['checkpoint', 'checkpoints']);
  t.deepEqual(at('help', 'sta').words, ['start', 'status']);
  t.true(at('-').words.includes('--version'));
});

test('a command added to the program completes without anything else changing', (t) => {
  const cli = program();
  cli.command('frobnicate').argument('<name>', 'a unit').option('--output <file>').option('--quiet');
  const c = (...words: string[]) => complete(cli, ['berth', ...words], words.length, sources);
  t.deepEqual(c('frob').words, ['frobnicate']);
  t.deepEqual(c('frobnicate', '--').words, ['--help', '--output', '--quiet']);
  t.deepEqual(c('frobnicate', '').words, ['clock', 'data-volume', 'web']);
  t.deepEqual(c('frobnicate', 'web.').words, ['web.container', 'web.service']);
  t.deepEqual(c('frobnicate', '--output', ''), { words: [], files: 'file' });
  t.deepEqual(c('frobnicate', 'x', '--quiet', '--output', 'o'), { words: [], files: 'file' });
});

test("each command's options, and option values by what they name", (t) => {
  t.deepEqual(at('restore', '--').words, ['--archive', '--dry-run', '--help', '--json', '--latest', '--user']);
  t.deepEqual(at('restore', 'clock', '--archive', ''), { words: ['/var/lib/berth/checkpoints/clock/clock-20261207T010203004Z.tar.zst'], files: 'file' });
  t.deepEqual(at('restore', 'clock', '--archive=/var'), { words: ['--archive=/var/lib/berth/checkpoints/clock/clock-20261207T010203004Z.tar.zst'] });
  t.deepEqual(at('agent', '--scheduler', '').words, ['auto', 'cron', 'systemd']);
  t.deepEqual(at('agent', '--scheduler=c').words, ['--scheduler=cron']);
  t.deepEqual(at('adopt', 'x', '--directory', ''), { words: [], files: 'dir' });
  t.deepEqual(at('status', '--address', ''), { words: [] });
  t.deepEqual(at('import', '--container', ''), { words: [] });
});

test('arguments: containers with [Checkpoint] for the checkpoint commands, every container for status, files for validate', (t) => {
  t.deepEqual(at('restore', '').words, ['clock']);
  t.deepEqual(at('prune', 'c').words, ['clock']);
  t.deepEqual(at('status', '').words, ['clock', 'web']);
  t.deepEqual(at('status', 'clock', '').words, ['clock', 'web']);
  t.deepEqual(at('status', '--user', '').words, ['mine']);
  t.deepEqual(at('checkpoints', '').words, ['clock', 'show']);
  t.deepEqual(at('checkpoints', 'show', ''), { words: ['clock'], files: 'file' });
  t.deepEqual(at('checkpoints', 'clock', ''), { words: [] });
  t.deepEqual(at('validate', ''), { words: [], files: 'file' });
  t.deepEqual(at('adopt', ''), { words: [] });
  // After --, words are arguments, not options.
  t.deepEqual(at('import', '--', '-'), { words: [], files: 'file' });
});

test('the output is one candidate a line, then what the shell should add', (t) => {
  t.is(formatCompletion({ words: ['a', 'b'], files: 'dir' }), 'a\nb\n:dir\n');
  t.is(formatCompletion({ words: [] }), '');
});

test('the host sources read the definitions on the search path and a container\'s archive folder', (t) => {
  const defs = mkdtempSync(join(tmpdir(), 'berth-complete-'));
  const archives = mkdtempSync(join(tmpdir(), 'berth-archives-'));
  writeFileSync(join(defs, 'clock.container'), `[Container]\nImage=x\n[Checkpoint]\nDirectory=${archives}\n`);
  writeFileSync(join(defs, 'web.container'), '[Container]\nImage=x\nServiceName=www\n');
  writeFileSync(join(defs, 'data.volume'), '[Volume]\n');
  mkdirSync(join(archives, 'clock'));
  for (const f of ['clock-20261207T010203004Z.tar.zst', 'clock-20261207T010203004Z.tar.zst.json', 'notes.txt']) writeFileSync(join(archives, 'clock', f), '');
  const host = hostSources({ BERTH_UNIT_DIRS: defs });
  t.deepEqual(host.containers(false, false).sort(), ['clock', 'www']);
  t.deepEqual(host.containers(false, true), ['clock']);
  t.deepEqual(host.definitions(false).units.sort(), ['clock.service', 'data-volume.service', 'www.service']);
  t.deepEqual(host.archives('clock', false), [join(archives, 'clock', 'clock-20261207T010203004Z.tar.zst')]);
  t.deepEqual(host.archives('nothing', false), []);
});

test('the bash script completes through berth __complete (COMP_WORDS as bash sets them)', async (t) => {
  const defs = mkdtempSync(join(tmpdir(), 'berth-complete-'));
  writeFileSync(join(defs, 'clock.container'), '[Container]\nImage=x\n[Checkpoint]\n');
  writeFileSync(join(defs, 'web.container'), '[Container]\nImage=x\n');
  const bin = mkdtempSync(join(tmpdir(), 'berth-bin-'));
  writeFileSync(join(bin, 'berth'), `#!/bin/sh\nexec node ${REPO}dist/src/cli/main.js "$@"\n`);
  chmodSync(join(bin, 'berth'), 0o755);
  const run = async (line: string, withBashCompletion = false): Promise<string[]> => {
    const script = [
      ...(withBashCompletion ? [`source ${BASH_COMPLETION}`] : []),
      `source ${REPO}packaging/completion/berth.bash`,
      'complete -p berth',
      `COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))`,
      '_berth',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = await execa('bash', ['--norc', '--noprofile', '-c', script], { env: { PATH: `${bin}:${process.env['PATH']}`, BERTH_UNIT_DIRS: defs }, cwd: defs });
    return r.stdout.split('\n').filter((l) => l !== '');
  };
  t.deepEqual(await run("berth 'chec'"), ['complete -F _berth berth', 'checkpoint', 'checkpoints']);
  t.deepEqual(await run("berth status ''"), ['complete -F _berth berth', 'clock', 'web']);
  t.deepEqual(await run("berth restore ''"), ['complete -F _berth berth', 'clock']);
  // A file argument gets bash's own file names.
  t.deepEqual(await run("berth validate 'web.'"), ['complete -F _berth berth', 'web.container']);
  // With the bash-completion package (where installed), words are read through its _init_completion.
  if (existsSync(BASH_COMPLETION)) t.deepEqual(await run("berth restore ''", true), ['complete -F _berth berth', 'clock']);
});

test('berth __complete runs from the command line and never fails', async (t) => {
  const main = `${REPO}dist/src/cli/main.js`;
  t.deepEqual((await execa('node', [main, '__complete', '1', 'berth', 'do'])).stdout, 'doctor');
  const bad = await execa('node', [main, '__complete', 'x'], { reject: false });
  t.is(bad.exitCode, 0);
  t.is(bad.stdout, '');
});
