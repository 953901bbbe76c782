import type { CountryBreakdownAnswer, TopAdsAnswer } from '@clicks/query';
import type { ClicksAnswer } from './api';
import { sortRows, SortDirection } from './sort';

type AdRow = TopAdsAnswer['ads'][number];

/** Builds an element with text content only: nothing the API answers is ever parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

const number = new Intl.NumberFormat('en-US');
const REASON_NAMES: Record<string, string> = {
  blocked_ip: 'blocked ip',
  bot: 'bot',
  too_fast: 'too fast',
  ip_rate: 'ip flood',
  repeat_user: 'repeat',
};

/** The totals above the chart: valid clicks, late ones among them, invalid ones by reason. */
export function renderTotals(target: HTMLElement, answer: ClicksAnswer): void {
  const items: [string, string, string][] = [
    ['Clicks', number.format(answer.total), 'total'],
    ['Late (counted)', answer.late === undefined ? '—' : number.format(answer.late), 'late'],
    ['Invalid (not counted)', number.format(answer.invalid), 'invalid'],
  ];
  for (const [reason, n] of Object.entries(answer.invalidByReason)) {
    if (n > 0) items.push([`· ${REASON_NAMES[reason] ?? reason}`, number.format(n), `invalid-${reason}`]);
  }
  target.replaceChildren(
    ...items.map(([label, value, key]) => {
      const d = el('div');
      d.dataset.total = key;
      d.append(el('dt', label), el('dd', value));
      return d;
    }),
  );
}

export interface TopSort {
  key: 'adId' | 'clicks';
  direction: SortDirection;
}

/** The top-ads table, sorted as asked; each ad links to its own chart (`linkOf`). */
export function renderTopAds(
  table: HTMLTableElement,
  ads: readonly AdRow[],
  sort: TopSort,
  linkOf: (adId: string) => string,
) {
  const ranked = ads.map((a, i) => ({ ...a, rank: i + 1 }));
  const rows = sortRows(ranked, sort.key, sort.direction).map((a) => {
    const tr = el('tr');
    const link = el('a', a.adId);
    link.href = linkOf(a.adId);
    const adCell = el('td');
    adCell.append(link);
    tr.append(el('td', String(a.rank)), adCell, el('td', number.format(a.clicks), 'num'));
    return tr;
  });
  if (rows.length === 0) rows.push(emptyRow(3, 'No clicks in this range'));
  table.tBodies[0].replaceChildren(...rows);
  for (const th of table.tHead?.querySelectorAll('th[aria-sort]') ?? []) {
    const key = th.querySelector('button')?.dataset.sort;
    th.setAttribute('aria-sort', key === sort.key ? sort.direction : 'none');
  }
}

/** Clicks per country with each one's share of the valid clicks; a country links to the chart filtered by it. */
export function renderCountries(
  table: HTMLTableElement,
  answer: CountryBreakdownAnswer,
  linkOf: (c: string) => string,
) {
  const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  const rows = answer.countries.map((c) => {
    const tr = el('tr');
    const link = el('a', c.country);
    link.href = linkOf(c.country);
    const cell = el('td');
    cell.append(link);
    const share = answer.total > 0 ? percent.format(c.clicks / answer.total) : '—';
    tr.append(
      cell,
      el('td', number.format(c.clicks), 'num'),
      el('td', share, 'num'),
      el('td', number.format(c.invalid), 'num'),
    );
    return tr;
  });
  if (rows.length === 0) rows.push(emptyRow(4, 'No clicks in this range'));
  table.tBodies[0].replaceChildren(...rows);
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  const tr = el('tr');
  const td = el('td', text);
  td.colSpan = columns;
  tr.append(td);
  return tr;
}
