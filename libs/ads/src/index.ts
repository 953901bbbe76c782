export { Ad, AdFieldError, AdParseResult, isAdId, parseAdRegistration } from './ad';
export { AD_CHANGES_CHANNEL, AdRegistry } from './ad-registry';
