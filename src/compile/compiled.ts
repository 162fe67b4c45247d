import type { DefinitionError } from '../errors.js';
import type { Definition } from './definition.js';
import type { UnitFile } from '../unit/unit-file.js';
import type { ExtraUnit } from './checkpoint.js';

/** A compiler's result: the service (meaningful only when errors is empty) and every problem found. */
export interface CompiledUnit {
  readonly definition: Definition;
  /** Without .service. */
  readonly serviceName: string;
  readonly service: UnitFile;
  readonly errors: readonly DefinitionError[];
  /** Things that work but deserve a word: the unit is still generated. */
  readonly warnings: readonly DefinitionError[];
  /** More units the definition needs (a checkpoint timer and service). */
  readonly extraUnits?: readonly ExtraUnit[];
  /** Comment lines for the service's header (KindOutput.notes). */
  readonly notes?: readonly string[];
}
