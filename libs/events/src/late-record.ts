import { ClickEvent } from './click-event';
import { decodeClick, MalformedEntryError, parseEntryJson } from './stream-codec';

/**
 * Why a click was not counted with its window: the window had closed when its shard read it. Records written
 * before late clicks were folded in say LATE_REASON (never counted); later ones LATE_FOLDED_REASON (counted apart, in
 * their minute's late row).
 */
export const LATE_REASON = 'window closed';
export const LATE_FOLDED_REASON = 'window closed; folded into its minute';

/** What a shard's late-events stream records per late click (see ShardActor), and what reconciliation reads. */
export interface LateRecord {
  /** The click's entry in the shard stream. */
  entryId: string;
  click: ClickEvent;
  reason: string;
  /** The shard's stream time when the click arrived. */
  observedStreamTime: number;
}

/** `payload` is the click's stream payload, kept verbatim. */
export function encodeLateRecord(entryId: string, payload: string, observedStreamTime: number): string {
  return JSON.stringify({ entryId, click: payload, reason: LATE_FOLDED_REASON, observedStreamTime });
}

/**
 * Throws MalformedEntryError for anything encodeLateRecord did not write: naming the late stream's entry, or for a
 * bad click inside the record, the click's own stream entry.
 */
export function decodeLateRecord(recordId: string, text: string | undefined): LateRecord {
  const r = parseEntryJson(recordId, text, 'late', 'late record') as Partial<Record<keyof LateRecord, unknown>> | null;
  if (
    !r ||
    typeof r.entryId !== 'string' ||
    typeof r.click !== 'string' ||
    typeof r.reason !== 'string' ||
    typeof r.observedStreamTime !== 'number'
  ) {
    throw new MalformedEntryError(recordId, 'late record lacks entryId, click, reason or observedStreamTime');
  }
  return {
    entryId: r.entryId,
    click: decodeClick(r.entryId, r.click),
    reason: r.reason,
    observedStreamTime: r.observedStreamTime,
  };
}
