import { z } from 'zod';

// Request bodies validated here rather than in a library; their OpenAPI schemas are generated from these.

/** The viewer user agent an impression request may carry: as much as a redirect click keeps. */
export const MAX_VIEWER_AGENT = 512;

/** `POST /v1/impressions`: the ad, and the viewer's user agent (a link minted for a bot makes its click invalid). */
export const impressionBody = z.object({
  adId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .describe('a registered ad id'),
  userAgent: z.string().max(MAX_VIEWER_AGENT).describe("the viewer's user agent, as the ad server saw it").optional(),
});

/** `PUT /v1/admin/advertisers/:advertiserId`. */
export const advertiserBody = z.object({ name: z.string().trim().min(1).max(200) });
