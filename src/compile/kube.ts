/** Compiles a .kube definition. (Not yet written: reports the definition as unsupported.) */
import { DefinitionError } from '../errors.js';
import type { Definition } from '../model/definition.js';
import type { CompiledUnit } from './compiled.js';
import { serviceNameOf, type CompileContext } from './context.js';

export function compileKube(def: Definition, _ctx: CompileContext): CompiledUnit {
  const error = new DefinitionError({ file: def.unit.path, line: 1 }, '.kube definitions are not supported yet');
  return { definition: def, serviceName: serviceNameOf(def), service: def.unit, errors: [error], warnings: [] };
}
