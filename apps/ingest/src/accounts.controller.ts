import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res, UseFilters, UseGuards } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AccountStore, isKeyId, KeyKind, KeySummary, mintKey } from '@clicks/accounts';
import { isAdId } from '@clicks/ads';
import { AdminTokenGuard, fieldProblem, ProblemError, RedisUnavailableFilter } from '@clicks/server';

const advertiserBody = z.object({ name: z.string().trim().min(1).max(200) });

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
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class AccountsController {
  constructor(private readonly accounts: AccountStore) {}

  @Put('advertisers/:advertiserId')
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
  getAdvertiser(@Param('advertiserId') rawId: string) {
    return this.advertiser(checkId('advertiserId', rawId));
  }

  @Post('advertisers/:advertiserId/keys')
  async createAdvertiserKey(@Param('advertiserId') rawId: string) {
    const advertiserId = checkId('advertiserId', rawId);
    if (!(await this.accounts.getAdvertiser(advertiserId))) throw unknownAdvertiser(advertiserId);
    return { advertiserId, ...(await this.createKey('advertiser', advertiserId)) };
  }

  @Delete('advertisers/:advertiserId/keys/:keyId')
  @HttpCode(204)
  async revokeAdvertiserKey(@Param('advertiserId') rawId: string, @Param('keyId') keyId: string): Promise<void> {
    await this.revoke('advertiser', checkId('advertiserId', rawId), checkKeyId(keyId));
  }

  @Get('partners/:partnerId/keys')
  async partnerKeys(@Param('partnerId') rawId: string) {
    const partnerId = checkId('partnerId', rawId);
    return { partnerId, keys: (await this.accounts.listKeys('partner', partnerId)).map(summary) };
  }

  @Post('partners/:partnerId/keys')
  async createPartnerKey(@Param('partnerId') rawId: string) {
    const partnerId = checkId('partnerId', rawId);
    return { partnerId, ...(await this.createKey('partner', partnerId)) };
  }

  @Delete('partners/:partnerId/keys/:keyId')
  @HttpCode(204)
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
