/** The error thrown for bad props; `problems` holds one line per finding. */
export class ValidationError extends Error {
  constructor(
    message: string,
    public readonly problems: string[],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}
