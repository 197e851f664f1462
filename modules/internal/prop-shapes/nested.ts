/** Nesting of shapes: an object or an array of objects of a shape. */
import { type Nested, type Shape } from '../known-props';

export const object = (shape: Shape): Nested => ({ object: shape });
export const arrayOf = (shape: Shape): Nested => ({ arrayOf: shape });
