import { hashSecret, mintKey, parseKey } from './api-key';
import { authenticate, StoredKey } from './principal';

const counting = (n: number) => Buffer.alloc(n, 7);

describe('api keys', () => {
  it('mints a key whose id and secret parse back, and stores only the secret hash', () => {
    const minted = mintKey('partner', counting);
    expect(minted.keyId).toBe('ckp_0707070707070707');
    const parsed = parseKey(minted.key);
    expect(parsed).toEqual({ kind: 'partner', keyId: minted.keyId, secret: minted.key.split('.')[1] });
    expect(minted.secretHash).toBe(hashSecret(parsed!.secret));
    expect(minted.secretHash).not.toContain(parsed!.secret);
    expect(mintKey('advertiser').keyId).toMatch(/^cka_[0-9a-f]{16}$/);
    expect(mintKey('advertiser').key).not.toBe(mintKey('advertiser').key);
  });

  it.each([
    ['', null],
    ['ckp_0707070707070707', null],
    ['ckx_0707070707070707.' + 'a'.repeat(43), null],
    ['ckp_070707070707070.' + 'a'.repeat(43), null],
    ['ckp_0707070707070707.' + 'a'.repeat(42), null],
    ['cka_0707070707070707.' + 'a'.repeat(43), 'advertiser'],
  ])('parses %j as %j', (text, kind) => {
    expect(parseKey(text)?.kind ?? null).toBe(kind);
  });
});

describe('authenticate', () => {
  const partner = mintKey('partner', counting);
  const advertiser = mintKey('advertiser');
  const revoked = mintKey('partner');
  const stored = new Map<string, StoredKey>([
    [
      partner.keyId,
      { keyId: partner.keyId, kind: 'partner', ownerId: 'p1', secretHash: partner.secretHash, createdAt: 1 },
    ],
    [
      advertiser.keyId,
      { keyId: advertiser.keyId, kind: 'advertiser', ownerId: 'a1', secretHash: advertiser.secretHash, createdAt: 1 },
    ],
    [
      revoked.keyId,
      {
        keyId: revoked.keyId,
        kind: 'partner',
        ownerId: 'p1',
        secretHash: revoked.secretHash,
        createdAt: 1,
        revokedAt: 2,
      },
    ],
  ]);
  const lookup = (keyId: string) => Promise.resolve(stored.get(keyId) ?? null);
  const wrongSecret = `${partner.keyId}.${'b'.repeat(43)}`;

  it.each([
    ['no header', undefined, ['partner'], 'missing_key'],
    ['empty header', '', ['partner'], 'missing_key'],
    ['basic auth', 'Basic YTpi', ['partner'], 'malformed_key'],
    ['not our key', 'Bearer hello', ['partner'], 'malformed_key'],
    ['unknown id', `Bearer ckp_${'1'.repeat(16)}.${'a'.repeat(43)}`, ['partner'], 'unknown_key'],
    ['wrong secret', `Bearer ${wrongSecret}`, ['partner'], 'unknown_key'],
    ['revoked', `Bearer ${revoked.key}`, ['partner'], 'revoked_key'],
    ['wrong kind', `Bearer ${advertiser.key}`, ['partner'], 'wrong_key_kind'],
    ['empty admin token never matches', 'Bearer ', ['partner'], 'malformed_key'],
  ])('refuses %s', async (_name, header, kinds, code) => {
    await expect(authenticate(header, kinds as ['partner'], '', lookup)).rejects.toMatchObject({ code });
  });

  it.each([
    ['the admin token', 'Bearer s3cret-admin', ['partner'], { kind: 'admin' }],
    ['a partner key', `Bearer ${partner.key}`, ['partner'], { kind: 'partner', partnerId: 'p1', keyId: partner.keyId }],
    ['an advertiser key', `Bearer ${advertiser.key}`, ['advertiser'], { kind: 'advertiser', advertiserId: 'a1' }],
  ])('admits %s', async (_name, header, kinds, principal) => {
    await expect(authenticate(header, kinds as ['partner'], 's3cret-admin', lookup)).resolves.toMatchObject(principal);
  });

  it('answers 401 for bad credentials and 403 for a valid key of the wrong kind, never echoing the secret', async () => {
    const err = await authenticate(`Bearer ${advertiser.key}`, ['partner'], '', lookup).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403 });
    const bad = await authenticate(`Bearer ${wrongSecret}`, ['partner'], '', lookup).catch((e: Error) => e);
    expect(bad).toMatchObject({ status: 401 });
    expect((bad as Error).message).not.toContain('b'.repeat(43));
  });
});
