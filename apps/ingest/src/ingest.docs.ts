import { ApiProperty, ApiPropertyOptional, SchemaObject } from '@nestjs/swagger';
import { AD_REGISTRATION_JSON_SCHEMA } from '@clicks/ads';
import { CLICK_JSON_SCHEMA } from '@clicks/events';
import { jsonSchemaOf, ProblemAnswerDoc } from '@clicks/server';
import { advertiserBody, impressionBody } from './bodies';

// The OpenAPI document's request schemas (generated from the validation) and response shapes (for the document
// only: the answers are built by the controllers and libs/intake).

/** Request bodies, by the name operations reference them with (`getSchemaPath`). */
export const INGEST_SCHEMAS: Record<string, SchemaObject> = {
  ClickInput: CLICK_JSON_SCHEMA as SchemaObject,
  AdRegistration: AD_REGISTRATION_JSON_SCHEMA as SchemaObject,
  ImpressionInput: jsonSchemaOf(impressionBody),
  AdvertiserInput: jsonSchemaOf(advertiserBody),
};

export const ADMIN_PROBLEMS: ProblemAnswerDoc[] = [
  [401, 'no admin token'],
  [403, 'a wrong admin token'],
  [503, 'Redis did not answer (Retry-After), or ADMIN_TOKEN is not set'],
];

/** Answers of the endpoints that take a key (admin token, or the key kind the endpoint requires). */
export const KEY_PROBLEMS: ProblemAnswerDoc[] = [
  [401, 'no key, or an unknown or revoked one'],
  [403, 'a key of the wrong kind'],
];

export class ClickAcceptedDoc {
  @ApiProperty({ example: 'c-7f3a', description: 'the given eventId, or the one derived from the click' })
  eventId!: string;
  @ApiProperty({ description: 'the click was stored before (acknowledged, not counted again)' }) duplicate!: boolean;
}

export class RejectedEventDoc {
  @ApiProperty({ description: "the event's position in the batch (its line in NDJSON, blank lines not counted)" })
  index!: number;
  @ApiProperty({ example: 'adId' }) field!: string;
  @ApiProperty({ example: '1-64 characters of [A-Za-z0-9._-]' }) message!: string;
}

export class BatchResultDoc {
  @ApiProperty({ description: 'events stored and counted' }) accepted!: number;
  @ApiProperty({ description: 'events stored before (not counted again)' }) duplicates!: number;
  @ApiProperty({ type: [RejectedEventDoc], description: 'invalid events, not stored' }) rejected!: RejectedEventDoc[];
}

export class ImpressionDoc {
  @ApiProperty() impressionId!: string;
  @ApiProperty({ description: 'the signed click token of the link' }) token!: string;
  @ApiProperty({ example: 'https://clicks.example.com/v1/r/…', description: 'the link the browser follows' })
  clickUrl!: string;
  @ApiProperty({ example: '2026-12-02T10:00:00.000Z', description: 'after this, the link no longer counts' })
  expiresAt!: string;
}

export class AdDoc {
  @ApiProperty({ example: 'ad-42' }) adId!: string;
  @ApiProperty({ example: 'https://example.com/landing' }) targetUrl!: string;
  @ApiProperty({ example: 'adv-1' }) advertiserId!: string;
  @ApiProperty({ example: 'c-9' }) campaignId!: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) updatedAt!: string;
}

export class KeySummaryDoc {
  @ApiProperty({ example: 'ckp_…' }) keyId!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ description: 'when it was revoked (absent: in force)' }) revokedAt?: string;
}

export class AdvertiserDoc {
  @ApiProperty({ example: 'adv-1' }) advertiserId!: string;
  @ApiProperty({ example: 'Shoes Inc.' }) name!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [KeySummaryDoc] }) keys!: KeySummaryDoc[];
}

export class AdvertiserKeyDoc {
  @ApiProperty({ example: 'adv-1' }) advertiserId!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'the key itself: shown only this once (only its hash is stored)' }) key!: string;
}

export class PartnerKeyDoc {
  @ApiProperty({ example: 'acme-ads' }) partnerId!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'the key itself: shown only this once (only its hash is stored)' }) key!: string;
}

export class PartnerKeysDoc {
  @ApiProperty({ example: 'acme-ads' }) partnerId!: string;
  @ApiProperty({ type: [KeySummaryDoc] }) keys!: KeySummaryDoc[];
}

export class LiveDoc {
  @ApiProperty({ example: 'ok' }) status!: string;
}
