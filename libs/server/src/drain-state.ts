import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Turns true when shutdown begins, so readiness fails and load balancers stop sending before the server closes. */
@Injectable()
export class DrainState implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
