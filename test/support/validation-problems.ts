import { ValidationError } from '../../modules';

/** The problems of the ValidationError that `build` throws; fails when it throws nothing or something else. */
export function problems(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a ValidationError');
}
