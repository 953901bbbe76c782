import { isIP } from 'node:net';
import { z } from 'zod';
import { ClickEvent } from './click-event';
import { deriveEventId } from './derive-event-id';
import { isIsoCountry } from './iso-countries';

export interface ClickLimits {
  /** How far in the future (ms) an event time may be. */
  maxFutureSkewMs: number;
  /** How old (ms) an event time may be. */
  maxAgeMs: number;
}

export interface FieldError {
  field: string;
  message: string;
}

export type ParseResult = { ok: true; event: ClickEvent } | { ok: false; error: FieldError };

const timestamp = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
  .describe('when the click happened: epoch milliseconds or ISO-8601 with zone; required without eventId');

// Unknown fields are ignored (stripped) so that senders can add their own.
const clickInput = z.object({
  eventId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 characters of [A-Za-z0-9._:-]')
    .describe('the idempotency key: a retry with the same one counts once; required without timestamp')
    .optional(),
  adId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 characters of [A-Za-z0-9._-]'),
  timestamp: timestamp.optional(),
  userId: z.string().min(1).max(128).optional(),
  ip: z
    .string()
    .max(45)
    .refine((s) => isIP(s) !== 0, 'not a valid IPv4 or IPv6 address')
    .describe("the clicking user's IPv4 or IPv6 address")
    .optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'an ISO-3166 alpha-2 code')
    .refine(isIsoCountry, 'not an assigned ISO-3166 alpha-2 code')
    .describe('an assigned ISO-3166 alpha-2 code, either case')
    .transform((s) => s.toUpperCase())
    .optional(),
  impressionId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 characters of [A-Za-z0-9._:-]')
    .optional(),
  userAgent: z.string().max(512).describe("the clicking browser's user agent (bots' clicks are invalid)").optional(),
});

/**
 * One click as `POST /v1/clicks` takes it (and each event of a batch): the OpenAPI 3.0 schema generated from the
 * validation itself. The checks JSON Schema cannot express (an address, an assigned country) are left out.
 */
export const CLICK_JSON_SCHEMA = z.toJSONSchema(clickInput, { io: 'input', target: 'openapi-3.0' });

function firstError(error: z.ZodError): FieldError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'body';
  return { field, message: issue?.message ?? 'invalid' };
}

/** Validates one click as received from any intake path. `now` is the server's clock. */
export function parseClick(input: unknown, now: number, limits: ClickLimits): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: { field: 'body', message: 'expected a JSON object' } };
  }
  const parsed = clickInput.safeParse(input);
  if (!parsed.success) return { ok: false, error: firstError(parsed.error) };
  const c = parsed.data;
  if (c.eventId === undefined && c.timestamp === undefined) {
    // An id made up from the server's clock would differ on a retry: the retry would count twice.
    const message = 'required unless timestamp is given: eventId is the idempotency key (a retry counts once)';
    return { ok: false, error: { field: 'eventId', message } };
  }
  const ts = c.timestamp ?? now;
  if (ts > now + limits.maxFutureSkewMs) {
    return { ok: false, error: { field: 'timestamp', message: 'more than the allowed skew in the future' } };
  }
  if (ts < now - limits.maxAgeMs) {
    return { ok: false, error: { field: 'timestamp', message: 'older than the retention horizon' } };
  }
  const event: ClickEvent = { eventId: c.eventId ?? deriveEventId(c.adId, ts, c.userId, c.ip), adId: c.adId, ts };
  if (c.userId !== undefined) event.userId = c.userId;
  if (c.ip !== undefined) event.ip = c.ip;
  if (c.country !== undefined) event.country = c.country;
  if (c.impressionId !== undefined) event.impressionId = c.impressionId;
  if (c.userAgent !== undefined) event.userAgent = c.userAgent;
  return { ok: true, event };
}
