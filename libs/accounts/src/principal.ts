import { KeyKind, parseKey, sameSecret, secretMatches } from './api-key';

/** Who is calling, as established from the `Authorization` header. */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'partner'; partnerId: string; keyId: string }
  | { kind: 'advertiser'; advertiserId: string; keyId: string };

/** Who sent a click, as archived with it: the partner of a partner key, or `admin` for the admin token. */
export function partnerOf(principal: Principal | undefined): string {
  return principal?.kind === 'partner' ? principal.partnerId : 'admin';
}

/** A key as stored: only the hash of its secret. */
export interface StoredKey {
  keyId: string;
  kind: KeyKind;
  ownerId: string;
  secretHash: string;
  createdAt: number;
  revokedAt?: number;
}

export type AuthErrorCode = 'missing_key' | 'malformed_key' | 'unknown_key' | 'revoked_key' | 'wrong_key_kind';

/** Why a request was refused; the message names what was wrong and never echoes the key. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export type KeyLookup = (keyId: string) => Promise<StoredKey | null>;

const KIND_LABEL: Record<KeyKind, string> = { partner: 'a partner key', advertiser: 'an advertiser key' };

/**
 * The principal behind `Authorization: Bearer <token>`: the admin token, or a live key of one of the `allowed`
 * kinds. 401 when no valid credential was given, 403 for a valid key of the wrong kind.
 */
export async function authenticate(
  header: string | undefined,
  allowed: readonly KeyKind[],
  adminToken: string,
  lookup: KeyLookup,
): Promise<Principal> {
  const wanted = [...allowed.map((k) => KIND_LABEL[k]), 'the admin token'].join(' or ');
  if (header === undefined || header === '') {
    throw new AuthError(401, 'missing_key', `Authorization: Bearer <key> required (${wanted})`);
  }
  const bearer = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  if (!bearer) throw new AuthError(401, 'malformed_key', 'Authorization: expected "Bearer <key>"');
  const token = bearer[1];
  if (adminToken !== '' && sameSecret(token, adminToken)) return { kind: 'admin' };
  const parsed = parseKey(token);
  if (!parsed) throw new AuthError(401, 'malformed_key', 'Authorization: not a key issued by this service');
  const stored = await lookup(parsed.keyId);
  if (!stored || stored.kind !== parsed.kind || !secretMatches(parsed.secret, stored.secretHash)) {
    throw new AuthError(401, 'unknown_key', `Authorization: unknown key ${parsed.keyId}`);
  }
  if (stored.revokedAt !== undefined) {
    throw new AuthError(401, 'revoked_key', `Authorization: key ${parsed.keyId} was revoked`);
  }
  if (!allowed.includes(stored.kind)) {
    throw new AuthError(403, 'wrong_key_kind', `Authorization: this endpoint needs ${wanted}`);
  }
  return stored.kind === 'partner'
    ? { kind: 'partner', partnerId: stored.ownerId, keyId: stored.keyId }
    : { kind: 'advertiser', advertiserId: stored.ownerId, keyId: stored.keyId };
}
