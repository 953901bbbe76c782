import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickLimits, FieldError, parseClick } from '@clicks/events';
import { ShardRouter } from '@clicks/routing';
import { ClickStreamWriter, ClicksRedis, REDIS } from '@clicks/stream';
import { EnqueueUnavailableError } from './intake-errors';

export type IntakeResult =
  | { status: 'accepted'; eventId: string; shard: number }
  | { status: 'duplicate'; eventId: string; shard: number }
  | { status: 'rejected'; error: FieldError };

/** The one path every click takes into the system: validate, route to its shard, de-dup and append atomically. */
@Injectable()
export class ClickIntakeService {
  private readonly router: ShardRouter;
  private readonly writer: ClickStreamWriter;
  private readonly limits: ClickLimits;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: ClicksRedis,
  ) {
    this.router = new ShardRouter(config.shards.count);
    this.writer = new ClickStreamWriter(redis, config.intake.dedupHorizonSeconds);
    this.limits = { maxFutureSkewMs: config.intake.maxFutureSkewMs, maxAgeMs: config.intake.retentionMs };
  }

  /** Resolves only once the click is stored in its shard stream (or known as a duplicate). */
  async accept(input: unknown, now = Date.now()): Promise<IntakeResult> {
    const parsed = parseClick(input, now, this.limits);
    if (!parsed.ok) return { status: 'rejected', error: parsed.error };
    const event = parsed.event;
    const shard = this.router.shardFor(event.adId, event.eventId);
    const outcome = await this.withTimeout(this.writer.append({ shard, event }));
    return { status: outcome === 'appended' ? 'accepted' : 'duplicate', eventId: event.eventId, shard };
  }

  private async withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EnqueueUnavailableError('Redis did not answer in time')),
        this.config.intake.enqueueTimeoutMs,
      );
    });
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      throw e instanceof EnqueueUnavailableError
        ? e
        : new EnqueueUnavailableError(e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
  }
}
