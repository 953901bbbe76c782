import { compareStreamIds } from './stream-ids';

describe('compareStreamIds', () => {
  it.each([
    ['1-0', '1-0', 0],
    ['1-1', '1-0', 1],
    ['2-0', '10-0', -1],
    ['10-0', '9-99', 1],
    ['1700000000000-5', '1700000000000-12', -1],
    ['1700000000000-12', '1700000000000-5', 1],
    ['1700000000001-0', '1700000000000-99', 1],
    ['0-0', '0-0', 0],
    ['0-0', '1-0', -1],
    ['5', '5-0', 0],
    ['5-1', '5', 1],
    ['0-1', '0-0', 1],
    ['007-3', '7-3', 0],
    ['1-09', '1-10', -1],
  ])('%s vs %s is %i', (a, b, d) => {
    expect(compareStreamIds(a, b)).toBe(d);
    expect(compareStreamIds(b, a)).toBe(d === 0 ? 0 : -d);
  });

  it('agrees with a numeric comparison on random ids', () => {
    const reference = (x: string, y: string) => {
      const [xm, xs = 0n] = x.split('-').map(BigInt);
      const [ym, ys = 0n] = y.split('-').map(BigInt);
      return xm !== ym ? (xm < ym ? -1 : 1) : xs === ys ? 0 : xs < ys ? -1 : 1;
    };
    const id = (i: number) => `${(i * 7919) % 2003}${i % 3 === 0 ? '' : `-${(i * 31) % 17}`}`;
    for (let i = 0; i < 400; i++) {
      const [x, y] = [id(i), id(i + 1 + (i % 7))];
      expect(compareStreamIds(x, y)).toBe(reference(x, y));
    }
  });
});
