export {
  ImpressionClaims,
  ImpressionTokenSigner,
  SignedImpression,
  SigningKey,
  TokenRejection,
  VerifyResult,
} from './impression-token';
