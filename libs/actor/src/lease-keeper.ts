import { FencedError } from '@clicks/stream';
import { Clock, ShardLease } from './shard-actor.ports';

/**
 * Holds one shard's lease for its actor: takes it (a fencing epoch), renews it at a third of the TTL, and says until
 * when the actor may still write to a sink that cannot check epochs (QuestDB): 80 % of the TTL after the last
 * renewal by the actor's own clock, so a paused owner stops before another can have taken over.
 */
export class LeaseKeeper {
  /** The epoch the actor acts under; 0 when it must take over (again) first. */
  epoch = 0;
  /** The epoch taken last: still held after a failure reset `epoch`, so a stop can release it. */
  private heldEpoch = 0;
  private renewedAt = 0;

  constructor(
    private readonly shard: number,
    private readonly lease: ShardLease,
    private readonly owner: string,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  /** Takes (or renews) the lease; true when held. The time is taken before the call, as a renewal's is. */
  async acquire(): Promise<boolean> {
    const now = this.clock.now();
    const epoch = await this.lease.acquireLease(this.owner, this.ttlMs);
    if (epoch === 0) return false;
    this.renewedAt = now;
    this.epoch = epoch;
    this.heldEpoch = epoch;
    return true;
  }

  /** Renews at a third of the TTL; FencedError if the renewal finds another owner or epoch. */
  async renewIfDue(): Promise<void> {
    const now = this.clock.now();
    if (now - this.renewedAt < this.ttlMs / 3) return;
    const epoch = await this.lease.acquireLease(this.owner, this.ttlMs);
    if (epoch !== this.epoch) throw new FencedError(this.shard, this.epoch, `lease now at epoch ${epoch}`);
    this.renewedAt = now;
  }

  /** No write may be sent at or after this time (ms, by the actor's clock). */
  get writeDeadline(): number {
    return this.renewedAt + this.ttlMs * 0.8;
  }

  get held(): boolean {
    return this.heldEpoch !== 0;
  }

  /** Releases the lease if still held at the epoch taken last (a no-op in Redis if another owner has it). */
  async release(): Promise<void> {
    const epoch = this.heldEpoch;
    this.epoch = 0;
    this.heldEpoch = 0;
    if (epoch !== 0) await this.lease.releaseLease(epoch);
  }

  /** The epoch taken last, for the hand-off log. */
  get lastEpoch(): number {
    return this.heldEpoch;
  }
}
