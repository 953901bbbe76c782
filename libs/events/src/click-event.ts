/** A validated click, as it travels through the shard streams. `ts` is event time in epoch milliseconds (UTC). */
export interface ClickEvent {
  eventId: string;
  adId: string;
  ts: number;
  userId?: string;
  ip?: string;
  country?: string;
  impressionId?: string;
  userAgent?: string;
  /** When the impression of a redirect click was issued (ms), from its signed token. */
  impressionAt?: number;
  /** The impression of a redirect click was requested by a bot (its token says so). */
  impressionBot?: boolean;
  /**
   * Who sent it: the partner of the key (for a redirect click, the partner that asked for the link), `admin`,
   * `log-agent`, or `redirect` for links signed before they named a partner. Set by the intake, never by the sender.
   */
  partnerId?: string;
}

/** The dimension value used when a click carries no country. */
export const UNKNOWN_COUNTRY = '--';
