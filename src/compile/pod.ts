/** Compiles a .pod definition. (Not yet written: reports the definition as unsupported.) */
import { DefinitionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import type { CompiledUnit } from './compiled.js';
import { serviceNameOf, type CompileContext } from './context.js';

export function compilePod(def: Definition, _ctx: CompileContext): CompiledUnit {
  const error = new DefinitionError({ file: def.unit.path, line: 1 }, '.pod definitions are not supported yet');
  return { definition: def, serviceName: serviceNameOf(def), service: def.unit, errors: [error], warnings: [] };
}
