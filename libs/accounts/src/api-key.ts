import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a key speaks for: a partner sends clicks, an advertiser reads its own numbers. */
export const KEY_KINDS = ['partner', 'advertiser'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

const PREFIX: Record<KeyKind, string> = { partner: 'ckp', advertiser: 'cka' };
// `<prefix>_<16 hex>.<43 base64url>`: the id part is looked up, the secret (256 random bits) only ever hashed.
const KEY_TEXT = /^(ckp|cka)_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface MintedKey {
  keyId: string;
  /** Shown once to whoever created it; never stored. */
  key: string;
  secretHash: string;
}

export interface ParsedKey {
  kind: KeyKind;
  keyId: string;
  secret: string;
}

/**
 * A fresh key. Its secret is 256 random bits, so a plain SHA-256 is as strong as a slow password hash would be and
 * costs microseconds per request.
 */
export function mintKey(kind: KeyKind, random: (n: number) => Buffer = randomBytes): MintedKey {
  const keyId = `${PREFIX[kind]}_${random(8).toString('hex')}`;
  const secret = random(32).toString('base64url');
  return { keyId, key: `${keyId}.${secret}`, secretHash: hashSecret(secret) };
}

/** The parts of a key this service could have issued, or null for anything else. */
export function parseKey(text: string): ParsedKey | null {
  const m = KEY_TEXT.exec(text);
  if (!m) return null;
  const kind: KeyKind = m[1] === 'ckp' ? 'partner' : 'advertiser';
  return { kind, keyId: `${m[1]}_${m[2]}`, secret: m[3] };
}

export function isKeyId(text: string): boolean {
  return /^(ckp|cka)_[0-9a-f]{16}$/.test(text);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares in constant time, so response times reveal nothing about how much of a secret was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function secretMatches(secret: string, secretHash: string): boolean {
  return sameSecret(hashSecret(secret), secretHash);
}
