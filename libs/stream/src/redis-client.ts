import Redis, { Cluster, RedisOptions } from 'ioredis';
import { ACQUIRE_LEASE, CHECKPOINT, ENQUEUE_CLICKS, HEARTBEAT, RELEASE_LEASE } from './lua-scripts';

/** This project's scripts, registered as commands (EVALSHA, loading the script when missing). */
export interface ClicksCommands {
  /**
   * `numKeys` = 5 per stream; then the streams, 4 seen sets per stream, the number of streams, horizon,
   * touch-on-duplicate, the caller's bucket, the clicks field and, per stream, its click count n, n distinct de-dup
   * ids and the n payloads joined by newlines (see ENQUEUE_CLICKS).
   * Returns per stream [the new entry id or 0, then the 1-based positions of its duplicates].
   */
  enqueueClicks(numKeys: number, ...args: (string | number)[]): Promise<[string | 0, ...number[]][]>;
  acquireLease(leaseKey: string, epochKey: string, owner: string, ttlMs: number): Promise<number>;
  releaseLease(leaseKey: string, epoch: number): Promise<number>;
  /**
   * `numKeys` = 5 + changed + closed windows; see CHECKPOINT for the layout. Returns the new seq. The keys and
   * arguments come as one array (ioredis flattens it): they grow with the state, two per changed cell, and a
   * takeover's first checkpoint holds every open cell, far more than a spread call can pass (about 120,000 values).
   */
  checkpoint(numKeys: number, keysAndArgs: readonly (string | number)[]): Promise<number>;
  heartbeat(workersKey: string, worker: string, ttlMs: number): Promise<string[]>;
}

/**
 * One Redis, or a Redis Cluster (every script, pipeline and MULTI of ours touches one slot: see stream-keys.ts),
 * with our scripts; in a cluster a script runs on the node owning its first key.
 */
export type ClicksRedis = (Redis | Cluster) & ClicksCommands;

/** Where Redis is: a URL (also the credentials and TLS of cluster nodes), and the seed nodes of a cluster. */
export interface RedisTarget {
  url: string;
  /** Overrides the URL's password when not empty (a Secret of its own, never spliced into the URL). */
  password?: string;
  clusterNodes: readonly { host: string; port: number }[];
}

/**
 * How many replicas must hold a write batch before it counts as stored (WAIT after each batch), and how long to
 * wait for them. A property of the deployment, so it travels with the connection.
 */
export interface WriteConcern {
  replicas: number;
  timeoutMs: number;
}

const NO_REPLICAS: WriteConcern = { replicas: 0, timeoutMs: 0 };
const writeConcerns = new WeakMap<object, WriteConcern>();

/** The write concern the connection was created with (none: a reply of the master is enough). */
export function writeConcernOf(redis: ClicksRedis): WriteConcern {
  return writeConcerns.get(redis) ?? NO_REPLICAS;
}

/** Connection behaviour shared by one Redis and a cluster. */
export interface ConnectionOptions {
  writeConcern?: WriteConcern;
  enableOfflineQueue?: boolean;
  enableAutoPipelining?: boolean;
  /** null: retry forever (blocking readers); a number: fail a command after that many reconnections. */
  maxRetriesPerRequest?: number | null;
  /**
   * false: a command sent before a disconnect fails instead of being sent again. An XREADGROUP `>` whose answer was
   * lost has already moved its entries to the pending list; sent again it would return newer entries instead.
   */
  autoResendUnfulfilledCommands?: boolean;
  /**
   * A command not answered within this many ms fails ("Command timed out"). Without it, a command in flight when
   * the connection drops is never settled once resending is off: nothing may wait on Redis forever.
   */
  commandTimeout?: number;
}

const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 2000);

export function createRedis(target: RedisTarget, name: string, options: ConnectionOptions = {}): ClicksRedis {
  const { writeConcern, ...connection } = options;
  const redis =
    target.clusterNodes.length > 0 ? createCluster(target, name, connection) : createSingle(target, name, connection);
  if (writeConcern) writeConcerns.set(redis, writeConcern);
  redis.on('error', () => {
    // Reconnection is automatic; readiness reports the outage. Without a listener ioredis logs every retry.
  });
  redis.defineCommand('enqueueClicks', { lua: ENQUEUE_CLICKS });
  redis.defineCommand('acquireLease', { numberOfKeys: 2, lua: ACQUIRE_LEASE });
  redis.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
  redis.defineCommand('checkpoint', { lua: CHECKPOINT });
  redis.defineCommand('heartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  return redis as ClicksRedis;
}

function createSingle(target: RedisTarget, name: string, options: Omit<ConnectionOptions, 'writeConcern'>): Redis {
  return new Redis(target.url, {
    connectionName: name,
    lazyConnect: false,
    retryStrategy: reconnectDelay,
    ...options,
    ...(target.password ? { password: target.password } : {}),
  });
}

/** Node options from the target: credentials and TLS apply to every node of the cluster. */
export function nodeOptionsOf(target: RedisTarget): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const u = new URL(target.url);
  return {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: target.password || (u.password ? decodeURIComponent(u.password) : undefined),
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * A cluster client. While a master fails over, its slots answer "connection closed", then CLUSTERDOWN or MOVED:
 * ioredis retries those after a short delay and refreshes the slot map, for at most `maxRedirections` tries, so a
 * request either lands on the new master or fails in time for ingest to answer 503 (the client retries).
 */
function createCluster(target: RedisTarget, name: string, options: Omit<ConnectionOptions, 'writeConcern'>): Cluster {
  return new Cluster(
    target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
    {
      enableOfflineQueue: options.enableOfflineQueue,
      // An auto-pipeline answered MOVED (after a failover) fails its writes instead of following the redirection;
      // single commands follow it. Intake batches its writes in explicit per-shard pipelines anyway.
      enableAutoPipelining: false,
      scaleReads: 'master',
      clusterRetryStrategy: reconnectDelay,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 200,
      maxRedirections: 16,
      // Notice a promoted replica soon even when no command of ours was redirected yet.
      slotsRefreshInterval: 2000,
      redisOptions: {
        ...nodeOptionsOf(target),
        connectionName: name,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
        autoResendUnfulfilledCommands: options.autoResendUnfulfilledCommands,
        commandTimeout: options.commandTimeout,
      },
    },
  );
}

/** Injection token of the process's shared Redis connection. */
export const REDIS = Symbol('REDIS');

/** Every key matching `match`, a batch at a time, on one Redis or on every master of a cluster (SCAN, never KEYS). */
export async function* scanKeys(redis: ClicksRedis, match: string, count = 1000): AsyncGenerator<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match, count })) yield keys as string[];
  }
}
