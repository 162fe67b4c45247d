/**
 * Compose's durations are Go's (time.ParseDuration: `1m30s`, `1.5s`, `500ms`), which podman's --health-*
 * flags read too, so those pass on as written; StopTimeout= wants whole seconds.
 */

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;

/** Milliseconds, or undefined when the text is no Go duration. */
export function durationMs(text: string): number | undefined {
  if (text === '0') return 0;
  let total = 0;
  let end = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = PART.lastIndex;
  }
  return end === text.length && end > 0 ? total : undefined;
}

/** Whole seconds, rounded up (a grace period is never shortened). */
export const durationSeconds = (text: string): number | undefined => {
  const ms = durationMs(text);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
};
