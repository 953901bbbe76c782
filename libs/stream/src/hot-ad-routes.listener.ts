import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { CONTROL_EVENTS } from './control-bus';
import { HotAdRoutes } from './hot-ad-routes';

/** Reloads the hot-ad table as soon as an SRE change is announced on the control bus. */
@Controller()
export class HotAdRoutesListener {
  constructor(private readonly routes: HotAdRoutes) {}

  @EventPattern(CONTROL_EVENTS.hotAdsChanged)
  async onChange(): Promise<void> {
    await this.routes.reload();
  }
}
