/**
 * The trust rule itself, without I/O, so that the generator can apply it without loading the checkpoint
 * store (src/checkpoint/trust.ts, which re-exports it, says why the rule is what it is).
 */
const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

/** What trust looks at of a file or folder (a subset of fs.Stats, so that tests can make them). */
export interface Ownership {
  readonly uid: number;
  readonly mode: number;
}

/** root, or the user berth runs as. */
export function trustedUid(uid: number, euid: number = process.geteuid?.() ?? 0): boolean {
  return uid === 0 || uid === euid;
}

export function owners(euid: number): string {
  return euid === 0 ? 'root' : `root or uid ${euid}`;
}

/**
 * Why berth cannot trust a file or folder it is to read or write in (`what` names it), or undefined when
 * it can. `ancestor` folders may be writable by others when sticky: no one else can then rename or remove
 * the trusted entries in them.
 */
export function distrust(what: string, st: Ownership, opts: { ancestor?: boolean; euid?: number } = {}): string | undefined {
  const euid = opts.euid ?? process.geteuid?.() ?? 0;
  if (!trustedUid(st.uid, euid)) return `${what} belongs to uid ${st.uid}, not ${owners(euid)}`;
  if ((st.mode & WRITABLE_BY_OTHERS) !== 0 && !(opts.ancestor && (st.mode & STICKY) !== 0)) {
    return `${what} can be written by ${(st.mode & 0o002) !== 0 ? 'anyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

