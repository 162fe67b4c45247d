/**
 * Generator logging: systemd runs generators early, often before the journal, so messages go to the
 * kernel log (/dev/kmsg) when it can be written, as quadlet does; otherwise to stderr.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
}

export function stderrLogger(prefix: string): Logger {
  return {
    error: (m) => process.stderr.write(`${prefix}${m}\n`),
    warn: (m) => process.stderr.write(`${prefix}${m}\n`),
  };
}

export function kmsgLogger(ident: string): Logger | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/kmsg', 'w');
  } catch {
    return undefined;
  }
  process.once('exit', () => closeSync(fd));
  const write = (level: number, m: string): void => {
    // kmsg takes one record per write; long lines are cut by the kernel, so split them.
    for (const line of m.split('\n')) writeSync(fd, `<${level}>${ident}[${process.pid}]: ${line}\n`);
  };
  return { error: (m) => write(3, m), warn: (m) => write(4, m) };
}
