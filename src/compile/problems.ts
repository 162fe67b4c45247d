/** A compiler's problems, collected so that one bad key does not hide the others. */
import { DefinitionError } from '../errors.js';

export class Problems {
  readonly errors: DefinitionError[] = [];
  readonly warnings: DefinitionError[] = [];
  /** Keys left out because the target podman lacks them and they only refine what runs (KeyDef.below). */
  readonly dropped = new Set<string>();

  /** Runs fn; a definition error is recorded instead of thrown. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.record(err);
    }
  }

  /** Records a definition error caught by the caller; anything else is a bug and goes on up. */
  record(err: unknown): void {
    if (err instanceof DefinitionError) this.errors.push(err);
    else throw err;
  }
}
