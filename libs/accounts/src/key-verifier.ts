import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClicksRedis, RedisConnection, StaleOnErrorCache } from '@clicks/stream';
import { KeyKind } from './api-key';
import { AccountStore, KEY_REVOCATIONS_CHANNEL } from './account-store';
import { authenticate, Principal, StoredKey } from './principal';

const MAX_CACHED_KEYS = 100_000;

/**
 * Establishes who calls. Keys are looked up in Redis and cached for KEY_CACHE_TTL_MS; a revocation is announced on
 * a channel and drops the cached key on every process at once, and the TTL bounds how long a missed announcement
 * matters. While Redis is away cached keys keep working (and revocations wait for Redis).
 */
@Injectable()
export class KeyVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(KeyVerifier.name);
  private readonly cache: StaleOnErrorCache<StoredKey | null>;
  private subscriber: ClicksRedis | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: AccountStore,
    private readonly connection: RedisConnection,
  ) {
    this.cache = new StaleOnErrorCache(config.auth.keyCacheTtlMs, MAX_CACHED_KEYS);
  }

  onModuleInit(): void {
    const sub = this.connection.dedicated('clicks-keys-subscriber');
    this.subscriber = sub;
    sub.on('message', (_channel: string, keyId: string) => this.cache.forget(keyId));
    // Announcements sent while we were away are lost: re-check every cached key on its next use.
    sub.on('ready', () => this.cache.expireAll());
    sub.subscribe(KEY_REVOCATIONS_CHANNEL).catch((e: unknown) => {
      this.log.warn(`key revocation subscription failed (the key cache falls back to its TTL): ${String(e)}`);
    });
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  /** The caller behind an `Authorization` header; throws AuthError (401/403) otherwise. */
  authenticate(header: string | undefined, allowed: readonly KeyKind[]): Promise<Principal> {
    return authenticate(header, allowed, this.config.admin.token, (keyId) =>
      this.cache.get(keyId, () => this.store.findKey(keyId)),
    );
  }
}
