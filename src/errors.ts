/** Where in a definition a problem sits: every definition error names file, line and (when known) key. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
  key?: string;
  /** The definition the problem belongs to, when `file` is one of its drop-ins. */
  definition?: string;
}

/** A problem in a definition file: bad syntax, an unknown key, a value podman would refuse. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  constructor(
    readonly location: SourceLocation,
    readonly detail: string,
  ) {
    super(formatLocation(location) + detail);
  }
}

/** A key or value that the target podman lacks, naming the version that brought it. */
export class VersionError extends DefinitionError {
  constructor(
    location: SourceLocation,
    detail: string,
    readonly needed: string,
  ) {
    super(location, detail);
  }
}

/** A failed call of an external program (podman, systemctl, criu). */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    message?: string,
  ) {
    super(message ?? `${argv.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim()}`);
  }
}

/** The user asked for something berth cannot do as asked (bad flag, missing file). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A definition `berth import --install` or `berth install` may not write (one of that name is there, and
 * --replace was not given; it has problems; the folder cannot be written), or one `berth rm` may not remove.
 */
export class InstallError extends Error {
  override readonly name = 'InstallError';
}

/**
 * How a problem with a definition is written, the one place that knows. 'compiler' (berth validate):
 * FILE:LINE:COLUMN: KEY: message. 'journal' (the generator's log): in quadlet's wording, `converting
 * "web.container": message (at FILE:LINE:COLUMN, key KEY)`, so that journal searches written for quadlet
 * keep working; a warning is not a refusal and says only where it stands.
 */
export function formatProblem(p: DefinitionError, style: 'compiler' | 'journal', severity: 'error' | 'warning' = 'error'): string {
  if (style === 'compiler') return p.message;
  const { file, line, column, key, definition } = p.location;
  const where = `${file}${line ? `:${line}` : ''}${line && column ? `:${column}` : ''}${key ? `, key ${key}` : ''}`;
  if (severity === 'warning') return `${p.detail} (at ${where})`;
  return `converting "${definition ?? file.slice(file.lastIndexOf('/') + 1)}": ${p.detail} (at ${where})`;
}

/** FILE:LINE:COLUMN: KEY: — line 0 stands for the file as a whole (too big, not text, not a regular file). */
export function formatLocation(loc: SourceLocation): string {
  const where = loc.line === 0 ? loc.file : loc.column ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
  return loc.key ? `${where}: ${loc.key}: ` : `${where}: `;
}

/** Why a checkpoint operation was refused or failed, for callers that react differently (e.g. `locked`: skip). */
export type CheckpointErrorCode = 'locked' | 'verify' | 'exists' | 'invalid' | 'untrusted' | 'incompatible';

/**
 * A checkpoint could not be stored or read: another run of the same container holds the lock (`locked`), an
 * exported archive failed verification (`verify`), an archive of that name already exists (`exists`), or a
 * name, setting or folder is unusable (`invalid`), or a folder or archive is not root's (or the user's) alone
 * (`untrusted`, checkpoint/trust.ts), or an archive cannot be restored on this host (`incompatible`,
 * checkpoint/restore-plan.ts). File-system errors (ENOSPC, EIO) are passed on as they are.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `berth adopt` did not take the container under systemd. `left` says, in a sentence, what became of it:
 * running as before, or restored as it was from the archive (and where that archive is).
 */
export class AdoptError extends Error {
  override readonly name = 'AdoptError';
  constructor(
    message: string,
    readonly left: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}; ${left}`, options);
  }
}

/**
 * Why a D-Bus exchange failed: no bus to connect to (`unavailable`), no reply in time (`timeout`), the
 * connection went away (`disconnected`), or the peer answered with an error (`remote`, its D-Bus error
 * name in `remoteName`, e.g. org.freedesktop.DBus.Error.AccessDenied).
 */
export type BusErrorCode = 'unavailable' | 'timeout' | 'disconnected' | 'remote';

export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: BusErrorCode,
    message: string,
    readonly remoteName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
