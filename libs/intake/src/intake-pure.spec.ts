import { BATCH_LIMITS, parseBatchBody } from './batch-body';
import { resolveClientIp, trustedProxyList } from './client-ip';

describe('resolveClientIp', () => {
  const trusted = trustedProxyList(['10.0.0.0/8', '192.0.2.1', '::1']);
  it.each([
    ['203.0.113.5', '198.51.100.1', '203.0.113.5'], // untrusted peer: header ignored
    ['10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['::ffff:10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['10.1.2.3', '6.6.6.6, 198.51.100.1, 10.9.9.9', '198.51.100.1'], // spoofed left part not believed
    ['10.1.2.3', 'garbage, 198.51.100.1', '198.51.100.1'],
    ['10.1.2.3', undefined, '10.1.2.3'],
    ['::1', '2001:db8::7', '2001:db8::7'],
    ['192.0.2.1', '10.0.0.5', '10.0.0.5'], // only trusted hops: the leftmost one
  ])('peer %s, X-Forwarded-For %j -> %s', (peer, xff, ip) => {
    expect(resolveClientIp(peer, xff, trusted)).toBe(ip);
  });

  it('rejects a bad trusted proxy entry', () => {
    expect(() => trustedProxyList(['nope'])).toThrow();
  });
});

describe('parseBatchBody', () => {
  it('reads a JSON array and NDJSON with per-line errors', () => {
    expect(parseBatchBody([{ a: 1 }, 2], false)).toEqual({
      ok: true,
      items: [
        { index: 0, input: { a: 1 } },
        { index: 1, input: 2 },
      ],
    });
    expect(parseBatchBody('{"a":1}\n\n{bad\r\n{"b":2}\n', true)).toEqual({
      ok: true,
      items: [
        { index: 0, input: { a: 1 } },
        { index: 1, error: { field: 'body', message: 'line is not valid JSON' } },
        { index: 2, input: { b: 2 } },
      ],
    });
  });

  it.each([
    [{ a: 1 }, false, 400],
    ['x', false, 400],
    [Array(BATCH_LIMITS.maxEvents + 1).fill({}), false, 413],
    ['{}\n'.repeat(BATCH_LIMITS.maxEvents + 1), true, 413],
    ['x'.repeat(BATCH_LIMITS.maxBytes + 1), true, 413],
  ])('refuses %#', (body, ndjson, status) => {
    expect(parseBatchBody(body, ndjson)).toMatchObject({ ok: false, status });
  });
});
