import {
  adTotalsSql,
  countryTotalsSql,
  invalidMinuteTotalsSql,
  minuteSummariesSql,
  minuteTotalsSql,
  topAdsSql,
} from './click-query-sql';

const FROM = Date.parse('2026-11-23T10:00:00Z');
const TO = FROM + 3_600_000;

describe('click query SQL', () => {
  it.each([
    [{}, 'ad_clicks_1m', 'sum(clicks)', []],
    [{ country: 'DE' }, 'ad_clicks_1m', 'sum(clicks)', ['country = $4']],
    [{ ip: '10.0.0.1' }, 'clicks_raw', 'count()', ['ip = $4']],
    [{ country: 'US', userId: 'u1' }, 'clicks_raw', 'count()', ['country = $4', 'user_id = $5']],
    [{ country: 'US', ip: '::1', userId: 'u' }, 'clicks_raw', 'count()', ['country = $4', 'ip = $5', 'user_id = $6']],
  ])('per-minute totals with %j read %s', (filter, table, agg, conds) => {
    const q = minuteTotalsSql('ad-1', FROM, TO, filter);
    expect(q.text).toMatch(new RegExp(`FROM ${table}\\s`));
    expect(q.text).toContain(`${agg} AS clicks`);
    for (const c of conds) expect(q.text).toContain(c);
    expect(q.values).toEqual(['ad-1', new Date(FROM), new Date(TO), ...Object.values(filter)]);
  });

  it.each([
    [{}, 'FROM ad_invalid_clicks_1m', 'sum(clicks)'],
    [{ country: 'DE' }, 'FROM ad_invalid_clicks_1m', 'sum(clicks)'],
    [{ ip: '10.0.0.1' }, 'FROM clicks_raw_invalid', 'count()'],
  ])('invalid per-minute totals with %j read %s, per reason', (filter, from, agg) => {
    const q = invalidMinuteTotalsSql('ad-1', FROM, TO, filter);
    expect(q.text).toContain(from);
    expect(q.text).toContain(`SELECT ts, reason, ${agg} AS clicks`);
    expect(q.values).toEqual(['ad-1', new Date(FROM), new Date(TO), ...Object.values(filter)]);
  });

  it('leaves invalid clicks out of raw-archive answers (ip/userId filters)', () => {
    for (const q of [minuteTotalsSql('ad-1', FROM, TO, { ip: '10.0.0.1' }), topAdsSql(FROM, TO, 5, { userId: 'u' })]) {
      expect(q.text).toContain('LEFT JOIN (SELECT event_id FROM clicks_raw_invalid');
      expect(q.text).toContain('invalid.event_id = NULL');
    }
    expect(minuteTotalsSql('ad-1', FROM, TO, {}).text).not.toContain('JOIN');
  });

  it('never puts a value into the text', () => {
    const evil = "x' OR '1'='1";
    const q = minuteTotalsSql(evil, FROM, TO, { country: evil, ip: evil, userId: evil });
    expect(q.text).not.toContain(evil);
    const t = topAdsSql(FROM, TO, 5, { country: evil, userId: evil });
    expect(t.text).not.toContain(evil);
    expect(t.values).toEqual([new Date(FROM), new Date(TO), evil, evil]);
    const a = adTotalsSql(FROM, TO, ['ad-1', evil], evil);
    expect(a.text).not.toContain(evil);
    expect(a.text).toContain('country = $3 AND ad_id IN ($4, $5)');
    expect(a.values).toEqual([new Date(FROM), new Date(TO), evil, 'ad-1', evil]);
    for (const invalid of [false, true]) {
      const c = countryTotalsSql(['ad-1', evil], FROM, TO, invalid);
      expect(c.text).not.toContain(evil);
      expect(c.text).toContain(invalid ? 'FROM ad_invalid_clicks_1m' : 'FROM ad_clicks_1m');
      expect(c.text).toMatch(/ad_id IN \(\$3, \$4\)\s+GROUP BY country$/);
      expect(c.values).toEqual([new Date(FROM), new Date(TO), 'ad-1', evil]);
    }
    const m = minuteSummariesSql(FROM, TO, evil);
    expect(m.text).not.toContain(evil);
    expect(m.values).toEqual([new Date(FROM), new Date(TO), evil]);
  });

  it('orders top ads by clicks then ad id and limits to n', () => {
    expect(topAdsSql(FROM, TO, 100, {}).text).toMatch(/ORDER BY clicks DESC, ad_id ASC LIMIT 100$/);
  });

  it.each([0, -1, 1.5, NaN, 10_001])('refuses limit %p', (n) => {
    expect(() => topAdsSql(FROM, TO, n, {})).toThrow(RangeError);
  });
});
