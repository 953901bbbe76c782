export { ClickEvent, UNKNOWN_COUNTRY } from './click-event';
export { deriveEventId } from './derive-event-id';
export { ClickLimits, FieldError, ParseResult, parseClick } from './parse-click';
export { MalformedEntryError, decodeClick, encodeClick } from './stream-codec';
