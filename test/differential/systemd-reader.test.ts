/**
 * The systemd reader (test/helpers/systemd-reader.ts) on its tricky cases, and against systemd 252 itself:
 * `systemd --test --system` (run as nobody: test mode refuses root) loads a unit full of random ExecStart=
 * lines, written with mixed line endings, continuations and comments, and dumps the argv of each command.
 * Replay with BERTH_READER_SEED=<seed>.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execWords, pathWords, readUnit, splitLines, strvWords, unitNameWords, environmentWords } from '../helpers/systemd-reader.js';
import { prng } from '../helpers/random-argv.js';

const values = (text: string, section = 'S') => (readUnit(text).sections.get(section) ?? []).map((a) => `${a.key}=${a.value}`);

test('lines end at \\n, \\r, \\0 and their combinations as read_line_full() says', (t) => {
  t.deepEqual(splitLines('a\r\nb\n\rc\rd\0e\r\n\0f'), ['a', 'b', 'c', 'd', 'e', 'f']);
  t.deepEqual(splitLines('a\n\nb\r\rc'), ['a', '', 'b', '', 'c']);
  t.deepEqual(splitLines('a\0\nb'), ['a', '', 'b']);
  t.deepEqual(splitLines('a\r\n\rb'), ['a', '', 'b']);
  t.deepEqual(values('[S]\r\nA=1\rB=2\0C=3\n\rD=4'), ['A=1', 'B=2', 'C=3', 'D=4']);
});

test('a trailing backslash continues the line with a space in its place, and comment lines inside are skipped', (t) => {
  t.deepEqual(values('[S]\nK=a \\\n# comment\n  ; another\n  b\nL=c\n'), ['K=a    b', 'L=c']);
  t.deepEqual(values('[S]\nK=a\\\nb\n'), ['K=a b']);
  // A continuation open at the end of the file is parsed as it stands.
  t.deepEqual(values('[S]\nK=a \\'), ['K=a']);
  // An empty line ends a continuation.
  t.deepEqual(values('[S]\nK=a \\\n\nL=b\n'), ['K=a', 'L=b']);
});

test('a backslash followed by blanks, or an escaped backslash, does not continue the line', (t) => {
  t.deepEqual(values('[S]\nK=a \\ \nL=b\n'), ['K=a \\', 'L=b']);
  t.deepEqual(values('[S]\nK=a\\\\\nL=b\n'), ['K=a\\\\', 'L=b']);
  t.deepEqual(values('[S]\nK=a\\\\\\\nb\n'), ['K=a\\\\ b']);
});

test('sections merge, keys and values are stripped, the first byte-order mark is dropped, and stray lines are ignored', (t) => {
  const r = readUnit('\ufeffX=outside\n[S]\n  K  =  v v  \nno equals sign\n=novalue\n[T]\nA=1\n[S]\nK=2\n');
  t.deepEqual([...r.sections.keys()], ['S', 'T']);
  t.deepEqual(values('\ufeff[S]\nK=v'), ['K=v']);
  t.deepEqual((r.sections.get('S') ?? []).map((a) => [a.key, a.value]), [['K', 'v v'], ['K', '2']]);
  t.is(r.errors.length, 0);
  t.is(r.warnings.length, 3);
});

test('a broken section header or invalid UTF-8 makes the file fail to load', (t) => {
  t.true(readUnit('[S]\n[Broken\nK=v\n').errors.length > 0);
  t.true(readUnit(Buffer.from([0x5b, 0x53, 0x5d, 0x0a, 0x4b, 0x3d, 0xff, 0x0a])).errors.length > 0);
  t.is(readUnit(Buffer.from('[S]\n# \xff comment\n', 'latin1')).errors.length, 0);
});

test('exec lines are split with unquoting and C unescaping, and ; separates commands', (t) => {
  const r = execWords(`/bin/echo "a b" 'c\\x41' d\\;e \\; f %% $$X \${Y} $Z "" ; -/bin/true x`);
  t.is(r.error, undefined);
  t.deepEqual(r.commands.map((c) => [c.flags, c.path, ...c.argv]), [
    ['', '/bin/echo', '/bin/echo', 'a b', 'cA', 'd\\;e', ';', 'f', '%', '$X', '⟦${Y}⟧', '⟦$Z⟧', ''],
    ['-', '/bin/true', '/bin/true', 'x'],
  ]);
  t.deepEqual(execWords('/bin/x $$X', { runtime: false }).commands[0]?.argv, ['/bin/x', '$$X']);
  t.deepEqual(execWords(':/bin/x $$X $Y').commands[0]?.argv, ['/bin/x', '$$X', '$Y']);
});

test('exec prefixes are read once each, @ separates argv[0], and bad lines are errors unless prefixed with -', (t) => {
  const c = execWords('-@!!/bin/sh zero -c x').commands[0]!;
  t.deepEqual([c.flags, c.path, c.argv], ['-@!!', '/bin/sh', ['zero', '-c', 'x']]);
  t.truthy(execWords('/bin/x "unbalanced').error);
  t.truthy(execWords('/bin/x %z').error);
  t.truthy(execWords('./relative').error);
  t.falsy(execWords('-/bin/x %z').error);
  t.truthy(execWords('-/bin/x %z').ignored);
  t.deepEqual(execWords('/bin/x trailing\\').commands[0]?.argv, ['/bin/x', 'trailing\\']);
  t.deepEqual(execWords('/bin/x "\\d"').commands[0]?.argv, ['/bin/x', '\\d']);
  t.deepEqual(execWords('').commands, []);
});

test('dependency, path, install and environment lists are split as their systemd parsers split them', (t) => {
  t.deepEqual(unitNameWords('a.service "b c.service" d\\ e %% %n'), ['a.service', '"b', 'c.service"', 'd\\', 'e', '%', '⟦%n⟧']);
  t.deepEqual(pathWords('/a//b/ "/c d" rel %t/x'), ['/a/b', '/c d', '⟦%t⟧/x']);
  t.deepEqual(strvWords('a.target "b c.target"'), ['a.target', 'b c.target']);
  t.is(strvWords(''), undefined);
  t.deepEqual(environmentWords('A=1 "B=two words" C=\\x41 bad 1X=2'), [['A', '1'], ['B', 'two words'], ['C', 'A']]);
});

/* ------------------------------------------------------------------------------------------------------ */
/* Against systemd                                                                                          */

/** Reads one shell word list (quote_command_line() output) from `s` at `i`, up to an unquoted newline. */
function parseQuotedLine(s: string, start: number): { words: string[]; end: number } {
  const words: string[] = [];
  let i = start;
  let word: string | undefined;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\n') break;
    if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '"') {
      word = word ?? '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) {
          // strcpy_backslash_escaped(): control characters as C escapes, `"\\`$` with a backslash.
          const e = s[i + 1]!;
          const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
          if (e === 'x') {
            word += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
            i += 4;
          } else {
            word += simple[e] ?? e;
            i += 2;
          }
        } else word += s[i++];
      }
      i++;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, end: i };
}

/** The argv of every ExecStart= command of `unit` in a `systemd --test` dump, and its load state. */
function dumpedCommands(dump: string, unit: string): { load: string; commands: string[][] } {
  const start = dump.indexOf(`-> Unit ${unit}:`);
  if (start < 0) return { load: 'missing', commands: [] };
  const next = dump.indexOf('\n\t-> Unit ', start + 1);
  const block = dump.slice(start, next < 0 ? undefined : next);
  const load = /Unit Load State: (\S+)/.exec(block)?.[1] ?? 'unknown';
  const commands: string[][] = [];
  const execAt = block.indexOf('-> ExecStart:');
  if (execAt < 0) return { load, commands };
  let i = execAt;
  for (;;) {
    const at = block.indexOf('Command Line: ', i);
    if (at < 0) break;
    const { words, end } = parseQuotedLine(block, at + 'Command Line: '.length);
    commands.push(words);
    i = end;
    // Stop at the first line after the ExecStart list that is not a command.
    const after = block.slice(end + 1, end + 40);
    if (!/^\t*Command Line: /.test(after)) break;
  }
  return { load, commands };
}

const PIECES = [
  'plain', 'a b', '"q q"', "'s s'", '"', "'", '\\"', "\\'", '\\\\', '\\n', '\\t', '\\x41', '\\101', '\\u00e9', '\\s', '\\d', '\\q', ';', '\\;',
  '%%', '$$', '$X', '${Y}', '$&', 'é', '漢', '😀', '\t', '  ', '""', "''", '#', '=', 'x\\', '\\',
];

function randomExecValue(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const prefix = pick(['', '', '', '-', '@', ':', '+', '!', '!!', '-:']);
  const words: string[] = [];
  const n = 1 + Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) {
    let w = '';
    const k = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < k; j++) w += pick(PIECES);
    words.push(w);
  }
  const path = prefix.includes('@') ? '/bin/echo argv0' : '/bin/echo';
  const value = `${prefix}${path} ${words.join(' ')}`;
  // A value ending in a backslash would continue onto the next line: rarely wanted.
  return value.endsWith('\\') && rnd() < 0.8 ? `${value} end` : value;
}

/** Writes `key=value` with a random line ending, sometimes over continuation lines with comments inside. */
function writeLine(rnd: () => number, key: string, value: string): string {
  const eol = ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!;
  const sp = value.indexOf(' ', 12);
  if (sp > 0 && rnd() < 0.3) {
    const comment = rnd() < 0.5 ? `# inside${eol}` : '';
    return `${key}=${value.slice(0, sp)}\\${eol}${comment}${value.slice(sp)}${eol}`;
  }
  return `${key}=${value}${eol}`;
}

/** systemd --test refuses to run as root: root runs it as nobody, anyone else as themselves. */
const UNPRIVILEGED = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];

test('systemd 252 itself parses random ExecStart= lines into the argvs the reader predicts', (t) => {
  if (UNPRIVILEGED.length > 0) t.is(spawnSync('runuser', ['-u', 'nobody', '--', '/bin/true']).status, 0, 'runuser -u nobody must work');
  const seed = process.env['BERTH_READER_SEED'] ? Number(process.env['BERTH_READER_SEED']) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  t.log(`seed ${seed} (replay with BERTH_READER_SEED=${seed})`);
  const rnd = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'berth-reader-'));
  chmodSync(dir, 0o755);
  try {
    const good: string[] = [];
    const bad: string[] = [];
    for (let i = 0; i < 400 && (good.length < 150 || bad.length < 6); i++) {
      const v = randomExecValue(rnd);
      const r = execWords(v, { runtime: false });
      if (r.error !== undefined) {
        if (bad.length < 6) bad.push(v);
      } else if (good.length < 150) good.push(v);
    }
    let text = `[Unit]\nDescription=reader oracle\nWants=${bad.map((_, i) => `zz-bad${i}.service`).join(' ')}\n\n[Service]\nType=oneshot\n`;
    for (const v of good) text += writeLine(rnd, 'ExecStart', v);
    writeFileSync(join(dir, 'zz-good.service'), text);
    bad.forEach((v, i) => writeFileSync(join(dir, `zz-bad${i}.service`), `[Service]\nType=oneshot\nExecStart=${v}\n`));
    for (const f of ['zz-good.service', ...bad.map((_, i) => `zz-bad${i}.service`)]) chmodSync(join(dir, f), 0o644);

    const [command, ...args] = [...UNPRIVILEGED, 'env', `SYSTEMD_UNIT_PATH=${dir}:`, '/lib/systemd/systemd', '--test', '--system', '--unit=zz-good.service', '--no-pager'];
    const run = spawnSync(command!, args, {
      encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dump = `${run.stdout}`;
    const said = `${run.stderr}${run.stdout}`.split('\n').filter((l) => l.includes('zz-good.service:') && !l.includes('unknown escape'));
    for (const l of said.slice(0, 10)) t.log(`systemd: ${l}`);

    // What the reader predicts: read the file as systemd does, then split every ExecStart= value.
    const read = readUnit(text);
    const predicted = (read.sections.get('Service') ?? []).filter((a) => a.key === 'ExecStart').flatMap((a) => execWords(a.value, { runtime: false }).commands.map((c) => [...c.argv]));
    const got = dumpedCommands(dump, 'zz-good.service');
    const refused = (read.sections.get('Service') ?? []).filter((a) => a.key === 'ExecStart').map((a) => execWords(a.value, { runtime: false }).error).find((e) => e !== undefined);
    if (refused !== undefined) {
      // Two lines joined by a continuation made a line systemd refuses: then the unit must not load.
      t.log(`the reader expects systemd to refuse the unit: ${refused}`);
      t.not(got.load, 'loaded');
      return;
    }
    t.is(got.load, 'loaded');
    t.is(got.commands.length, predicted.length, 'number of commands');
    const mismatches: string[] = [];
    predicted.forEach((argv, i) => {
      if (JSON.stringify(argv) !== JSON.stringify(got.commands[i])) mismatches.push(`command ${i}: reader ${JSON.stringify(argv)}, systemd ${JSON.stringify(got.commands[i])}`);
    });
    for (const m of mismatches.slice(0, 10)) t.log(m);
    t.is(mismatches.length, 0);
    bad.forEach((v, i) => {
      const b = dumpedCommands(dump, `zz-bad${i}.service`);
      t.not(b.load, 'loaded', `systemd loaded a unit with ExecStart=${v}, which the reader says it refuses`);
    });
    t.log(`${predicted.length} commands from ${good.length} lines agree with systemd; ${bad.length} refused lines refused by systemd too`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
