export { ClickEvent, UNKNOWN_COUNTRY } from './click-event';
export {
  CSV_CLICK_HEADER,
  ClickLineResult,
  ClickLogFormat,
  clickLineToInput,
  detectClickLogFormat,
  isCsvHeader,
} from './click-log-line';
export { deriveEventId } from './derive-event-id';
export { isIsoCountry } from './iso-countries';
export { CLICK_JSON_SCHEMA, ClickLimits, FieldError, ParseResult, parseClick } from './parse-click';
export { MalformedEntryError, decodeClick, encodeClick } from './stream-codec';
export { decodeLateRecord, encodeLateRecord, LATE_FOLDED_REASON, LATE_REASON, LateRecord } from './late-record';
