import { WindowRow } from '@clicks/windowing';
import { RewriteDuty } from './rewrite-duty';

const rowsOf = (starts: readonly number[]): WindowRow[] =>
  starts.map((windowStart) => ({ windowStart, adId: 'a', country: 'DE', clicks: windowStart }));

describe('RewriteDuty', () => {
  it('keeps the final rows of watched windows that close while armed, and hands them over once due', () => {
    const duty = new RewriteDuty();
    duty.arm(1000, [1, 2]);
    duty.watch([3]);
    duty.closing([1, 4], rowsOf); // 4 was never watched: nothing in flight can hold it
    expect(duty.fireIfDue(999)).toBe(false);
    expect(duty.extraRows).toEqual([]);
    expect(duty.fireIfDue(1000)).toBe(true);
    expect(duty.extraRows).toEqual(rowsOf([1]));
    expect(duty.extraRows).toEqual(rowsOf([1])); // until written
    duty.written();
    expect(duty.extraRows).toEqual([]);
    expect(duty.fireIfDue(5000)).toBe(false);
  });

  it('keeps nothing while not armed', () => {
    const duty = new RewriteDuty();
    duty.watch([1]);
    duty.closing([1], rowsOf);
    expect(duty.fireIfDue(0)).toBe(false);
    expect(duty.extraRows).toEqual([]);
  });

  it('extends an armed duty instead of dropping it (a second takeover, a failed write)', () => {
    const duty = new RewriteDuty();
    duty.arm(1000, [1]);
    duty.closing([1], rowsOf);
    duty.arm(1500, [2]);
    duty.closing([2], rowsOf);
    expect(duty.fireIfDue(1000)).toBe(false);
    expect(duty.fireIfDue(1500)).toBe(true);
    expect(duty.extraRows).toEqual(rowsOf([1, 2]));
  });

  it('starts afresh when armed after it fired', () => {
    const duty = new RewriteDuty();
    duty.arm(10, [1]);
    duty.closing([1], rowsOf);
    expect(duty.fireIfDue(10)).toBe(true);
    duty.written();
    duty.arm(20, [2]);
    duty.closing([1, 2], rowsOf);
    expect(duty.fireIfDue(20)).toBe(true);
    expect(duty.extraRows).toEqual(rowsOf([2]));
  });

  it('keeps the rows of a window with more cells than a spread call can pass (200,000)', () => {
    const duty = new RewriteDuty();
    duty.arm(1000, [1]);
    const many = (): WindowRow[] =>
      Array.from({ length: 200_000 }, (_, i) => ({ windowStart: 1, adId: `a${i}`, country: 'DE', clicks: 1 }));
    duty.closing([1], many);
    expect(duty.fireIfDue(1000)).toBe(true);
    expect(duty.extraRows).toHaveLength(200_000);
  });
});
