/** How the berth command and the generator entry turn an error into a message and an exit status. */
import { AdoptError, BusError, CheckpointError, DefinitionError, EngineError, InstallError, UsageError } from '../errors.js';

/** Writes the message of an error berth expects and returns its exit status; anything else is rethrown. */
export function exitStatusFor(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return 2;
  }
  if (err instanceof DefinitionError || err instanceof EngineError || err instanceof CheckpointError || err instanceof BusError || err instanceof InstallError || err instanceof AdoptError) {
    process.stderr.write(`berth: ${err.message}\n`);
    return 1;
  }
  throw err;
}
