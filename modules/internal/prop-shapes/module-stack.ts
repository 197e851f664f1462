/** Shapes of ModuleStack's props. */
import type { ModuleStackProps, ModuleVariableOptions } from '../../module-stack';
import { o, r, shapeOf } from '../known-props';

export const ModuleStackShape = shapeOf<ModuleStackProps>('ModuleStackProps', { providerAliases: o(), awsVersionConstraint: o() });
export const ModuleVariableShape = shapeOf<ModuleVariableOptions>('ModuleVariableOptions', {
  type: r(),
  description: r(),
  default: o(),
  nullable: o(),
  sensitive: o(),
  validation: o(),
});
