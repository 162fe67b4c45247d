/** Pure round trips between quoteWord()/quoteWords() and splitWords(); no systemd involved. */
import test from 'ava';
import { quoteArgvLiteral, quoteWord, quoteWords, splitWords } from '../../src/unit/quote.js';
import { prng, randomArgv, seedFromEnv } from '../helpers/random-argv.js';

test('splitWords reads back what quoteWords wrote, for 5000 random argvs without % or $', (t) => {
  const seed = seedFromEnv();
  t.log(`seed ${seed} (replay with BERTH_QUOTE_SEED=${seed})`);
  const rnd = prng(seed);
  let failures = 0;
  for (let i = 0; i < 5000; i++) {
    const argv = randomArgv(rnd, { noSpecials: true });
    const line = quoteWords(argv);
    let back: string[] | string;
    try {
      back = splitWords(line, { cunescape: true });
    } catch (e) {
      back = String(e);
    }
    if (JSON.stringify(back) !== JSON.stringify(argv)) {
      if (failures++ < 5) t.log(`argv ${JSON.stringify(argv)}\nline ${JSON.stringify(line)}\nback ${JSON.stringify(back)}`);
    }
  }
  t.is(failures, 0);
});

test('quoteArgvLiteral doubles every % and $ and otherwise quotes like quoteWords, for 2000 random argvs', (t) => {
  const seed = seedFromEnv();
  t.log(`seed ${seed}`);
  const rnd = prng(seed);
  for (let i = 0; i < 2000; i++) {
    const argv = randomArgv(rnd);
    const escaped = argv.map((w) => w.replaceAll('%', '%%').replaceAll('$', () => '$$'));
    const back = splitWords(quoteArgvLiteral(argv), { cunescape: true });
    if (JSON.stringify(back) !== JSON.stringify(escaped)) {
      t.fail(`argv ${JSON.stringify(argv)} → ${JSON.stringify(quoteArgvLiteral(argv))} → ${JSON.stringify(back)}`);
      return;
    }
  }
  t.pass();
});

test('quoteWord leaves plain words bare and quotes everything systemd would split, unquote or unescape', (t) => {
  for (const bare of ['/usr/bin/podman', '--name=systemd-%N', 'é😀', 'a=b,c:d']) t.is(quoteWord(bare), bare);
  // How a quoted word spells its characters is the writer's choice (spaces are \x20, as Quadlet
  // writes them); what counts is that it is quoted and reads back as written.
  for (const word of ['', ';', 'a b', "it's", 'say "hi"', 'back\\slash', 'tab\there', 'line\nbreak', '\x01\x1b\x7f', '\\;']) {
    const q = quoteWord(word);
    t.true(q.startsWith('"') && q.endsWith('"'), `${JSON.stringify(word)} → ${q}`);
    t.deepEqual(splitWords(q, { cunescape: true }), [word], q);
  }
  // Nothing that would end the line or continue it: no raw CR/LF, no trailing backslash.
  for (const word of ['a\nb', 'a\rb', 'end\\']) {
    const q = quoteWord(word);
    t.false(/[\n\r]/.test(q) || q.endsWith('\\'), JSON.stringify(q));
  }
});

test('quoteWord doubles % and $ only when asked to', (t) => {
  t.is(quoteWord('%n$X'), '%n$X');
  t.is(quoteWord('%n$X', { specifiers: 'escape' }), '%%n$X');
  t.is(quoteWord('%n$X', { variables: 'escape' }), '%n$$X');
  t.is(quoteWord('$$', { variables: 'escape' }), '$$$$');
  t.is(quoteArgvLiteral(['/bin/echo', '${X}', '100%']), '/bin/echo $${X} 100%%');
  t.deepEqual(splitWords(quoteArgvLiteral(['a b$']), { cunescape: true }), ['a b$$']);
});

test('quoteWord refuses a NUL byte, which no argument can hold', (t) => {
  t.throws(() => quoteWord('a\0b'), { message: /NUL/ });
});

test('splitWords keeps an empty quoted word and joins quoted parts inside one word', (t) => {
  t.deepEqual(splitWords('a "" b', { cunescape: true }), ['a', '', 'b']);
  t.deepEqual(splitWords('pre"mid dle"post \'x y\'', { cunescape: true }), ['premid dlepost', 'x y']);
  t.deepEqual(splitWords('"\\x41\\u00e9\\t"', { cunescape: true }), ['Aé\t']);
  t.deepEqual(splitWords('"\\xc3\\xa9"', { cunescape: true }), ['é']);
});
