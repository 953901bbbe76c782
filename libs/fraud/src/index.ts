export { ClickJudge, FraudRules, isBotAgent, JudgedClick, VerdictCells } from './click-judge';
export { CountByReason, INVALID_REASONS, InvalidReason, isInvalidReason, noInvalidClicks } from './invalid-reason';
export { InvalidCidrError, IpBlocklist, normalizeCidr } from './ip-blocklist';
