import { compareStreamIds } from './shard-stream';

describe('compareStreamIds', () => {
  it.each([
    ['1-0', '1-0', 0],
    ['1-1', '1-0', 1],
    ['2-0', '10-0', -1],
    ['10-0', '9-99', 1],
    ['1700000000000-5', '1700000000000-12', -1],
  ])('%s vs %s is %i', (a, b, d) => {
    expect(compareStreamIds(a, b)).toBe(d);
  });
});
