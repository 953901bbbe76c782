import { Type } from '@nestjs/common';
import { ClientProvider, ClientProxy, ClientRedis, RedisOptions, ServerRedis, Transport } from '@nestjs/microservices';
import Redis, { Cluster } from 'ioredis';
import { nodeOptionsOf, RedisTarget } from './redis-client';

/** Control messages between apps (fire-and-forget pub/sub over Redis, via @nestjs/microservices). */
export const CONTROL_BUS = 'CONTROL_BUS';
export const CONTROL_EVENTS = { hotAdsChanged: 'hot-ads.changed', rebalance: 'shards.rebalance' } as const;

type TransportOptions = Required<RedisOptions>['options'];
/** The transport's options, plus the cluster's seed nodes (empty: one Redis at host/port). */
type ControlBusOptions = TransportOptions & { clusterNodes: RedisTarget['clusterNodes'] };

function transportOptions(redis: RedisTarget): ControlBusOptions {
  const u = new URL(redis.url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...nodeOptionsOf(redis),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: 1000,
    clusterNodes: redis.clusterNodes,
  };
}

/**
 * In a cluster, the bus talks through a cluster client: PUBLISH reaches every node (the cluster bus broadcasts
 * it), and when the node holding the subscription dies, ioredis subscribes again on another node.
 */
function clusterClient(options: ControlBusOptions): Redis {
  const { username, password, tls } = options;
  const cluster = new Cluster([...options.clusterNodes], {
    lazyConnect: true,
    clusterRetryStrategy: () => options.retryDelay ?? 1000,
    redisOptions: { username, password, tls },
  });
  // The transport's API is typed for one Redis; it only uses what a cluster client has too (pub/sub, events, quit).
  return cluster as unknown as Redis;
}

/** Publisher side of the bus for a cluster. */
export class ControlBusClient extends ClientRedis {
  constructor(private readonly busOptions: ControlBusOptions) {
    super(busOptions);
  }

  override createClient(): Redis {
    return this.busOptions.clusterNodes.length > 0 ? clusterClient(this.busOptions) : (super.createClient() as Redis);
  }
}

/** Client options of the bus (ClientsModule), from the Redis settings; it reconnects for as long as we run. */
export function controlBusOptions(redis: RedisTarget): ClientProvider {
  const options = transportOptions(redis);
  // ClientRedis narrows the status type of ClientProxy, which the customClass type does not allow for.
  if (redis.clusterNodes.length > 0) return { customClass: ControlBusClient as unknown as Type<ClientProxy>, options };
  const single: Partial<ControlBusOptions> = { ...options };
  delete single.clusterNodes;
  return { transport: Transport.REDIS, options: single };
}

/** What the subscriber needs of a connection (a Redis or a Cluster client). */
interface ConnectableClient {
  status: string;
  connect(): Promise<void>;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * The control-bus subscriber. Redis may be down when the app starts: then it subscribes as soon as both of its
 * connections are ready, instead of giving up (intake polls meanwhile). Shutting down while Redis is unreachable
 * must not fail the app's shutdown: the subscription holds no state worth a clean QUIT.
 */
export class ControlBusServer extends ServerRedis {
  private readonly busOptions: ControlBusOptions;

  constructor(redis: RedisTarget) {
    const options = transportOptions(redis);
    super(options);
    this.busOptions = options;
  }

  override createRedisClient(): Redis {
    return this.busOptions.clusterNodes.length > 0
      ? clusterClient(this.busOptions)
      : (super.createRedisClient() as Redis);
  }

  override start(callback?: () => void): void {
    const sub = this.subClient as ConnectableClient;
    const pub = this.pubClient as ConnectableClient;
    let bound = false;
    const bindWhenReady = () => {
      if (bound || sub.status !== 'ready' || pub.status !== 'ready') return;
      bound = true;
      this.bindEvents(this.subClient, this.pubClient);
    };
    sub.on('ready', bindWhenReady);
    pub.on('ready', bindWhenReady);
    // connect() rejects while Redis is down; the clients keep reconnecting and 'ready' binds the subscription.
    void Promise.allSettled([sub.connect(), pub.connect()]).then(() => {
      bindWhenReady();
      callback?.();
    });
  }

  override async close(): Promise<void> {
    await super.close().catch(() => undefined);
  }
}
