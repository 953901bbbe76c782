import { ApiProperty, ApiPropertyOptional, SchemaObject } from '@nestjs/swagger';
import { MINUTE_STATUSES } from '@clicks/reconciliation';
import { jsonSchemaOf, ProblemAnswerDoc } from '@clicks/server';
import { blockBody, saltsBody } from './bodies';

// The OpenAPI document's request schemas (generated from the validation) and response shapes (for the document
// only: the answers are built by libs/actor and libs/reconciliation).

/** Request bodies, by the name operations reference them with (`getSchemaPath`). */
export const AGGREGATOR_SCHEMAS: Record<string, SchemaObject> = {
  SaltsInput: jsonSchemaOf(saltsBody),
  BlockInput: jsonSchemaOf(blockBody),
};

export const ADMIN_PROBLEMS: ProblemAnswerDoc[] = [
  [401, 'no admin token'],
  [403, 'a wrong admin token'],
  [503, 'ADMIN_TOKEN is not set: admin endpoints are disabled'],
];

/** The admin answers of the controllers that answer 503 when Redis does not (RedisUnavailableFilter). */
export const ADMIN_REDIS_PROBLEMS: ProblemAnswerDoc[] = [
  ...ADMIN_PROBLEMS.slice(0, 2),
  [503, 'Redis did not answer (Retry-After), or ADMIN_TOKEN is not set'],
];

export class WorkerViewDoc {
  @ApiProperty({ description: 'this worker' }) workerId!: string;
  @ApiProperty({ type: [String] }) liveWorkers!: string[];
  @ApiProperty({ type: [String], description: 'workers drained for maintenance (own no shards)' })
  drainedWorkers!: string[];
  @ApiProperty({ type: [Number], description: "the shards this worker's assignment gives it" }) ownedShards!: number[];
}

export class ShardViewDoc {
  @ApiProperty({ example: 's0' }) shard!: string;
  @ApiProperty({ type: String, nullable: true, description: "the lease holder (null: the shard's lease is free)" })
  owner!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: "the lease's fencing epoch" }) epoch!: number | null;
  @ApiProperty({ type: Number, nullable: true }) leaseTtlMs!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'the last stream entry the checkpoint covers' })
  lastAppliedId!: string | null;
  @ApiProperty({ description: "the stream's length" }) length!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'entries not yet read by the aggregate group' })
  lag!: number | null;
  @ApiProperty({ description: 'entries read but not acknowledged by the aggregate group' }) pending!: number;
  @ApiProperty({ type: Number, nullable: true }) archiveLag!: number | null;
  @ApiProperty() archivePending!: number;
  @ApiProperty({ type: String, nullable: true, description: 'entries below it may be trimmed' })
  trimFloor!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the oldest entry not yet flushed and checkpointed: its append time bounds staleness',
  })
  oldestUnackedId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "when this worker hosts the shard, its actor's live statistics: watermark, counters, last flush",
  })
  local!: Record<string, unknown> | null;
}

export class ShardsDoc {
  @ApiProperty({ type: WorkerViewDoc }) worker!: WorkerViewDoc;
  @ApiProperty({ type: [ShardViewDoc] }) shards!: ShardViewDoc[];
}

export class RebalanceDoc {
  @ApiProperty({ example: true }) rebalancing!: boolean;
  @ApiProperty({ type: WorkerViewDoc }) worker!: WorkerViewDoc;
}

export class DrainedDoc {
  @ApiProperty({ description: 'the worker drained' }) drained!: string;
}

export class UndrainedDoc {
  @ApiProperty({ description: 'the worker taken back into the assignment' }) undrained!: string;
}

export class HotAdDoc {
  @ApiProperty({ example: 'ad-42' }) adId!: string;
  @ApiProperty({ example: 8 }) salts!: number;
  @ApiProperty({ description: 'epoch ms of the last change' }) changedAt!: number;
}

export class HotAdsDoc {
  @ApiProperty({ type: [HotAdDoc], description: 'ads routed over more than one salt' }) hotAds!: HotAdDoc[];
}

export class HotAdCandidateDoc {
  @ApiProperty() adId!: string;
  @ApiProperty() clicksPerSecond!: number;
  @ApiProperty({ description: 'the shard whose actor saw it' }) shard!: string;
  @ApiProperty({ description: 'epoch ms of the report' }) at!: number;
}

export class HotAdCandidatesDoc {
  @ApiProperty({ type: [HotAdCandidateDoc] }) candidates!: HotAdCandidateDoc[];
}

export class SaltsDoc {
  @ApiProperty({ example: 'ad-42' }) adId!: string;
  @ApiProperty({ example: 8 }) salts!: number;
  @ApiProperty({ description: 'the salts before this change (events still in flight may use them)' })
  previousSalts!: number;
  @ApiProperty({ description: 'epoch ms of the change' }) changedAt!: number;
}

export class BlocklistEntryDoc {
  @ApiProperty({ example: '203.0.113.0/24', description: 'normalized: an address or a CIDR range' }) cidr!: string;
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) addedAt!: string;
  @ApiPropertyOptional({ example: 'click farm' }) note?: string;
}

export class BlocklistDoc {
  @ApiProperty({ description: 'increases with every change' }) version!: number;
  @ApiProperty({ type: [BlocklistEntryDoc] }) entries!: BlocklistEntryDoc[];
}

const TALLIES = {
  archived: 'clicks in the raw archive',
  counted: 'clicks counted in the minute aggregates',
  late: 'clicks recorded in the late stream: arrived after their minute had closed',
};

export class ReconciledShardDoc {
  @ApiProperty({ example: 's3' }) shard!: string;
  @ApiProperty({ description: TALLIES.archived }) archived!: number;
  @ApiProperty({ description: TALLIES.counted }) counted!: number;
  @ApiProperty({ description: TALLIES.late }) late!: number;
  @ApiProperty({ description: 'archived - counted - late: 0 when every click is accounted for' }) difference!: number;
  @ApiProperty({ enum: MINUTE_STATUSES }) status!: string;
}

export class ReconciledMinuteDoc {
  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' }) minute!: string;
  @ApiProperty({ description: TALLIES.archived }) archived!: number;
  @ApiProperty({ description: TALLIES.counted }) counted!: number;
  @ApiProperty({ description: TALLIES.late }) late!: number;
  @ApiProperty() difference!: number;
  @ApiProperty({ enum: MINUTE_STATUSES, description: 'the worst status among its shards' }) status!: string;
  @ApiProperty({ type: [ReconciledShardDoc], description: 'the shards that do not match' })
  shards!: ReconciledShardDoc[];
}

export class MinuteCountsDoc {
  @ApiProperty() match!: number;
  @ApiProperty() mismatch!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() unverifiable!: number;
}

export class UnaccountedDoc {
  @ApiProperty() mismatch!: number;
  @ApiProperty() unverifiable!: number;
}

export class ReconciliationSummaryDoc {
  @ApiProperty({ description: TALLIES.archived }) archived!: number;
  @ApiProperty({ description: TALLIES.counted }) counted!: number;
  @ApiProperty({ description: TALLIES.late }) late!: number;
  @ApiProperty({ type: MinuteCountsDoc, description: 'minutes per status' }) minutes!: MinuteCountsDoc;
  @ApiProperty({ type: UnaccountedDoc, description: 'sum of |difference| over mismatched and unverifiable shards' })
  unaccountedClicks!: UnaccountedDoc;
}

export class IncompleteLateRecordsDoc {
  @ApiProperty() shard!: string;
  @ApiProperty({ enum: ['trimmed', 'scan budget', 'unreadable'] }) reason!: string;
  @ApiProperty({ type: String, nullable: true, description: 'late clicks before this may be missing (null: any)' })
  before!: string | null;
}

export class ReconciliationDoc {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: String, nullable: true }) adId!: string | null;
  @ApiProperty({ description: 'minutes ending after this are pending' }) settledBefore!: string;
  @ApiProperty({ description: 'mismatches were read a second time to confirm them' }) confirmed!: boolean;
  @ApiProperty({ type: [String], description: 'tables QuestDB had not applied yet: their mismatches are pending' })
  questdbBehind!: string[];
  @ApiProperty({ type: [IncompleteLateRecordsDoc] }) incompleteLateRecords!: IncompleteLateRecordsDoc[];
  @ApiProperty({ description: 'late-stream entries that could not be read' }) unreadableLateRecords!: number;
  @ApiProperty({ type: ReconciliationSummaryDoc }) summary!: ReconciliationSummaryDoc;
  @ApiProperty({ type: [ReconciledMinuteDoc] }) minutes!: ReconciledMinuteDoc[];
}
