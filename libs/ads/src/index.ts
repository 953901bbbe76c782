export { Ad, AD_REGISTRATION_JSON_SCHEMA, AdFieldError, AdParseResult, isAdId, parseAdRegistration } from './ad';
export { AD_CHANGES_CHANNEL, AdRegistry } from './ad-registry';
