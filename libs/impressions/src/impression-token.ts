import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** One HMAC key; the first key of a signer signs, all of them verify, so keys rotate without breaking links. */
export interface SigningKey {
  id: string;
  secret: string;
}

export interface ImpressionClaims {
  adId: string;
  impressionId: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
  /** The partner that asked for the link (its clicks are archived under it); absent in links signed before. */
  partnerId?: string;
  /** When the link was signed (ms); absent in links signed before it was recorded. */
  issuedAt?: number;
  /** The impression was requested for a bot (the user agent the ad server passed on); absent: not known to be. */
  bot?: boolean;
}

export type TokenRejection = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired';

export type VerifyResult = { ok: true; claims: ImpressionClaims } | { ok: false; reason: TokenRejection };

export interface SignedImpression extends ImpressionClaims {
  token: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IMPRESSION_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const AD_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Tokens are short; anything longer is rejected before any HMAC work. */
const MAX_TOKEN_LENGTH = 1024;

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Signs and verifies click tokens: `<keyId>.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`, the MAC taken over
 * `<keyId>.<claims>`. Pure apart from the injectable clock and id source.
 */
export class ImpressionTokenSigner {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: SigningKey;

  constructor(
    keys: readonly SigningKey[],
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly newId: () => string = randomUUID,
  ) {
    if (keys.length === 0) throw new Error('at least one signing key is required');
    for (const k of keys) {
      if (!KEY_ID.test(k.id)) throw new Error(`signing key id "${k.id}" must match ${KEY_ID.source}`);
    }
    this.current = keys[0];
    this.keys = new Map(keys.map((k) => [k.id, Buffer.from(k.secret, 'utf8')]));
  }

  sign(
    adId: string,
    partnerId?: string,
    impressionId: string = this.newId(),
    flags: { bot?: boolean } = {},
  ): SignedImpression {
    if (!AD_ID.test(adId)) throw new Error(`adId "${adId}" is not a valid ad id`);
    if (partnerId !== undefined && !AD_ID.test(partnerId)) throw new Error(`partnerId "${partnerId}" is not valid`);
    if (!IMPRESSION_ID.test(impressionId)) throw new Error(`impressionId "${impressionId}" is not valid`);
    const issuedAt = this.clock();
    const expiresAt = issuedAt + this.ttlMs;
    const claims = {
      a: adId,
      i: impressionId,
      x: expiresAt,
      t: issuedAt,
      ...(partnerId === undefined ? {} : { p: partnerId }),
      ...(flags.bot ? { b: 1 } : {}),
    };
    const body = `${this.current.id}.${b64url(JSON.stringify(claims))}`;
    const token = `${body}.${b64url(this.mac(this.current.id, body))}`;
    return { adId, impressionId, expiresAt, partnerId, issuedAt, ...(flags.bot ? { bot: true } : {}), token };
  }

  verify(token: string): VerifyResult {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [keyId, claims, signature] = parts;
    if (!this.keys.has(keyId)) return { ok: false, reason: 'unknown_key' };
    const expected = this.mac(keyId, `${keyId}.${claims}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad_signature' };
    }
    const decoded = decodeClaims(claims);
    if (!decoded) return { ok: false, reason: 'malformed' };
    if (decoded.expiresAt <= this.clock()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: decoded };
  }

  private mac(keyId: string, body: string): Buffer {
    const secret = this.keys.get(keyId);
    if (!secret) throw new Error(`no signing key ${keyId}`);
    return createHmac('sha256', secret).update(body).digest();
  }
}

function decodeClaims(encoded: string): ImpressionClaims | null {
  try {
    const c = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { a, i, x, p, t, b } = c;
    if (typeof a !== 'string' || !AD_ID.test(a)) return null;
    if (typeof i !== 'string' || !IMPRESSION_ID.test(i)) return null;
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) return null;
    if (p !== undefined && (typeof p !== 'string' || !AD_ID.test(p))) return null;
    if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t))) return null;
    const claims: ImpressionClaims = { adId: a, impressionId: i, expiresAt: x };
    if (p !== undefined) claims.partnerId = p;
    if (t !== undefined) claims.issuedAt = t;
    if (b === 1) claims.bot = true;
    return claims;
  } catch {
    return null;
  }
}
