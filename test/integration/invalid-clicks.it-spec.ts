import { isDeepStrictEqual } from 'node:util';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createPgPool } from '@clicks/store';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import {
  expectedVerdicts,
  judgeAll,
  MixedClick,
  mixedTraffic,
  storedVerdicts,
  tally,
  Verdicts,
} from '../support/invalid-clicks-truth';
import { freePortAsync } from '../support/ports';
import { expectProblem } from '../support/problem';
import { AppProcess } from '../support/processes';
import { adminAuth, eventually, getJson, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

// Default rules (20 clicks per ip, ad and minute; repeats within 10 s; bots), four shards, a hot ad over four salts.
const ENV = { SHARD_COUNT: '4', LEASE_TTL_MS: '2000', FLUSH_INTERVAL_MS: '200' };
const RULES = { ipMaxPerAdMinute: 20, repeatMs: 10_000, blocked: () => false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const NO_INVALID = { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 0 };
const AD_CLICKS = `query($adId: String!, $minutes: Int, $filter: ClickFilterInput) {
  adClicks(adId: $adId, minutes: $minutes, filter: $filter) {
    total invalid invalidByReason { blocked_ip bot too_fast ip_rate repeat_user }
    series { clicks invalid invalidByReason { blocked_ip bot too_fast ip_rate repeat_user } }
  }
}`;

describe('invalid clicks: bots, floods and repeats counted apart, deterministically (real processes)', () => {
  const config = testConfig(ENV);
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  let gatewayApp: NestFastifyApplication;
  let gateway: string;
  let pool: Pool;
  const workers: AppProcess[] = [];

  const worker = async () => {
    const w = await AppProcess.start('aggregator', `fraud-w${workers.length}`, await freePortAsync(), ENV);
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
    ({ app: gatewayApp, url: gateway } = await startApp(createGatewayApp(config)));
    pool = createPgPool(config.questdb.pgUrl, 1);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill9()));
  });

  afterAll(async () => {
    await ingestApp.close();
    await gatewayApp.close();
    await pool.end();
  });

  async function salt(w: AppProcess, adId: string, salts: number): Promise<void> {
    const res = await fetch(`${w.url}/v1/admin/hot-ads/${adId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...adminAuth },
      body: JSON.stringify({ salts }),
    });
    expect(res.status).toBe(200);
    await sleep(300); // the ingest's hot-ad table follows over pub/sub
  }

  /** Registers an ad of `advertiserId` through ingest's admin API (rollups and redirects need it). */
  async function registerAd(adId: string, advertiserId: string): Promise<void> {
    const res = await fetch(`${ingest}/v1/ads/${adId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...adminAuth },
      body: JSON.stringify({ targetUrl: 'https://example.com/', advertiserId, campaignId: 'c' }),
    });
    expect(res.status).toBe(201);
  }

  /** Sends the clicks in order, in small batches, each batch accepted whole before the next. */
  async function send(clicks: readonly MixedClick[], between?: (batch: number) => Promise<void>): Promise<void> {
    for (let i = 0, batch = 0; i < clicks.length; i += 15, batch++) {
      const body = clicks.slice(i, i + 15).map(({ isBot: _bot, ...c }) => c);
      const res = await postJson(`${ingest}/v1/clicks/batch`, body);
      expect(res.status).toBe(202);
      expect(res.body.rejected).toEqual([]);
      await between?.(batch);
    }
  }

  async function expectVerdicts(ads: string[], truth: Map<string, Verdicts>): Promise<void> {
    const read = async () => Promise.all(ads.map((ad) => storedVerdicts(pool, ad)));
    const want = ads.map((ad) => truth.get(ad));
    const same = (v: Verdicts[]) => v.every((x, i) => isDeepStrictEqual(x, want[i]));
    const got = await eventually(read, same, 45_000).catch(read);
    expect(got).toEqual(want);
  }

  /** The previous event-time minute: open (lateness 5 min) for the whole test, and never in the future. */
  const lastMinute = () => Math.floor(Date.now() / 60_000) * 60_000 - 60_000;

  /** Blocks addresses and ranges on the worker; resolves once every shard judges by the new list (within 5 s). */
  async function block(w: AppProcess, cidrs: string[]): Promise<void> {
    for (const cidr of cidrs) {
      const res = await fetch(`${w.url}/v1/admin/blocklist/${encodeURIComponent(cidr)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...adminAuth },
        body: JSON.stringify({ note: 'test' }),
      });
      expect(res.status).toBe(201);
    }
    const { body } = await getJson(`${w.url}/v1/admin/blocklist`);
    const started = Date.now();
    await eventually(
      () => getJson(`${w.url}/v1/admin/shards`),
      (r) => r.body?.shards?.every((s: any) => s.local?.blocklistVersion >= body.version),
      5000,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  }

  it('a mixed load on a normal and on a hot (salted) ad: valid and invalid counts per reason equal the rules', async () => {
    const run = runId();
    const [normal, hot] = [`${run}-n`, `${run}-h`];
    const w = await worker();
    await w.waitReady();
    await salt(w, hot, 4);
    await block(w, ['192.0.2.0/28', '2001:db8:77::/48']);
    const blockedIps = ['192.0.2.5', '192.0.2.14', '2001:db8:77::9'];
    const rules = { ...RULES, blocked: (ip: string) => blockedIps.includes(ip) };
    const minute = lastMinute();
    const notBlocked = ['192.0.2.16', '2001:db8:78::1'];
    const clicks = [normal, hot].flatMap((ad) => mixedTraffic(ad, minute, [...blockedIps, ...notBlocked]));
    const truth = expectedVerdicts(clicks, rules);
    // The load trips every rule, and its ordinary clicks are valid.
    expect(truth.get(normal)).toMatchObject({ invalid: { bot: 7, ip_rate: 31, repeat_user: 3, blocked_ip: 3 } });
    await send(clicks);
    await expectVerdicts([normal, hot], truth);

    // The hot ad's clicks really were spread over shards (by ip), and its counts are the same as the normal ad's.
    const shards = await pool.query('SELECT DISTINCT shard FROM ad_clicks_1m WHERE ad_id = $1', [hot]);
    expect(shards.rows.length).toBeGreaterThan(1);
    expect(truth.get(hot)).toEqual(truth.get(normal));

    // What an advertiser reads: total counts valid clicks only; invalid ones are beside it, per reason.
    const want = truth.get(normal)!;
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const rest = await getJson(`${gateway}/v1/ads/${normal}/clicks?minutes=5`);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      total: want.valid,
      invalid: sum(want.invalid),
      invalidByReason: { ...NO_INVALID, ...want.invalid },
    });
    expect(rest.body.series.reduce((n: number, p: { invalid: number }) => n + p.invalid, 0)).toBe(sum(want.invalid));
    const gql = await postJson(`${gateway}/graphql`, { query: AD_CLICKS, variables: { adId: normal, minutes: 5 } });
    expect(gql.body.data.adClicks).toMatchObject({
      total: rest.body.total,
      invalid: rest.body.invalid,
      invalidByReason: rest.body.invalidByReason,
    });

    // Under an ip filter the answer comes from the raw archive and the verdicts stored beside it.
    const verdicts = judgeAll(clicks, rules);
    const fromFlood = clicks.map((c, i) => [c, verdicts[i]] as const).filter(([c]) => c.ip === '203.0.113.50');
    const flood = tally(
      fromFlood.map(([c]) => c),
      fromFlood.map(([, v]) => v),
    ).get(normal)!;
    const filtered = await eventually(
      () => getJson(`${gateway}/v1/ads/${normal}/clicks?minutes=5&ip=203.0.113.50`),
      (r) => r.body?.total === flood.valid && r.body?.invalid === sum(flood.invalid),
    );
    expect(filtered.body.invalidByReason).toEqual({ ...NO_INVALID, ...flood.invalid });

    // Reconciliation accounts for every archived click as counted valid or invalid.
    const range = `from=${new Date(minute).toISOString()}&to=${new Date(minute + 60_000).toISOString()}`;
    const all = want.valid + sum(want.invalid);
    const report = await eventually(
      () => getJson(`${w.url}/v1/admin/reconciliation?${range}&adId=${normal}`),
      (r) => r.body?.minutes?.[0]?.archived === all,
    );
    // Still `pending`: the minute's window stays open for ALLOWED_LATENESS_MS.
    expect(report.body.minutes[0]).toMatchObject({ archived: all, counted: all, difference: 0 });
    expect(['pending', 'match']).toContain(report.body.minutes[0].status);
  });

  it('rollups of an advertiser add its ads valid and invalid clicks', async () => {
    const run = runId();
    const ads = [`${run}-a`, `${run}-b`];
    for (const adId of ads) await registerAd(adId, `${run}-adv`);
    const w = await worker();
    await w.waitReady();
    const minute = lastMinute();
    const clicks = [...mixedTraffic(ads[0], minute), ...mixedTraffic(ads[1], minute).slice(0, 40)];
    const truth = expectedVerdicts(clicks, RULES);
    await send(clicks);
    await expectVerdicts(ads, truth);
    const [a, b] = ads.map((ad) => truth.get(ad)!);
    const reasons = { ...NO_INVALID };
    for (const v of [a, b]) for (const [r, n] of Object.entries(v.invalid)) reasons[r as keyof typeof reasons] += n;
    const rollup = await getJson(`${gateway}/v1/advertisers/${run}-adv/clicks?minutes=5`);
    expect(rollup.status).toBe(200);
    expect(rollup.body).toMatchObject({ ads: 2, total: a.valid + b.valid, invalidByReason: reasons });
  });

  it('kill -9 of the aggregator in the middle of the load: the same verdicts and counts after recovery', async () => {
    const run = runId();
    const [normal, hot] = [`${run}-n`, `${run}-h`];
    let w = await worker();
    await w.waitReady();
    await salt(w, hot, 4);
    const minute = lastMinute();
    // Interleaved, so that both ads are mid-flood and mid-repeat when the worker dies.
    const a = mixedTraffic(normal, minute);
    const b = mixedTraffic(hot, minute);
    const clicks = a.flatMap((c, i) => [c, b[i]]);
    const truth = expectedVerdicts(clicks, RULES);
    await send(clicks, async (batch) => {
      if (batch === 4) {
        await w.kill9();
        w = await worker();
      }
      if (batch === 7) await w.waitReady();
    });
    await expectVerdicts([normal, hot], truth);
  });

  it('the blocklist admin: admin token, validation naming the field, add, list, remove', async () => {
    const w = await worker();
    await w.waitReady();
    const url = (cidr: string) => `${w.url}/v1/admin/blocklist/${encodeURIComponent(cidr)}`;
    const call = (method: string, cidr: string, auth = true) =>
      fetch(url(cidr), { method, headers: auth ? adminAuth : {} }).then(async (r) => ({
        status: r.status,
        body: r.status === 204 ? null : await r.json(),
        headers: r.headers,
      }));
    expectProblem(await call('PUT', '198.51.100.0/24', false), 'unauthorized', 'Authorization');
    for (const bad of ['198.51.100.0/33', 'nope', '1.2.3.4/8/8']) {
      expectProblem(await call('PUT', bad), 'invalid-parameter', 'cidr');
    }
    expect(await call('PUT', '198.51.100.0/24')).toMatchObject({ status: 201, body: { cidr: '198.51.100.0/24' } });
    expect((await call('PUT', '198.51.100.0/24')).status).toBe(200);
    expect((await call('PUT', '2001:DB8:0::1')).body).toMatchObject({ cidr: '2001:db8::1/128' });
    const listed = await getJson(`${w.url}/v1/admin/blocklist`);
    expect(listed.body.entries.map((e: { cidr: string }) => e.cidr)).toEqual(
      expect.arrayContaining(['198.51.100.0/24', '2001:db8::1/128']),
    );
    expect((await call('DELETE', '198.51.100.0/24')).status).toBe(204);
    expectProblem(await call('DELETE', '198.51.100.0/24'), 'not-found', 'cidr');
    expect((await getJson(`${w.url}/v1/admin/blocklist`, null)).status).toBe(401);
  });

  it('redirect clicks: too soon after the impression, or for an impression a bot asked for, are invalid', async () => {
    const run = runId();
    const adId = `${run}-r`;
    await registerAd(adId, `${run}-adv`);
    const w = await worker();
    await w.waitReady();
    const impression = async (userAgent?: string) =>
      (await postJson(`${ingest}/v1/impressions`, userAgent ? { adId, userAgent } : { adId })).body.clickUrl as string;
    const click = async (url: string, userAgent = BROWSER) => {
      const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': userAgent } });
      expect(res.status).toBe(302);
    };
    const bad = await postJson(`${ingest}/v1/impressions`, { adId, userAgent: 7 });
    expectProblem(bad, 'invalid-body', 'userAgent');

    await click(await impression()); // at once: too_fast
    const links = [await impression(GOOGLEBOT), await impression(), await impression()];
    await sleep(400);
    await click(links[0]); // the impression was requested for a crawler: bot
    await click(links[1]); // valid
    await click(links[2], 'curl/8.5.0'); // bot
    await expectVerdicts([adId], new Map([[adId, { valid: 1, invalid: { too_fast: 1, bot: 2 } }]]));
  });
});
