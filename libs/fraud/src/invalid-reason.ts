/**
 * Why a click is invalid (not billable), in the order the rules are tried: a click gets the first reason that
 * applies, so every invalid click is counted under exactly one reason.
 */
export const INVALID_REASONS = ['blocked_ip', 'bot', 'too_fast', 'ip_rate', 'repeat_user'] as const;

export type InvalidReason = (typeof INVALID_REASONS)[number];

export function isInvalidReason(value: string): value is InvalidReason {
  return (INVALID_REASONS as readonly string[]).includes(value);
}

/** A count per reason, every reason present (0 when none): the shape queries answer with. */
export type CountByReason = Record<InvalidReason, number>;

export function noInvalidClicks(): CountByReason {
  return { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 0 };
}
