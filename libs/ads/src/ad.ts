import { z } from 'zod';

/** A registered ad: where its clicks are redirected, and who it belongs to. */
export interface Ad {
  adId: string;
  targetUrl: string;
  advertiserId: string;
  campaignId: string;
  /** When it was last registered or changed, epoch ms. */
  updatedAt: number;
}

export interface AdFieldError {
  field: string;
  message: string;
}

export type AdParseResult = { ok: true; ad: Ad } | { ok: false; error: AdFieldError };

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const ID_MESSAGE = '1-64 characters of [A-Za-z0-9._-]';

const registration = z.object({
  targetUrl: z
    .string()
    .max(2048)
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, 'an absolute http(s) URL of at most 2048 characters')
    .describe("where the ad's clicks are redirected: an absolute http(s) URL"),
  advertiserId: z.string().regex(ID, ID_MESSAGE).describe('the advertiser the ad belongs to'),
  campaignId: z.string().regex(ID, ID_MESSAGE),
});

/**
 * The body of `PUT /v1/ads/:adId` as an OpenAPI 3.0 schema generated from its validation (which also requires the
 * URL to parse as absolute http(s) with a host).
 */
export const AD_REGISTRATION_JSON_SCHEMA = z.toJSONSchema(registration, { io: 'input', target: 'openapi-3.0' });

/** Validates `PUT /v1/ads/:adId`: the ad id from the path, the rest from the body; unknown fields are ignored. */
export function parseAdRegistration(adId: string, body: unknown, now: number): AdParseResult {
  if (!ID.test(adId)) return { ok: false, error: { field: 'adId', message: ID_MESSAGE } };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: { field: 'body', message: 'expected a JSON object' } };
  }
  const parsed = registration.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: { field: issue?.path.join('.') || 'body', message: issue?.message ?? 'invalid' } };
  }
  return { ok: true, ad: { adId, ...parsed.data, updatedAt: now } };
}

export function isAdId(adId: string): boolean {
  return ID.test(adId);
}
