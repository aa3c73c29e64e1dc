/**
 * `tripod show LOG | head` closes the pipe early: that is the reader being done,
 * not an error, so the command ends quietly with 0.
 */
export function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
