export { AccountsModule } from './accounts.module';
export { AccountStore, Advertiser, KEY_REVOCATIONS_CHANNEL, KeySummary } from './account-store';
export { isKeyId, KEY_KINDS, KeyKind, mintKey } from './api-key';
export { Admission } from './admission';
export { ApiKeyGuard, RequireKey } from './api-key.guard';
export { KeyVerifier } from './key-verifier';
export { AuthError, partnerOf, Principal } from './principal';
