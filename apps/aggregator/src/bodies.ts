import { z } from 'zod';
import { MAX_SALTS } from '@clicks/routing';

// Admin request bodies; their OpenAPI schemas are generated from these.

export const MAX_NOTE = 200;

/** `PUT /v1/admin/hot-ads/:adId`. */
export const saltsBody = z.object({
  salts: z
    .number()
    .int()
    .min(1)
    .max(MAX_SALTS)
    .describe("how many sub-streams the ad's events are spread over (1: not salted)"),
});

/** `PUT /v1/admin/blocklist/:cidr`: the note is optional, and so is the body. */
export const blockBody = z.object({
  note: z.string().max(MAX_NOTE).describe('why the address or range is blocked').optional(),
});
