/** The error thrown for bad props; `problems` holds one line per finding. */
export class ValidationError extends Error {
  constructor(
    message: string,
    /** One line per finding, each `<construct path>: <finding>`. */
    public readonly problems: string[],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}
