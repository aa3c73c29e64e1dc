/**
 * An error meant for the person at the terminal: its message is one line that
 * names the problem and the fix, and the CLI prints it without a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
