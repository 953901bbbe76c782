import { decodeLateRecord, encodeLateRecord, LATE_FOLDED_REASON, LATE_REASON } from './late-record';
import { encodeClick } from './stream-codec';
import { MalformedEntryError } from './stream-codec';

describe('late records', () => {
  const click = { eventId: 'e1', adId: 'ad-1', ts: 1_700_000_000_000, country: 'DE' };

  it('round-trips the entry id, the click and the stream time', () => {
    const text = encodeLateRecord('1-0', encodeClick(click), 1_700_000_400_000);
    expect(decodeLateRecord('9-0', text)).toEqual({
      entryId: '1-0',
      click,
      reason: LATE_FOLDED_REASON,
      observedStreamTime: 1_700_000_400_000,
    });
  });

  it.each([
    ['no field', undefined],
    ['not JSON', '{'],
    ['no entry id', JSON.stringify({ click: encodeClick(click) })],
    ['no click', JSON.stringify({ entryId: '1-0' })],
    ['no stream time', JSON.stringify({ entryId: '1-0', click: encodeClick(click), reason: LATE_REASON })],
    [
      'a click that is not one',
      JSON.stringify({ entryId: '1-0', click: '{"adId":"a"}', reason: LATE_REASON, observedStreamTime: 1 }),
    ],
  ])('rejects %s as malformed', (_name, text) => {
    expect(() => decodeLateRecord('9-0', text)).toThrow(MalformedEntryError);
  });
});
