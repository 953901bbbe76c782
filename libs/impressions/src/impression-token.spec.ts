import { ImpressionTokenSigner } from './impression-token';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const k1 = { id: 'k1', secret: 'first-secret-0123456789' };
const k0 = { id: 'k0', secret: 'older-secret-0123456789' };

function signer(keys = [k1, k0], now = NOW) {
  return new ImpressionTokenSigner(
    keys,
    60_000,
    () => now,
    () => 'imp-1',
  );
}

function flip(s: string, at: number): string {
  return s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
}

describe('ImpressionTokenSigner', () => {
  it('round-trips adId, impressionId and expiry', () => {
    const s = signer().sign('ad-1');
    expect(s).toMatchObject({ adId: 'ad-1', impressionId: 'imp-1', expiresAt: NOW + 60_000 });
    expect(signer().verify(s.token)).toEqual({
      ok: true,
      claims: { adId: 'ad-1', impressionId: 'imp-1', expiresAt: NOW + 60_000, issuedAt: NOW },
    });
  });

  it('records that a bot asked for the impression, only when one did', () => {
    const bot = signer().sign('ad-1', 'p-1', undefined, { bot: true });
    expect(signer().verify(bot.token)).toMatchObject({ ok: true, claims: { bot: true } });
    const person = signer().verify(signer().sign('ad-1', 'p-1', undefined, { bot: false }).token);
    expect(person.ok && person.claims.bot).toBeFalsy();
  });

  it.each([
    ['names the partner that asked for the link', 'p-1', { partnerId: 'p-1' }],
    ['leaves it out when none was given (links signed before)', undefined, {}],
  ])('%s', (_name, partnerId, extra) => {
    const s = signer().sign('ad-1', partnerId);
    expect(signer().verify(s.token)).toEqual({
      ok: true,
      claims: { adId: 'ad-1', impressionId: 'imp-1', expiresAt: NOW + 60_000, issuedAt: NOW, ...extra },
    });
  });

  it('refuses to sign for a partner id that is not an id', () => {
    expect(() => signer().sign('ad-1', 'bad id')).toThrow('partnerId');
  });

  it('verifies a token signed with the previous key after rotation, and signs with the current one', () => {
    const old = signer([k0]).sign('ad-1');
    expect(signer([k1, k0]).verify(old.token).ok).toBe(true);
    expect(signer([k1, k0]).sign('ad-1').token.startsWith('k1.')).toBe(true);
    expect(signer([k1]).verify(old.token)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('rejects an expired token', () => {
    const t = signer().sign('ad-1').token;
    expect(signer([k1, k0], NOW + 60_000).verify(t)).toEqual({ ok: false, reason: 'expired' });
    expect(signer([k1, k0], NOW + 59_999).verify(t).ok).toBe(true);
  });

  it('rejects tampered claims, signatures and forged keys', () => {
    const t = signer().sign('ad-1').token;
    const [kid, claims, sig] = t.split('.');
    const otherClaims = Buffer.from(JSON.stringify({ a: 'ad-2', i: 'imp-1', x: NOW + 60_000 })).toString('base64url');
    const forged = new ImpressionTokenSigner([{ id: 'k1', secret: 'attacker-secret-123456' }], 60_000, () => NOW);
    const cases: [string, string][] = [
      [`${kid}.${otherClaims}.${sig}`, 'bad_signature'],
      [`${kid}.${claims}.${flip(sig, 3)}`, 'bad_signature'],
      [`${kid}.${claims}.${sig.slice(0, -2)}`, 'bad_signature'],
      [forged.sign('ad-1').token, 'bad_signature'],
      [`kx.${claims}.${sig}`, 'unknown_key'],
      ['not-a-token', 'malformed'],
      ['', 'malformed'],
      [`${t}.x`, 'malformed'],
      ['k1.' + 'A'.repeat(2000) + '.x', 'malformed'],
    ];
    for (const [token, reason] of cases) expect(signer().verify(token)).toEqual({ ok: false, reason });
  });

  it('rejects validly signed claims of the wrong shape', () => {
    const s = signer();
    const body = `k1.${Buffer.from(JSON.stringify({ a: 'a/b', i: 'x', x: NOW + 1000 })).toString('base64url')}`;
    const mac = (s as unknown as { mac: (k: string, b: string) => Buffer }).mac('k1', body);
    expect(s.verify(`${body}.${mac.toString('base64url')}`)).toEqual({ ok: false, reason: 'malformed' });
  });
});
