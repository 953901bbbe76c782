/** The click could not be stored (Redis down or too slow): the caller must retry; nothing was acknowledged. */
export class EnqueueUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`click store unavailable: ${reason}`);
    this.name = 'EnqueueUnavailableError';
  }
}

/** A click token that is forged, tampered with, malformed or expired: the click is not counted. */
export class InvalidClickTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid click token: ${reason}`);
    this.name = 'InvalidClickTokenError';
  }
}

/** The ad is not in the registry. */
export class UnknownAdError extends Error {
  constructor(readonly adId: string) {
    super(`ad ${adId} is not registered`);
    this.name = 'UnknownAdError';
  }
}
