/** The click could not be stored (Redis down or too slow): the caller must retry; nothing was acknowledged. */
export class EnqueueUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`click store unavailable: ${reason}`);
    this.name = 'EnqueueUnavailableError';
  }
}
