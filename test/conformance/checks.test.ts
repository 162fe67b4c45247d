/** The conformance check language (test/helpers/conformance-checks.ts) on a small hand-written unit. */
import test from 'ava';
import {
  CheckEvaluator, evaluateChecks, expectsFailure, keyValMap, parseCheckLine, parseChecks, splitCheckLine,
  type CheckSubject,
} from '../helpers/conformance-checks.js';

const UNIT = `# Automatically generated
[Unit]
After=early.service
After=
After=network-online.target
After=web-volume.service
Wants=network-online.target
RequiresMountsFor="/path/on/host\\x20with\\x20spaces"
RequiresMountsFor=/srv

[Service]
Environment=PODMAN_SYSTEMD_UNIT=%n
ExecStartPre=/usr/bin/podman volume create --ignore v1
ExecStart=/usr/bin/podman --module=/m.conf run --name systemd-%N --mount "type=bind,source=/a b,\\"dst=/c,1\\"" --env "FOO=a\\nb" -d localhost/img sleep 10
ExecStop=/usr/bin/podman rm -v -f -i systemd-%N
ExecStopPost=-/usr/bin/podman --module=/m.conf rm -v -f -i systemd-%N
ExecReload=/usr/bin/podman kill --signal SIGHUP systemd-%N
Type=notify
SyslogIdentifier=
`;

const LINKS: Record<string, string> = { 'want.service.wants/web.service': '../web.service' };

const subject = (over: Partial<CheckSubject> = {}): CheckSubject => ({
  unitText: UNIT,
  unitPath: '/out/web.service',
  stderr: 'berth-generator: web.container:3: a warning\n',
  readlink: (rel) => LINKS[rel],
  ...over,
});

const ev = new CheckEvaluator(subject());
const holds = (line: string, e: CheckEvaluator = ev): boolean => e.evaluate(parseCheckLine(`## ${line}`)!).ok;

test('check lines split like a shell, then \\n and \\t stand for newline and tab', (t) => {
  t.deepEqual(splitCheckLine(` a "b c"  'd "e' f\\ g "h\\"i"`), ['a', 'b c', 'd "e', 'f g', 'h"i']);
  t.deepEqual(splitCheckLine(`x "" y`), ['x', '', 'y']);
  t.throws(() => splitCheckLine('a "b'));
  const c = parseCheckLine('## assert-podman-args --env "FOO=a\\\\nb\\\\tc"')!;
  t.deepEqual(c.args, ['--env', 'FOO=a\nb\tc']);
  t.false(c.invert);
  const inv = parseCheckLine('## !assert-podman-args --rm')!;
  t.true(inv.invert);
  t.is(inv.op, 'assert-podman-args');
});

test('only ## lines at column 0 are checks', (t) => {
  const checks = parseChecks('## assert-failed\n # not\n# assert-key-is A B c\n [X]\n## !assert-key-is A B c\n');
  t.deepEqual(checks.map((c) => [c.line, c.op, c.invert]), [[1, 'assert-failed', false], [5, 'assert-key-is', true]]);
  t.true(expectsFailure(checks));
  t.false(expectsFailure(parseChecks('## !assert-failed\n')));
});

test('assert-key-is and -regex see the values in force, in order', (t) => {
  t.true(holds('assert-key-is Unit After network-online.target web-volume.service'));
  t.false(holds('assert-key-is Unit After web-volume.service network-online.target'));
  t.false(holds('assert-key-is Unit After network-online.target'));
  t.true(holds('assert-key-is Service Type notify'));
  t.true(holds('assert-key-is Unit RequiresMountsFor "\\"/path/on/host\\\\x20with\\\\x20spaces\\"" /srv'));
  t.true(holds('assert-key-is-regex Unit After "network-online.target|other" "-volume"'));
  t.false(holds('assert-key-is-regex Unit After "^other$" "-volume"'));
  t.false(holds('assert-key-is-regex Unit After "network"'));
});

test('assert-key-is-empty, assert-has-key, assert-key-contains and -not-contains', (t) => {
  t.true(holds('assert-key-is-empty Unit Before'));
  t.true(holds('assert-key-is-empty Service SyslogIdentifier'), 'an empty assignment leaves no values');
  t.false(holds('assert-key-is-empty Unit Wants'));
  t.true(holds('assert-has-key Unit RequiresMountsFor /srv'));
  t.false(holds('assert-has-key Unit RequiresMountsFor /sr'));
  t.false(holds('assert-has-key Unit After early.service'), 'cleared by After=');
  t.true(holds('assert-key-contains Unit After volume'));
  t.false(holds('assert-key-contains Unit After early'));
  t.true(holds('assert-key-not-contains Unit After early'));
  t.false(holds('assert-key-not-contains Unit After online'));
  t.true(holds('assert-key-not-contains Unit Nothing x'));
});

test('assert-last-key-contains and -is-regex read the last assignment as written', (t) => {
  t.true(holds('assert-last-key-contains Service ExecStart " -d localhost/img "'));
  t.false(holds('assert-last-key-contains Unit After online'));
  t.true(holds('assert-last-key-is-regex Unit After "^web-.*\\.service$"'));
  t.true(holds('assert-last-key-is-regex Service SyslogIdentifier "^$"'), 'an empty last assignment is an empty value');
  t.false(holds('assert-last-key-is-regex Unit Nothing ".*"'));
});

test('assert-podman-args and -regex find a contiguous run, program included', (t) => {
  t.true(holds('assert-podman-args --name systemd-%N'));
  t.true(holds('assert-podman-args "--env" "FOO=a\\\\nb"'), 'C escapes of the unit are decoded');
  t.true(holds('assert-podman-args --mount "type=bind,source=/a b,\\"dst=/c,1\\""'));
  t.false(holds('assert-podman-args --name -d'));
  t.true(holds('!assert-podman-args --rm'));
  t.false(holds('!assert-podman-args -d'));
  t.true(holds('assert-podman-args-regex ".*/podman$" "--module=.*"'));
  t.false(holds('assert-podman-args-regex "^--name$" "^systemd-%n$"'));
});

test('assert-podman-final-args, -final-args-regex and -global-args', (t) => {
  t.true(holds('assert-podman-final-args localhost/img sleep 10'));
  t.false(holds('assert-podman-final-args localhost/img sleep'));
  t.true(holds('assert-podman-final-args-regex "^localhost/" "sl.*" "[0-9]+"'));
  t.false(holds('assert-podman-final-args-regex "^sleep$"'));
  t.true(holds('assert-podman-global-args run --module=/m.conf'));
  t.false(holds('assert-podman-global-args run --name'), 'after the subcommand');
  t.false(holds('assert-podman-global-args create --module=/m.conf'), 'no such subcommand');
});

test('assert-podman-args-key-val and -regex compare maps, order free, CSV quoting', (t) => {
  t.true(holds('assert-podman-args-key-val --mount , "\\"dst=/c,1\\",source=/a b,type=bind"'));
  t.false(holds('assert-podman-args-key-val --mount , "type=bind,source=/a b"'), 'a key missing');
  t.false(holds('assert-podman-args-key-val --mount , "type=bind,source=/a,\\"dst=/c,1\\""'), 'a value differs');
  t.true(holds('assert-podman-args-key-val-regex --mount , "type=b.*,source=/a,dst=/c"'));
  t.false(holds('assert-podman-args-key-val-regex --mount , "type=^volume$,source=.*,dst=.*"'));
  t.deepEqual([...keyValMap('a=1;b;c=x=y', ';')], [['a', '1'], ['b', ''], ['c', 'x=y']]);
});

test('variants read ExecStartPre, ExecStop, ExecStopPost and ExecReload, prefix characters stripped', (t) => {
  t.true(holds('assert-podman-pre-args volume create --ignore v1'));
  t.false(holds('assert-podman-pre-args run'));
  t.true(holds('assert-podman-stop-args rm -v -f -i systemd-%N'));
  t.true(holds('assert-podman-stop-post-final-args-regex "^/usr/bin/podman$" --module=/m.conf rm -v -f -i systemd-%N'));
  t.true(holds('assert-podman-stop-post-global-args rm --module=/m.conf'));
  t.false(holds('assert-podman-stop-global-args rm --module=/m.conf'));
  t.true(holds('assert-podman-reload-final-args kill --signal SIGHUP systemd-%N'));
  t.false(holds('assert-podman-reload-args exec'));
});

test('assert-symlink, assert-stderr-contains and assert-failed', (t) => {
  t.true(holds('assert-symlink want.service.wants/web.service ../web.service'));
  t.false(holds('assert-symlink want.service.wants/web.service web.service'));
  t.false(holds('assert-symlink other.service.wants/web.service ../web.service'));
  t.true(holds('assert-stderr-contains "a warning"'));
  t.false(holds('assert-stderr-contains "an error"'));
  t.false(holds('assert-failed'), 'a unit was generated');
  const none = new CheckEvaluator(subject({ unitText: undefined }));
  t.true(holds('assert-failed', none));
  t.true(holds('assert-stderr-contains warning', none));
  t.false(holds('!assert-podman-args --rm', none), 'no unit fails even when inverted');
  t.false(holds('assert-key-is-empty Unit Before', none));
});

test('the unit is read as systemd reads it: continuations, specifiers, refused lines and files', (t) => {
  const read = (unitText: string): CheckEvaluator => new CheckEvaluator(subject({ unitText }));
  const continued = read('[Service]\nExecStart=/usr/bin/podman run \\\n# a comment inside\n  --rm img 100%%\nEnvironment=A=1 \\\n B=2\n');
  t.true(holds('assert-podman-final-args --rm img 100%', continued), '%% is a single %');
  t.true(holds('assert-key-is Service Environment "A=1   B=2"', continued), 'the backslash becomes a space, the next line is stripped');
  const unbalanced = read('[Service]\nExecStart=/usr/bin/podman run "img\nExecStop=-/usr/bin/podman stop "x\n');
  t.false(holds('assert-podman-args run', unbalanced));
  t.false(holds('!assert-podman-args nothing', unbalanced), 'systemd refuses the unit: every check fails, inverted too');
  t.false(holds('assert-podman-stop-args stop', unbalanced), 'a line systemd ignores (prefix -) has no command');
  t.true(holds('!assert-podman-stop-args stop', unbalanced));
  const refused = read('[Unit]\nAfter=a.service\n[Service\nType=notify\n');
  t.deepEqual(refused.unitErrors, ['line 3: invalid section header "[Service"']);
  t.false(holds('assert-key-is Unit After a.service', refused), 'systemd loads nothing of a file it refuses');
  t.false(holds('!assert-key-is Unit After b.service', refused));
});

test('malformed and unknown checks fail rather than throw', (t) => {
  t.false(holds('assert-key-is Unit'));
  t.false(holds('assert-no-such-check a b'));
  t.false(holds('assert-podman-args'));
  const v = evaluateChecks(parseChecks('## assert-key-is Service Type notify\n## assert-podman-args --nope\n'), subject());
  t.false(v.ok);
  t.deepEqual(v.failures.map((f) => f.check.line), [2]);
  t.regex(v.failures[0]!.detail, /ExecStart: "\/usr\/bin\/podman"/);
});
