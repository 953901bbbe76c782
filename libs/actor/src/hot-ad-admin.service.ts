import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { HotAdEntry } from '@clicks/routing';
import { CONTROL_BUS, CONTROL_EVENTS, HotAdCandidate, HotAdRegistry, RedisConnection } from '@clicks/stream';

const CANDIDATE_MAX_AGE_MS = 60_000;

/** SRE control of hot ads: salting, un-salting, candidates reported by the actors, and optional auto-salting. */
@Injectable()
export class HotAdAdminService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(HotAdAdminService.name);
  private readonly registry: HotAdRegistry;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONTROL_BUS) private readonly bus: ClientProxy,
    redis: RedisConnection,
  ) {
    this.registry = redis.hotAdRegistry();
  }

  onApplicationBootstrap(): void {
    if (!this.config.hotAds.auto) return;
    this.timer = setInterval(() => void this.autoSalt(), Math.max(1000, this.config.aggregation.flushIntervalMs));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async list() {
    return (await this.registry.load()).hotAds();
  }

  async setSalts(adId: string, salts: number): Promise<HotAdEntry> {
    const entry = await this.registry.setSalts(adId, salts);
    await this.announce();
    this.log.log(`ad ${adId} now routes over ${salts} salt(s)`);
    return entry;
  }

  candidates(): Promise<HotAdCandidate[]> {
    return this.registry.candidates(Date.now(), CANDIDATE_MAX_AGE_MS);
  }

  /** Salts every current candidate that is not salted enough yet (idempotent across workers). */
  private async autoSalt(): Promise<void> {
    try {
      const table = await this.registry.load();
      for (const c of await this.candidates()) {
        if (table.saltsFor(c.adId) < this.config.hotAds.autoSalts) {
          await this.setSalts(c.adId, this.config.hotAds.autoSalts);
        }
      }
    } catch (e) {
      this.log.warn(`auto-salting failed: ${String(e)}`);
    }
  }

  /** Tells every intake to reload now; intakes also poll, so a lost message only delays the change. */
  private async announce(): Promise<void> {
    await lastValueFrom(this.bus.emit(CONTROL_EVENTS.hotAdsChanged, { at: Date.now() }), {
      defaultValue: undefined,
    }).catch((e: unknown) => this.log.warn(`could not announce the hot-ad change: ${String(e)}`));
  }
}
