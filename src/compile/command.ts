/** An argv under construction: the podman command line of one unit's ExecStart (or ExecStop …). */
export class Command {
  readonly args: string[];

  constructor(...args: string[]) {
    this.args = [...args];
  }

  add(...args: string[]): this {
    return this.addAll(args);
  }

  /** Adds words read from a definition, however many (a spread of a huge list would overflow the stack). */
  addAll(args: readonly string[]): this {
    for (const a of args) this.args.push(a);
    return this;
  }

  /** `--flag` when true, `--flag=false` when false: podman's way of overriding a containers.conf default. */
  addBool(flag: string, value: boolean): this {
    return this.add(value ? flag : `${flag}=false`);
  }

  /** One `flag K=V` per pair, sorted by key so output is stable; a bare key (no `=`) is passed as is. */
  addKeyVals(flag: string, pairs: ReadonlyMap<string, string | undefined>): this {
    for (const k of [...pairs.keys()].sort()) {
      const v = pairs.get(k);
      this.add(flag, v === undefined ? k : `${k}=${v}`);
    }
    return this;
  }
}
