import type { SeriesPoint } from '@clicks/query';
import { ApiError, GatewayClient, Viewer } from './api';
import { ClicksChart } from './chart';
import { chartSummary } from './chart-data';
import { csvFileName, seriesCsv } from './csv';
import { renderCountries, renderTopAds, renderTotals, TopSort } from './render';
import { session } from './session';
import {
  defaultGranularity,
  formatView,
  Granularity,
  isLive,
  lastHour,
  parseView,
  rangeQuery,
  ViewState,
} from './view-state';

/** How often a live range is read again: the open bucket fills within seconds of a click. */
const REFRESH_MS = 5_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

let client: GatewayClient | undefined;
let viewer: Viewer | undefined;
let view: ViewState = parseView(location.hash);
let topSort: TopSort = { key: 'clicks', direction: 'descending' };
let lastTop: Awaited<ReturnType<GatewayClient['top']>> | undefined;
let shown: { series: SeriesPoint[]; from: string } | undefined;
let timer: number | undefined;
let generation = 0;
const chart = new ClicksChart($('chart'));

const linkTo = (patch: Partial<ViewState>) => formatView({ ...view, ...patch });

function showSignedIn(signedIn: boolean): void {
  $('sign-in').hidden = signedIn;
  $('app').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

async function signIn(key: string): Promise<void> {
  const candidate = new GatewayClient(key);
  try {
    viewer = await candidate.me();
  } catch (e) {
    session.clear();
    showSignedIn(false);
    const refused = e instanceof ApiError && (e.status === 401 || e.status === 403);
    $('sign-in-error').textContent = refused ? `That key was refused (${e.status}).` : String(e);
    input('key').value = '';
    input('key').focus();
    return;
  }
  session.save(key);
  client = candidate;
  $('sign-in-error').textContent = '';
  $('who').textContent =
    viewer.kind === 'admin' ? 'Signed in as the operator (admin)' : `Advertiser ${viewer.advertiserId}`;
  showSignedIn(true);
  if (viewer.kind === 'advertiser' && view.scope === 'advertiser') view = { ...view, id: viewer.advertiserId };
  syncControls();
  void refresh();
}

function signOut(): void {
  session.clear();
  client = undefined;
  viewer = undefined;
  window.clearTimeout(timer);
  input('key').value = '';
  showSignedIn(false);
  input('key').focus();
}

/** Puts the view into the form, and fixes the account field to an advertiser's own id. */
function syncControls(): void {
  select('scope').value = view.scope;
  input('scope-id').value = view.id;
  const own = viewer?.kind === 'advertiser' && view.scope === 'advertiser';
  input('scope-id').readOnly = own;
  $('scope-id-label').textContent = { advertiser: 'Advertiser id', campaign: 'Campaign id', ad: 'Ad id' }[view.scope];
  select('range').value = view.range;
  for (const e of document.querySelectorAll<HTMLElement>('.custom-range')) e.hidden = view.range !== 'custom';
  input('from').value = view.from.slice(0, 16);
  input('to').value = view.to.slice(0, 16);
  select('granularity').value = view.granularity;
  input('country').value = view.country;
  select('top-n').value = String(view.topN);
}

/** The view the form describes (datetime inputs are read as UTC). */
function readControls(): ViewState {
  const scope = select('scope').value as ViewState['scope'];
  const own = viewer?.kind === 'advertiser' && scope === 'advertiser' ? viewer.advertiserId : undefined;
  const utc = (v: string) => (v ? `${v}:00.000Z` : '');
  return {
    scope,
    id: own ?? input('scope-id').value.trim(),
    range: select('range').value as ViewState['range'],
    from: utc(input('from').value),
    to: utc(input('to').value),
    granularity: select('granularity').value as Granularity,
    country: input('country').value.trim().toUpperCase(),
    topN: Number(select('top-n').value),
  };
}

function go(next: ViewState): void {
  const hash = formatView(next);
  if (hash === location.hash) void refresh();
  else location.hash = hash;
}

/** Reads the chart, the country breakdown and the top ads again; a slower older read never overwrites a newer one. */
async function refresh(): Promise<void> {
  window.clearTimeout(timer);
  if (!client) return;
  const mine = ++generation;
  const range = rangeQuery(view);
  const country = view.country || undefined;
  const errors: string[] = [];
  const fail = (what: string) => (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) return signOut();
    errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const reads: Promise<void>[] = [
    client.top(view.topN, range, country).then((top) => {
      if (mine !== generation) return;
      lastTop = top;
      renderTopAds($<HTMLTableElement>('top'), top.ads, topSort, (adId) => linkTo({ scope: 'ad', id: adId }));
    }, fail('Top ads')),
  ];
  if (view.id) {
    reads.push(
      client.clicks(view.scope, view.id, range, view.granularity, country).then((answer) => {
        if (mine !== generation) return;
        shown = { series: answer.series, from: answer.from };
        renderTotals($('totals'), answer);
        chart.show(answer.series);
        const label = `${$('scope-id-label').textContent} ${view.id}`;
        $('chart').setAttribute('aria-label', chartSummary(label, answer.total, answer.invalid, answer.late));
        $('chart-title').textContent =
          `Clicks of ${view.scope === 'advertiser' ? 'advertiser' : view.scope} ${view.id}`;
        input('scope-id').removeAttribute('aria-invalid');
        $<HTMLButtonElement>('download').disabled = false;
      }, fail('Clicks')),
      client.countries(view.scope, view.id, range).then((answer) => {
        if (mine !== generation) return;
        renderCountries($<HTMLTableElement>('countries'), answer, (c) => linkTo({ country: c }));
      }, fail('Countries')),
    );
  } else errors.push(`Enter ${$('scope-id-label').textContent?.toLowerCase()} to see its clicks.`);
  await Promise.all(reads);
  if (mine !== generation || !client) return;
  $('error').textContent = errors.join(' ');
  $('status').textContent = `Updated ${new Date().toLocaleTimeString()}${isLive(view) ? ' · live' : ''}`;
  if (isLive(view)) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
}

function download(): void {
  if (!shown) return;
  const blob = new Blob([seriesCsv(shown.series)], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = csvFileName(view.scope, view.id, shown.from);
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function wire(): void {
  $('sign-in').addEventListener('submit', (e) => {
    e.preventDefault();
    void signIn(input('key').value.trim());
  });
  $('sign-out').addEventListener('click', signOut);
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    go(readControls());
  });
  select('range').addEventListener('change', () => {
    const next = readControls();
    // A custom range starts as the last hour, to be adjusted: never a read with an empty bound.
    if (next.range === 'custom' && (!next.from || !next.to)) Object.assign(next, lastHour(Date.now()));
    go({ ...next, granularity: defaultGranularity(next.range) ?? next.granularity });
  });
  // Another scope names another kind of id: start it empty (the account's own for an advertiser), never query a
  // campaign by an advertiser's id.
  select('scope').addEventListener('change', () => {
    const next = readControls();
    go(next.scope === 'advertiser' && viewer?.kind === 'advertiser' ? next : { ...next, id: '' });
  });
  for (const id of ['granularity', 'top-n']) select(id).addEventListener('change', () => go(readControls()));
  $('download').addEventListener('click', download);
  for (const b of document.querySelectorAll<HTMLButtonElement>('#top th button')) {
    b.addEventListener('click', () => {
      const key = b.dataset.sort as TopSort['key'];
      const flip = topSort.direction === 'descending' ? 'ascending' : 'descending';
      topSort = { key, direction: topSort.key === key ? flip : key === 'clicks' ? 'descending' : 'ascending' };
      if (lastTop)
        renderTopAds($<HTMLTableElement>('top'), lastTop.ads, topSort, (adId) => linkTo({ scope: 'ad', id: adId }));
    });
  }
  window.addEventListener('hashchange', () => {
    view = parseView(location.hash);
    if (viewer?.kind === 'advertiser' && view.scope === 'advertiser') view.id = viewer.advertiserId;
    syncControls();
    void refresh();
  });
}

wire();
const saved = session.load();
if (saved) void signIn(saved);
else showSignedIn(false);
