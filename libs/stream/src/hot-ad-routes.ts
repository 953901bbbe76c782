import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { HotAdTable } from '@clicks/routing';
import { HotAdRegistry } from './hot-ad-registry';
import { ClicksRedis, REDIS } from './redis-client';

/**
 * The hot-ad table that intake routes with: loaded at start, reloaded at once when a change is announced on the
 * control bus, and polled every HOT_ADS_REFRESH_MS in case an announcement was missed.
 */
@Injectable()
export class HotAdRoutes implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(HotAdRoutes.name);
  private readonly registry: HotAdRegistry;
  private table = new HotAdTable();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: ClicksRedis,
  ) {
    this.registry = new HotAdRegistry(redis);
  }

  get current(): HotAdTable {
    return this.table;
  }

  onApplicationBootstrap(): void {
    void this.reload();
    this.timer = setInterval(() => void this.reload(), this.config.hotAds.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    try {
      this.table = await this.registry.load();
    } catch (e) {
      this.log.debug(`hot-ad reload failed, keeping the last table: ${String(e)}`);
    }
  }
}
