import { Global, Module } from '@nestjs/common';
import { RateLimits } from '@clicks/limits';
import { AccountStore } from './account-store';
import { Admission } from './admission';
import { ApiKeyGuard } from './api-key.guard';
import { KeyVerifier } from './key-verifier';

/** Keys, who holds them, and the per-key limits; needs RedisModule, MetricsModule and ConfigModule. */
@Global()
@Module({
  providers: [AccountStore, KeyVerifier, Admission, ApiKeyGuard, RateLimits],
  exports: [AccountStore, KeyVerifier, Admission, ApiKeyGuard, RateLimits],
})
export class AccountsModule {}
