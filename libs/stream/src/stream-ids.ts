/**
 * Compares Redis stream ids (`ms-seq`, a missing seq meaning 0) numerically. Called for every entry an actor
 * applies, so it compares the decimal digits in place instead of splitting and parsing (no allocation).
 */
export function compareStreamIds(a: string, b: string): number {
  if (a === b) return 0;
  const ad = dashAt(a);
  const bd = dashAt(b);
  return compareDecimal(a, 0, ad, b, 0, bd) || compareDecimal(a, ad + 1, a.length, b, bd + 1, b.length);
}

function dashAt(id: string): number {
  const i = id.indexOf('-');
  return i < 0 ? id.length : i;
}

/** Compares the non-negative decimal numbers a[aFrom, aTo) and b[bFrom, bTo); an empty range is 0. */
function compareDecimal(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  while (aFrom < aTo - 1 && a.charCodeAt(aFrom) === 48) aFrom++;
  while (bFrom < bTo - 1 && b.charCodeAt(bFrom) === 48) bFrom++;
  const aLen = Math.max(0, aTo - aFrom);
  const bLen = Math.max(0, bTo - bFrom);
  const aZero = aLen === 0 || (aLen === 1 && a.charCodeAt(aFrom) === 48);
  const bZero = bLen === 0 || (bLen === 1 && b.charCodeAt(bFrom) === 48);
  if (aZero || bZero) return aZero === bZero ? 0 : aZero ? -1 : 1;
  if (aLen !== bLen) return aLen < bLen ? -1 : 1;
  for (let i = 0; i < aLen; i++) {
    const d = a.charCodeAt(aFrom + i) - b.charCodeAt(bFrom + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
