import test from 'ava';
import { parseTimeSpan } from '../../src/compile/checkpoint-settings.js';
import { compileOne } from '../helpers/definitions.js';

const web = (checkpoint: string) => `[Container]\nImage=localhost/busybox\n[Checkpoint]\n${checkpoint}\n`;

test('time spans are read as systemd reads them, in seconds', (t) => {
  t.is(parseTimeSpan('90'), 90);
  t.is(parseTimeSpan('90s'), 90);
  t.is(parseTimeSpan('1min 30s'), 90);
  t.is(parseTimeSpan('1m30s'), 90);
  t.is(parseTimeSpan(' 2h '), 7200);
  t.is(parseTimeSpan('1.5s'), 1.5);
  t.is(parseTimeSpan('500ms'), 0.5);
  t.is(parseTimeSpan('1M'), 2629800, 'M is months, as in systemd');
  for (const bad of ['', 's', '1 parsec', '-5s', 'infinity', '1S', '1s x']) t.is(parseTimeSpan(bad), undefined, bad);
});

test('OnStop= and OnStopTimeoutSec= that are not a boolean and a time span are errors naming file, line and key', (t) => {
  const { errors } = compileOne('web.container', web('OnStop=maybe\nOnStopTimeoutSec=soon'));
  t.deepEqual(errors, [
    '/etc/berth/definitions/web.container:5:1: OnStopTimeoutSec: "soon" is not a time span above zero (e.g. 90, 90s, 2min)',
    '/etc/berth/definitions/web.container:4:1: OnStop: "maybe" is not a boolean (use yes or no)',
  ]);
  t.regex(compileOne('web.container', web('OnStopTimeoutSec=0')).errors.join('\n'), /web\.container:4:1: OnStopTimeoutSec: "0" is not a time span above zero/);
});
