import { Inject, Injectable } from '@nestjs/common';
import { ClicksRedis, REDIS } from '@clicks/stream';
import { KeyKind, MintedKey } from './api-key';
import { StoredKey } from './principal';

// Every account key shares the `{acct}` hash tag: one slot of a Redis Cluster, so a MULTI may span them.
const advertiserKey = (id: string) => `clicks:{acct}:advertiser:${id}`;
const apiKeyKey = (keyId: string) => `clicks:{acct}:key:${keyId}`;
const ownerKeysKey = (kind: KeyKind, ownerId: string) => `clicks:{acct}:keys:${kind}:${ownerId}`;
/** Every process listens here and forgets its cached copy of a revoked key at once. */
export const KEY_REVOCATIONS_CHANNEL = 'clicks:keys:revoked';

export interface Advertiser {
  advertiserId: string;
  name: string;
  createdAt: number;
}

export interface KeySummary {
  keyId: string;
  createdAt: number;
  revokedAt?: number;
}

/** Advertisers and the partner and advertiser keys, in Redis. A key's secret is stored only as its hash. */
@Injectable()
export class AccountStore {
  constructor(@Inject(REDIS) private readonly redis: ClicksRedis) {}

  async putAdvertiser(advertiserId: string, name: string, now: number): Promise<{ created: boolean }> {
    const key = advertiserKey(advertiserId);
    const [[, created]] = (await this.redis
      .multi()
      .hsetnx(key, 'createdAt', String(now))
      .hset(key, 'name', name)
      .exec()) as [[Error | null, number]];
    return { created: created === 1 };
  }

  async getAdvertiser(advertiserId: string): Promise<Advertiser | null> {
    const h = await this.redis.hgetall(advertiserKey(advertiserId));
    if (h.createdAt === undefined) return null;
    return { advertiserId, name: h.name ?? '', createdAt: Number(h.createdAt) };
  }

  async saveKey(kind: KeyKind, ownerId: string, minted: MintedKey, now: number): Promise<void> {
    await this.redis
      .multi()
      .hset(apiKeyKey(minted.keyId), {
        kind,
        ownerId,
        secretHash: minted.secretHash,
        createdAt: String(now),
      })
      .sadd(ownerKeysKey(kind, ownerId), minted.keyId)
      .exec();
  }

  async findKey(keyId: string): Promise<StoredKey | null> {
    const h = await this.redis.hgetall(apiKeyKey(keyId));
    if (h.secretHash === undefined || (h.kind !== 'partner' && h.kind !== 'advertiser')) return null;
    const stored: StoredKey = {
      keyId,
      kind: h.kind,
      ownerId: h.ownerId ?? '',
      secretHash: h.secretHash,
      createdAt: Number(h.createdAt),
    };
    if (h.revokedAt !== undefined) stored.revokedAt = Number(h.revokedAt);
    return stored;
  }

  async listKeys(kind: KeyKind, ownerId: string): Promise<KeySummary[]> {
    const ids = await this.redis.smembers(ownerKeysKey(kind, ownerId));
    const keys = await Promise.all(ids.map((id) => this.findKey(id)));
    return keys
      .filter((k): k is StoredKey => k !== null)
      .map((k) => ({ keyId: k.keyId, createdAt: k.createdAt, revokedAt: k.revokedAt }))
      .sort((a, b) => a.createdAt - b.createdAt || a.keyId.localeCompare(b.keyId));
  }

  /**
   * Marks the owner's key revoked (kept, so a late caller hears "revoked" rather than "unknown") and tells every
   * process; false when the owner has no such key.
   */
  async revokeKey(kind: KeyKind, ownerId: string, keyId: string, now: number): Promise<boolean> {
    const stored = await this.findKey(keyId);
    if (!stored || stored.kind !== kind || stored.ownerId !== ownerId) return false;
    await this.redis
      .multi()
      .hsetnx(apiKeyKey(keyId), 'revokedAt', String(now))
      .publish(KEY_REVOCATIONS_CHANNEL, keyId)
      .exec();
    return true;
  }
}
