/**
 * The man pages (packaging/man/*.md, converted by packaging/man/md2man.mjs) and the command line's help:
 * the converter's output, groff's verdict on each page, and that the pages and `--help` cover every
 * command, option and definition key berth has.
 */
import test from 'ava';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { program } from '../../src/cli/program.js';
import { CHECKPOINT_KEYS } from '../../src/compile/checkpoint-settings.js';
import { CONTAINER_KEYS } from '../../src/compile/container-keys.js';
import { VOLUME_KEYS } from '../../src/compile/volume-keys.js';
import { NETWORK_KEYS } from '../../src/compile/network-keys.js';
import { POD_KEYS } from '../../src/compile/pod-keys.js';
import { KUBE_KEYS } from '../../src/compile/kube-keys.js';
import { IMAGE_KEYS } from '../../src/compile/image-keys.js';
import { BUILD_KEYS } from '../../src/compile/build-keys.js';
import { ARTIFACT_KEYS } from '../../src/compile/artifact-keys.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const MAN = join(REPO, 'packaging/man');

interface Md2Man {
  convert(markdown: string, options?: { version?: string; file?: string }): string;
  convertFile(path: string, options?: { version?: string }): string;
  ManError: new (message: string) => Error;
}
const md2man = (await import(new URL('../../../packaging/man/md2man.mjs', import.meta.url).href)) as Md2Man;

const page = (name: string) => readFileSync(join(MAN, `${name}.md`), 'utf8');
const PAGES = readdirSync(MAN).filter((f) => f.endsWith('.md'));

test('md2man turns the markdown subset into man(7) requests', (t) => {
  const roff = md2man.convert(
    [
      '# tool(1) -- does `things`',
      '',
      '## SYNOPSIS',
      '',
      '```',
      'tool --flag FILE',
      '.dot first',
      '```',
      '',
      '## DESCRIPTION',
      '',
      'A paragraph with `code`, **bold** and *italic*,',
      'over two lines.',
      '',
      '### Sub',
      '',
      '- one',
      '  more of one',
      '- two',
      '',
      '`--flag`',
      ': What it does.',
      '  Still the definition.',
      '',
      ': A second paragraph of it.',
      '',
      'After.',
    ].join('\n'),
    { version: '1.2.3', file: 'tool.1.md' },
  );
  t.is(
    roff,
    [
      '.\\" Generated from tool.1.md by packaging/man/md2man.mjs; edit the markdown, not this file.',
      '.TH "TOOL" "1" "" "berth 1.2.3" "berth"',
      '.nh',
      '.ad l',
      '.SH "NAME"',
      'tool \\- does \\fBthings\\fR',
      '.SH "SYNOPSIS"',
      '.PP',
      '.RS 4',
      '.nf',
      'tool \\-\\-flag FILE',
      '\\&.dot first',
      '.fi',
      '.RE',
      '.SH "DESCRIPTION"',
      '.PP',
      'A paragraph with \\fBcode\\fR, \\fBbold\\fR and \\fIitalic\\fR, over two lines.',
      '.SS "Sub"',
      '.IP \\(bu 2',
      'one more of one',
      '.IP \\(bu 2',
      'two',
      '.TP',
      '\\fB\\-\\-flag\\fR',
      'What it does. Still the definition.',
      '.IP',
      'A second paragraph of it.',
      '.PP',
      'After.',
      '',
    ].join('\n'),
  );
});

test('md2man escapes backslashes, and hyphens in code', (t) => {
  const roff = md2man.convert('# x(5) -- y\n\nA \\ backslash and `a-b\\c`.\n');
  t.true(roff.includes('A \\e backslash and \\fBa\\-b\\ec\\fR.'));
});

test('md2man refuses what it cannot render, naming the file and line', (t) => {
  const refuse = (md: string, message: RegExp) => t.throws(() => md2man.convert(md, { file: 'p.5.md' }), { instanceOf: md2man.ManError, message });
  refuse('no header\n', /^p\.5\.md:1: the first line must be "# NAME\(SECTION\) -- summary"/);
  refuse('# x(5) -- y\n\n| a | b |\n', /^p\.5\.md:3: tables and HTML are not supported/);
  refuse('# x(5) -- y\n\nsee [this](http://x)\n', /^p\.5\.md:3: links are not supported/);
  refuse('# x(5) -- y\n\n1. first\n', /^p\.5\.md:3: only "- " bullet lists/);
  refuse('# x(5) -- y\n\n```\nnever closed\n', /^p\.5\.md:3: a code block that never ends/);
  refuse('# x(5) -- y\n\nan `unclosed code span\n', /^p\.5\.md:3: an unclosed `/);
  refuse('# x(5) -- y\n\n# another title\n', /^p\.5\.md:3: only ## and ### headings/);
});

for (const file of PAGES) {
  test(`${file.replace(/\.md$/, '')} converts and groff has nothing to warn about`, async (t) => {
    const roff = md2man.convertFile(join(MAN, file), { version: '0.1.0' });
    const lint = await execa('groff', ['-man', '-ww', '-z'], { input: roff, reject: false });
    t.is(lint.stderr, '');
    t.is(lint.exitCode, 0);
    const text = (await execa('groff', ['-man', '-Tutf8', '-P', '-cbou'], { input: roff })).stdout;
    const [, name, section] = /^(.+)\.(\d)\.md$/.exec(file)!;
    t.regex(text, new RegExp(`^NAME\\n\\s+${name!.replace('.', '\\.')} - `, 'm'));
    t.regex(text, new RegExp(`^${name!.toUpperCase().replace('.', '\\.')}\\(${section}\\)`, 'm'));
  });
}

function commands(): Command[] {
  return program().commands.filter((c) => c.name() !== 'help');
}

test("berth(1) documents every command and option that berth --help lists", (t) => {
  const md = page('berth.1');
  const synopsis = /## SYNOPSIS\n\n```\n([\s\S]*?)```/.exec(md)![1]!;
  for (const c of commands()) {
    t.regex(synopsis, new RegExp(`^berth ${c.name()} `, 'm'), `SYNOPSIS has ${c.name()}`);
    t.regex(md, new RegExp(`^\`${c.name()}\`.*\\n: `, 'm'), `COMMANDS has ${c.name()}`);
    for (const o of c.options) t.true(md.includes(o.long!), `berth(1) mentions ${c.name()} ${o.long}`);
  }
});

test('each command describes itself, its arguments and its options in --help', (t) => {
  for (const c of commands()) {
    t.not(c.description(), '', c.name());
    for (const a of c.registeredArguments) t.not(a.description, '', `${c.name()} <${a.name()}>`);
    for (const o of c.options) t.not(o.description, '', `${c.name()} ${o.long}`);
    t.regex(c.helpInformation(), new RegExp(`^Usage: berth ${c.name()} `));
  }
});

test('berth.container(5) documents every [Container] and [Checkpoint] key', (t) => {
  const md = page('berth.container.5');
  const container = md.slice(md.indexOf('## [Container] KEYS'), md.indexOf('## [Checkpoint] SECTION'));
  const checkpoint = md.slice(md.indexOf('## [Checkpoint] SECTION'), md.indexOf('## [Unit]'));
  for (const key of Object.keys(CONTAINER_KEYS)) t.true(container.includes(`\`${key}=\``), `[Container] ${key}=`);
  for (const key of CHECKPOINT_KEYS) t.true(checkpoint.includes(`\`${key}=\``), `[Checkpoint] ${key}=`);
});

test('berth.definitions(5) documents every key of the other kinds', (t) => {
  const md = page('berth.definitions.5');
  const tables = { volume: VOLUME_KEYS, network: NETWORK_KEYS, pod: POD_KEYS, kube: KUBE_KEYS, image: IMAGE_KEYS, build: BUILD_KEYS, artifact: ARTIFACT_KEYS };
  const common = md.slice(md.indexOf('## KINDS'), md.indexOf('### .volume'));
  for (const [kind, keys] of Object.entries(tables)) {
    const start = md.indexOf(`### .${kind}:`);
    t.true(start > 0, `a section for .${kind}`);
    const end = Math.min(...['\n### ', '\n## '].map((h) => md.indexOf(h, start + 1)).filter((i) => i > 0));
    const section = md.slice(start, end);
    for (const key of Object.keys(keys)) t.true(section.includes(`\`${key}=\``) || common.includes(`\`${key}=\``), `.${kind} ${key}=`);
  }
});
