import { parseAdRegistration } from './ad';

describe('parseAdRegistration', () => {
  const ok = { targetUrl: 'https://example.com/x?y=1', advertiserId: 'adv', campaignId: 'c.1', extra: 1 };
  it('accepts an http(s) target and ignores unknown fields', () => {
    expect(parseAdRegistration('ad-1', ok, 5)).toEqual({
      ok: true,
      ad: { adId: 'ad-1', targetUrl: ok.targetUrl, advertiserId: 'adv', campaignId: 'c.1', updatedAt: 5 },
    });
  });
  it.each([
    ['ad 1', ok, 'adId'],
    ['a', null, 'body'],
    ['a', { ...ok, targetUrl: 'javascript:alert(1)' }, 'targetUrl'],
    ['a', { ...ok, targetUrl: 'ftp://example.com' }, 'targetUrl'],
    ['a', { ...ok, targetUrl: '/relative' }, 'targetUrl'],
    ['a', { ...ok, advertiserId: '' }, 'advertiserId'],
    ['a', { targetUrl: ok.targetUrl, advertiserId: 'x' }, 'campaignId'],
  ])('rejects %j %j naming %s', (adId, body, field) => {
    const r = parseAdRegistration(adId, body, 0);
    expect(!r.ok && r.error.field).toBe(field);
  });
});
