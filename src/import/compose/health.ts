/**
 * healthcheck: → HealthCmd= and its timings. podman's --health-cmd reads a JSON array as an exec form and
 * any other text as a shell command (CMD-SHELL), and `none` turns the image's check off, so each compose
 * form is written as the one podman reads the same way.
 */
import { durationMs } from './durations.js';
import type { Parts } from './parts.js';
import type { Node } from './tree.js';
import type { Values } from './values.js';

const TIMINGS: Readonly<Record<string, string>> = {
  interval: '--health-interval',
  timeout: '--health-timeout',
  start_period: '--health-start-period',
};

/** The --health-cmd value of a compose `test:`. */
function healthCmd(v: Values, test: Node): string {
  if (test.kind !== 'seq') return v.text(test);
  const [form, ...args] = v.items(test).map((i) => v.text(i));
  if (form === 'NONE') return 'none';
  if (form === 'CMD-SHELL' && args.length === 1) return args[0]!;
  // A one-word array would be read as a shell command: the same command, run by the shell.
  if (form === 'CMD' && args.length > 0) return args.length === 1 ? args[0]! : JSON.stringify(args);
  return v.fail(test.at, 'test: a list starts with CMD, CMD-SHELL (and one command) or NONE');
}

export function healthcheck(v: Values, parts: Parts, node: Node): void {
  const disable = v.entries(node).find((e) => e.key === 'disable' && v.bool(e.value));
  // Off is off, whatever else the check says (compose ignores the rest too).
  if (disable) return parts.flag(disable.at, '--health-cmd', 'none');
  for (const e of v.entries(node)) {
    if (e.key.startsWith('x-') || e.key === 'disable') continue;
    if (e.key === 'test') parts.flag(e.at, '--health-cmd', healthCmd(v, e.value));
    else if (e.key === 'retries') parts.flag(e.at, '--health-retries', String(v.integer(e.value)));
    else if (TIMINGS[e.key]) {
      const t = v.text(e.value);
      if (durationMs(t) === undefined) v.fail(e.value.at, `"${t}" is no duration (e.g. 1m30s)`);
      parts.flag(e.at, TIMINGS[e.key]!, t);
    } else if (e.key === 'start_interval') parts.report(e.at, 'no Quadlet key: podman checks at HealthInterval= during the start period too');
    else parts.report(e.at, 'unknown healthcheck key, left out');
  }
}
