import { readFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { pageEventually, pageProblems, startBrowser, textOf } from '../support/browser';
import { adminAuth, eventually, getJson, postJson, runId, TEST_ADMIN_TOKEN } from '../support/test-env';

// The page's globals, for the callbacks that run in the browser (the tests' own program has no DOM types).
declare const document: any, location: any, sessionStorage: any, window: any;

const BROWSER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** The advertiser dashboard in a real Chromium against the whole running system, through the public API only. */
describe('advertiser dashboard', () => {
  const run = runId();
  const id = (name: string) => `${run}-${name}`;
  const env = { SHARD_COUNT: '4' };
  let ingest: AppProcess;
  let aggregator: AppProcess;
  let gateway: AppProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const keys: Record<string, string> = {};
  let seq = 0;

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ingest.url}${path}`, {
      method,
      headers: body === undefined ? adminAuth : { ...adminAuth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Clicks of `adId` from `country`, each from its own address and user, happening now. */
  const click = async (adId: string, country: string, n: number, userAgent = BROWSER_AGENT, at = Date.now() - 1000) => {
    const body = Array.from({ length: n }, () => {
      const i = seq++;
      return {
        eventId: `${run}-e${i}`,
        adId: id(adId),
        timestamp: at,
        ip: `10.9.${i >> 8}.${i & 255}`,
        userId: `${run}-u${i}`,
        userAgent,
        country,
      };
    });
    const res = await postJson(`${ingest.url}/v1/clicks/batch`, body);
    expect(res).toMatchObject({ status: 202, body: { rejected: [] } });
  };
  const api = (path: string, who = 'A') => getJson(`${gateway.url}${path}`, `Bearer ${keys[who]}`);
  const dashboard = () => `${gateway.url}/dashboard/`;
  const total = (key: string) => textOf(page, `#totals [data-total="${key}"] dd`);
  const rowsOf = (table: string) =>
    page.$$eval(`#${table} tbody tr`, (trs) =>
      trs.map((tr) => [...(tr as any).cells].map((td: any) => (td.textContent ?? '').trim())),
    );

  async function signIn(key: string): Promise<void> {
    await page.goto(dashboard(), { waitUntil: 'load' });
    // A tab signed in before stays signed in across loads (session storage): sign out as a user would.
    await page.waitForSelector('#key:visible, #sign-out:visible');
    if (await page.isVisible('#sign-out')) await page.click('#sign-out');
    await page.waitForSelector('#key', { state: 'visible' });
    // By keyboard alone: the field is reachable with Tab and the form submits with Enter.
    await pageEventually(
      async () => {
        await page.keyboard.press('Tab');
        return page.evaluate(() => document.activeElement?.id);
      },
      (focused) => focused === 'key',
      5000,
    );
    // A reload may restore what the field held before.
    await page.keyboard.press('Control+A');
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
  }

  /** The picture in docs/: a few more minutes of clicks in several countries, the account over 15 minutes. */
  async function screenshot(path: string): Promise<void> {
    const shape = [6, 9, 7, 12, 10];
    for (const [i, n] of shape.entries()) {
      const at = Date.now() - (shape.length - 1 - i) * 60_000 - 1000;
      for (const [ad, country] of [
        ['a2', 'FR'],
        ['a3', 'DE'],
        ['a1', 'IT'],
      ]) {
        await click(ad, country, Math.ceil(n / 2), BROWSER_AGENT, at);
      }
    }
    await click('a1', 'DE', 2, GOOGLEBOT);
    const before = (await api(`/v1/advertisers/${id('A')}/clicks?minutes=15`)).body.total;
    await page.goto(`${dashboard()}#scope=advertiser&id=${id('A')}&range=15m&g=1m`, { waitUntil: 'load' });
    await pageEventually(
      () => total('total'),
      (t) => Number(t) > before,
      30000,
    );
    await page.waitForTimeout(6000);
    await page.screenshot({ path, fullPage: true });
  }

  beforeAll(async () => {
    [ingest, aggregator, gateway] = await Promise.all([
      freePortAsync().then((p) => AppProcess.start('ingest', `dash-ingest-${run}`, p, env)),
      freePortAsync().then((p) => AppProcess.start('aggregator', `dash-aggregator-${run}`, p, env)),
      freePortAsync().then((p) => AppProcess.start('gateway', `dash-gateway-${run}`, p, env)),
    ]);
    await Promise.all([ingest.waitReady(), aggregator.waitReady(), gateway.waitReady()]);
    for (const adv of ['A', 'B']) {
      expect((await admin('PUT', `/v1/admin/advertisers/${id(adv)}`, { name: `Advertiser ${adv}` })).status).toBe(201);
      keys[adv] = (await admin('POST', `/v1/admin/advertisers/${id(adv)}/keys`)).body.key;
    }
    for (const [ad, adv, campaign] of [
      ['a1', 'A', 'cA'],
      ['a2', 'A', 'cA'],
      ['a3', 'A', 'cB'],
      ['b1', 'B', 'cB'],
    ]) {
      const body = { targetUrl: 'https://example.com/', advertiserId: id(adv), campaignId: id(campaign) };
      expect((await admin('PUT', `/v1/ads/${id(ad)}`, body)).status).toBe(201);
    }
    await click('a1', 'DE', 3);
    await click('a1', 'US', 2);
    await click('a1', 'US', 1, GOOGLEBOT);
    await click('a2', 'FR', 3);
    await click('a3', 'DE', 2);
    await click('b1', 'DE', 4);
    await eventually(
      () => api(`/v1/advertisers/${id('A')}/clicks?minutes=60`),
      (r) => r.body?.total === 10 && r.body?.invalid === 1,
    );
    browser = await startBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    problems = pageProblems(page);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([ingest, aggregator, gateway].map((p) => p?.terminate()));
  });

  it('refuses a wrong key and shows nothing', async () => {
    await signIn('ck_not-a-key');
    expect(
      await pageEventually(
        () => textOf(page, '#sign-in-error'),
        (t) => t !== '',
      ),
    ).toMatch(/refused \(401\)/);
    expect(await page.$eval('#app', (e) => (e as any).hidden)).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await pageEventually(
      () => Promise.resolve(problems),
      (p) => p.length > 0,
    );
    expect(problems).toEqual(['401 GET /v1/me']);
    problems.length = 0;
  });

  it("signs in with an advertiser key and shows the account's numbers as the API answers them", async () => {
    await signIn(keys.A);
    expect(
      await pageEventually(
        () => textOf(page, '#who'),
        (t) => t !== '',
      ),
    ).toBe(`Advertiser ${id('A')}`);
    expect(await page.evaluate(() => location.href)).not.toContain(keys.A);
    await pageEventually(
      () => total('total'),
      (t) => t === '10',
    );
    const answer = (await api(`/v1/advertisers/${id('A')}/clicks?minutes=60`)).body;
    expect(await total('invalid')).toBe(String(answer.invalid));
    expect(await total('invalid-bot')).toBe('1');
    expect(await page.$eval('#chart', (e) => e.getAttribute('aria-label'))).toContain('10 valid clicks');
    expect(await page.locator('#chart canvas').count()).toBe(1);
    const countries = (await api(`/v1/advertisers/${id('A')}/countries?minutes=60`)).body.countries;
    expect(countries.map((c: any) => [c.country, c.clicks])).toEqual([
      ['DE', 5],
      ['FR', 3],
      ['US', 2],
    ]);
    expect((await rowsOf('countries')).map((r) => [r[0], r[1], r[3]])).toEqual([
      ['DE', '5', '0'],
      ['FR', '3', '0'],
      ['US', '2', '1'],
    ]);
    expect(await rowsOf('top')).toEqual([
      ['1', id('a1'), '5'],
      ['2', id('a2'), '3'],
      ['3', id('a3'), '2'],
    ]);
    expect(problems).toEqual([]);
  });

  it('downloads the chart as CSV, bucket by bucket the same as the API', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^clicks-advertiser-${id('A')}-.*\\.csv$`));
    const [header, ...lines] = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(header.split(',').slice(0, 4)).toEqual(['bucket_start', 'clicks', 'late', 'invalid']);
    const answer = (await api(`/v1/advertisers/${id('A')}/clicks?minutes=60`)).body;
    const fromApi = answer.series.map((p: any) => `${p.start},${p.clicks},${p.invalid}`);
    expect(lines.map((l) => l.split(',')).map((c) => `${c[0]},${c[1]},${c[3]}`)).toEqual(fromApi);
  });

  it('sorts the top ads by a column header, and says how in aria-sort', async () => {
    const adHeader = '#top th:nth-child(2)';
    await page.click(`${adHeader} button`);
    expect(await page.$eval(adHeader, (e) => e.getAttribute('aria-sort'))).toBe('ascending');
    expect((await rowsOf('top')).map((r) => r[1])).toEqual([id('a1'), id('a2'), id('a3')]);
    await page.click(`${adHeader} button`);
    expect((await rowsOf('top')).map((r) => r[1])).toEqual([id('a3'), id('a2'), id('a1')]);
    await page.click('#top th:nth-child(3) button');
    expect(await page.$eval('#top th:nth-child(3)', (e) => e.getAttribute('aria-sort'))).toBe('descending');
    expect((await rowsOf('top')).map((r) => r[2])).toEqual(['5', '3', '2']);
  });

  it('switches ranges, with a granularity that fits each', async () => {
    for (const [range, granularity, buckets] of [
      ['24h', '15m', 96],
      ['15m', '1m', 15],
      ['7d', '1h', 168],
    ] as const) {
      await page.selectOption('#range', range);
      await pageEventually(
        () => page.evaluate(() => location.hash),
        (h) => h.includes(`range=${range}`),
      );
      expect(await page.$eval('#granularity', (e) => (e as any).value)).toBe(granularity);
      await pageEventually(
        () => total('total'),
        (t) => t === '10',
      );
      const answer = (
        await api(
          `/v1/advertisers/${id('A')}/clicks?minutes=${{ '24h': 1440, '15m': 15, '7d': 10080 }[range]}&granularity=${granularity}`,
        )
      ).body;
      expect(answer.series.length).toBeGreaterThanOrEqual(buckets);
      expect(answer.total).toBe(10);
    }
    await page.selectOption('#range', '1h');
  });

  it("shows a campaign's clicks, its own ads only, as the API sums them", async () => {
    await page.selectOption('#scope', 'campaign');
    // Another scope starts with an empty id and asks for one, rather than reading a campaign named like the account.
    await pageEventually(
      () => textOf(page, '#error'),
      (t) => t.includes('Enter campaign id'),
    );
    expect(await page.inputValue('#scope-id')).toBe('');
    await page.fill('#scope-id', id('cA'));
    await page.click('#controls button[type="submit"]');
    await pageEventually(
      () => textOf(page, '#chart-title'),
      (t) => t === `Clicks of campaign ${id('cA')}`,
    );
    const answer = (await api(`/v1/campaigns/${id('cA')}/clicks?minutes=60`)).body;
    expect(answer.total).toBe(8);
    await pageEventually(
      () => total('total'),
      (t) => t === '8',
    );
    expect((await rowsOf('countries')).map((r) => r[0])).toEqual(['DE', 'FR', 'US']);
    await page.selectOption('#scope', 'advertiser');
    await pageEventually(
      () => total('total'),
      (t) => t === '10',
    );
  });

  it("opens an ad's chart from the top table and shows a new click within seconds, without reloading", async () => {
    await page.click(`#top a[href*="${id('a1')}"]`);
    await pageEventually(
      () => textOf(page, '#chart-title'),
      (t) => t === `Clicks of ad ${id('a1')}`,
    );
    await pageEventually(
      () => total('total'),
      (t) => t === '5',
    );
    expect(await total('invalid')).toBe('1');
    const marker = await page.evaluate(() => (window.__noReload = true));
    expect(marker).toBe(true);
    const sent = Date.now();
    await click('a1', 'DE', 1);
    await pageEventually(
      () => total('total'),
      (t) => t === '6',
      20000,
    );
    const seconds = (Date.now() - sent) / 1000;
    expect(await page.evaluate(() => window.__noReload)).toBe(true);
    expect(seconds).toBeLessThan(20);
    if (process.env.DASHBOARD_SCREENSHOT) await screenshot(process.env.DASHBOARD_SCREENSHOT);
  });

  it("lets the admin token read any advertiser's account, over a custom UTC range", async () => {
    await signIn(TEST_ADMIN_TOKEN);
    await pageEventually(
      () => textOf(page, '#who'),
      (t) => t.includes('admin'),
    );
    await page.evaluate(() => (location.hash = '#scope=advertiser&range=1h&g=1m'));
    await pageEventually(
      () => textOf(page, '#error'),
      (t) => t.includes('Enter advertiser id'),
    );
    await page.fill('#scope-id', id('B'));
    await page.selectOption('#range', 'custom');
    await pageEventually(
      () => page.inputValue('#from'),
      (v) => v !== '',
    );
    const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
    await page.fill('#from', minute(Date.now() - 10 * 60_000));
    await page.fill('#to', minute(Date.now() + 2 * 60_000));
    await page.click('#controls button[type="submit"]');
    await pageEventually(
      () => total('total'),
      (t) => t === '4',
    );
    expect(await page.evaluate(() => location.hash)).toMatch(/range=custom&from=.*&to=/);
    const answer = (await api(`/v1/advertisers/${id('B')}/clicks?minutes=5`, 'B')).body;
    expect(answer.total).toBe(4);
  });

  it("refuses another advertiser's ad with the API's answer, and labels every control", async () => {
    await signIn(keys.B);
    await pageEventually(
      () => textOf(page, '#who'),
      (t) => t === `Advertiser ${id('B')}`,
    );
    await page.evaluate((ad) => (location.hash = `#scope=ad&id=${ad}&range=1h&g=1m`), id('a1'));
    expect(
      await pageEventually(
        () => textOf(page, '#error'),
        (t) => t.includes('Clicks'),
      ),
    ).toMatch(new RegExp(`Clicks: .*ad ${id('a1')} is not registered`));
    expect(await page.$eval('#totals', (e) => e.textContent)).not.toContain('6');
    const unlabeled = await page.$$eval('input, select', (els) =>
      els.filter((e) => (e as any).labels?.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id),
    );
    expect(unlabeled).toEqual([]);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate((adv) => (location.hash = `#scope=advertiser&id=${adv}&range=1h&g=1m`), id('B'));
    await pageEventually(
      () => total('total'),
      (t) => t === '4',
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Only the refused reads of another advertiser's ad (404) went wrong.
    expect(problems.filter((p) => !p.startsWith('404 GET /v1/ads/'))).toEqual([]);
  });
});
