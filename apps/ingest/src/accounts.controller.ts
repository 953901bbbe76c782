import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AccountStore, isKeyId, KeyKind, KeySummary, mintKey } from '@clicks/accounts';
import { isAdId } from '@clicks/ads';
import { AdminTokenGuard, ApiProblems, fieldProblem, ProblemError, RedisUnavailableFilter } from '@clicks/server';
import { advertiserBody } from './bodies';
import { ADMIN_PROBLEMS, AdvertiserDoc, AdvertiserKeyDoc, PartnerKeyDoc, PartnerKeysDoc } from './ingest.docs';

const ID = '1-64 characters of [A-Za-z0-9._-]';
const ADVERTISER = ApiParam({ name: 'advertiserId', description: ID });
const PARTNER = ApiParam({ name: 'partnerId', description: ID });
const KEY = ApiParam({ name: 'keyId', description: 'the keyId shown when the key was created' });

function checkId(param: string, value: string): string {
  if (!isAdId(value)) throw fieldProblem('invalid-parameter', param, '1-64 characters of [A-Za-z0-9._-]');
  return value;
}

function checkKeyId(value: string): string {
  if (!isKeyId(value)) throw fieldProblem('invalid-parameter', 'keyId', 'not a key id');
  return value;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const summary = (k: KeySummary) => ({ keyId: k.keyId, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt) });

/**
 * Accounts (admin token): advertisers, and the keys partners send clicks with and advertisers read their numbers
 * with. A new key is answered once, in full; only its hash is stored.
 */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class AccountsController {
  constructor(private readonly accounts: AccountStore) {}

  @Put('advertisers/:advertiserId')
  @ApiOperation({ summary: 'Creates an advertiser or renames it' })
  @ADVERTISER
  @ApiBody({ schema: { $ref: getSchemaPath('AdvertiserInput') } })
  @ApiOkResponse({ type: AdvertiserDoc, description: 'renamed' })
  @ApiCreatedResponse({ type: AdvertiserDoc, description: 'created' })
  @ApiProblems([400, 'an invalid advertiserId or name, named in errors[].field'], ...ADMIN_PROBLEMS)
  async putAdvertiser(
    @Param('advertiserId') rawId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const advertiserId = checkId('advertiserId', rawId);
    const parsed = advertiserBody.safeParse(body ?? {});
    if (!parsed.success) {
      throw fieldProblem('invalid-body', 'name', '1-200 characters');
    }
    const { created } = await this.accounts.putAdvertiser(advertiserId, parsed.data.name, Date.now());
    void reply.code(created ? 201 : 200);
    return this.advertiser(advertiserId);
  }

  @Get('advertisers/:advertiserId')
  @ApiOperation({ summary: 'An advertiser and its keys (ids and dates, never the keys themselves)' })
  @ADVERTISER
  @ApiOkResponse({ type: AdvertiserDoc })
  @ApiProblems([400, 'an invalid advertiserId'], ...ADMIN_PROBLEMS, [404, 'no such advertiser'])
  getAdvertiser(@Param('advertiserId') rawId: string) {
    return this.advertiser(checkId('advertiserId', rawId));
  }

  @Post('advertisers/:advertiserId/keys')
  @ApiOperation({ summary: "A new advertiser key, to read its own ads' numbers: shown once, in full" })
  @ADVERTISER
  @ApiCreatedResponse({ type: AdvertiserKeyDoc })
  @ApiProblems([400, 'an invalid advertiserId'], ...ADMIN_PROBLEMS, [404, 'no such advertiser (PUT it first)'])
  async createAdvertiserKey(@Param('advertiserId') rawId: string) {
    const advertiserId = checkId('advertiserId', rawId);
    if (!(await this.accounts.getAdvertiser(advertiserId))) throw unknownAdvertiser(advertiserId);
    return { advertiserId, ...(await this.createKey('advertiser', advertiserId)) };
  }

  @Delete('advertisers/:advertiserId/keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revokes an advertiser key: every replica refuses it within seconds' })
  @ADVERTISER
  @KEY
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiProblems([400, 'an invalid advertiserId or keyId'], ...ADMIN_PROBLEMS, [404, 'the advertiser has no such key'])
  async revokeAdvertiserKey(@Param('advertiserId') rawId: string, @Param('keyId') keyId: string): Promise<void> {
    await this.revoke('advertiser', checkId('advertiserId', rawId), checkKeyId(keyId));
  }

  @Get('partners/:partnerId/keys')
  @ApiOperation({ summary: "A partner's keys (ids and dates, never the keys themselves)" })
  @PARTNER
  @ApiOkResponse({ type: PartnerKeysDoc })
  @ApiProblems([400, 'an invalid partnerId'], ...ADMIN_PROBLEMS)
  async partnerKeys(@Param('partnerId') rawId: string) {
    const partnerId = checkId('partnerId', rawId);
    return { partnerId, keys: (await this.accounts.listKeys('partner', partnerId)).map(summary) };
  }

  @Post('partners/:partnerId/keys')
  @ApiOperation({ summary: 'A new partner key, to send clicks with: shown once, in full' })
  @PARTNER
  @ApiCreatedResponse({ type: PartnerKeyDoc })
  @ApiProblems([400, 'an invalid partnerId'], ...ADMIN_PROBLEMS)
  async createPartnerKey(@Param('partnerId') rawId: string) {
    const partnerId = checkId('partnerId', rawId);
    return { partnerId, ...(await this.createKey('partner', partnerId)) };
  }

  @Delete('partners/:partnerId/keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revokes a partner key: every replica refuses it within seconds' })
  @PARTNER
  @KEY
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiProblems([400, 'an invalid partnerId or keyId'], ...ADMIN_PROBLEMS, [404, 'the partner has no such key'])
  async revokePartnerKey(@Param('partnerId') rawId: string, @Param('keyId') keyId: string): Promise<void> {
    await this.revoke('partner', checkId('partnerId', rawId), checkKeyId(keyId));
  }

  private async advertiser(advertiserId: string) {
    const found = await this.accounts.getAdvertiser(advertiserId);
    if (!found) throw unknownAdvertiser(advertiserId);
    const keys = await this.accounts.listKeys('advertiser', advertiserId);
    return { advertiserId, name: found.name, createdAt: iso(found.createdAt), keys: keys.map(summary) };
  }

  private async createKey(kind: KeyKind, ownerId: string) {
    const minted = mintKey(kind);
    await this.accounts.saveKey(kind, ownerId, minted, Date.now());
    return { keyId: minted.keyId, key: minted.key };
  }

  private async revoke(kind: KeyKind, ownerId: string, keyId: string): Promise<void> {
    if (!(await this.accounts.revokeKey(kind, ownerId, keyId, Date.now()))) {
      throw fieldProblem('not-found', 'keyId', `${kind} ${ownerId} has no key ${keyId}`);
    }
  }
}

function unknownAdvertiser(advertiserId: string): ProblemError {
  return fieldProblem(
    'not-found',
    'advertiserId',
    `advertiser ${advertiserId} does not exist (PUT /v1/admin/advertisers/${advertiserId} first)`,
  );
}
