export { BATCH_LIMITS, BatchItem, BatchParse, parseBatchBody } from './batch-body';
export { BatchResult, ClickIntakeService, IntakeResult } from './click-intake.service';
export { resolveClientIp, trustedProxyList } from './client-ip';
export { EnqueueUnavailableError, InvalidClickTokenError, UnknownAdError } from './intake-errors';
export { ClickRequest, IssuedImpression, RedirectClickService, RedirectOutcome } from './redirect-click.service';
export { ClickLogShipper } from './click-log-shipper';
