import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.shards.count).toBe(16);
    expect(c.ports).toEqual({ ingest: 3001, aggregator: 3002, gateway: 3000 });
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.aggregation.allowedLatenessMs).toBe(300_000);
  });

  it.each([
    ['SHARD_COUNT', { SHARD_COUNT: '0' }],
    ['SHARD_COUNT', { SHARD_COUNT: 'many' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['WORKER_ID', { WORKER_ID: 'bad id!' }],
    ['PRETTY_LOGS', { PRETTY_LOGS: 'yes' }],
    ['DEDUP_HORIZON_SECONDS', { DEDUP_HORIZON_SECONDS: '10' }],
    ['DEDUP_HORIZON_SECONDS', { DEDUP_HORIZON_SECONDS: '660' }], // 300 + 60 + 300 + 1 s needed by the defaults
    ['MAX_FUTURE_SKEW_MS', { MAX_FUTURE_SKEW_MS: '600000' }],
    ['IMPRESSION_KEYS', { INGEST_PROCESSES: '2' }],
  ])('rejects a bad %s and names it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('loadConfig: QuestDB credentials read on their own', () => {
  const URL_ONLY = 'postgresql://questdb:8812/qdb';
  const URL_WITH = 'postgresql://admin:quest@questdb:8812/qdb';
  const ODD = 'p@ss:w/rd%41 ?#&=+é';
  // What node-postgres logs in with: pg-connection-string decodes the URL's user and password this way.
  const credentials = (url: string) => {
    const u = new URL(url);
    return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  };

  it.each([
    ['none set: the URL as given', { QUESTDB_PG_URL: URL_WITH }, URL_WITH, { user: 'admin', password: 'quest' }],
    [
      'none set, a URL without credentials',
      { QUESTDB_PG_URL: URL_ONLY, QUESTDB_PG_USER: '', QUESTDB_PG_PASSWORD: '' },
      URL_ONLY,
      { user: '', password: '' },
    ],
    [
      'user only: the URL keeps its password',
      { QUESTDB_PG_URL: URL_WITH, QUESTDB_PG_USER: 'clicks' },
      'postgresql://clicks:quest@questdb:8812/qdb',
      { user: 'clicks', password: 'quest' },
    ],
    [
      'a password with @ : / % characters, percent-encoded',
      { QUESTDB_PG_URL: URL_ONLY, QUESTDB_PG_PASSWORD: ODD },
      'postgresql://:p%40ss%3Aw%2Frd%2541%20%3F%23%26%3D%2B%C3%A9@questdb:8812/qdb',
      { user: '', password: ODD },
    ],
    [
      'a URL already carrying credentials: both replaced',
      { QUESTDB_PG_URL: URL_WITH, QUESTDB_PG_USER: 'clicks', QUESTDB_PG_PASSWORD: 's3cr@t' },
      'postgresql://clicks:s3cr%40t@questdb:8812/qdb',
      { user: 'clicks', password: 's3cr@t' },
    ],
    [
      'both set on a URL without credentials',
      { QUESTDB_PG_URL: URL_ONLY, QUESTDB_PG_USER: 'ops:team', QUESTDB_PG_PASSWORD: ODD },
      `postgresql://ops%3Ateam:${encodeURIComponent(ODD)}@questdb:8812/qdb`,
      { user: 'ops:team', password: ODD },
    ],
  ])('%s', (_name, env, url, creds) => {
    const c = loadConfig(env);
    expect(c.questdb.pgUrl).toBe(url);
    expect(credentials(c.questdb.pgUrl)).toEqual(creds);
    expect(new URL(c.questdb.pgUrl)).toMatchObject({ hostname: 'questdb', port: '8812', pathname: '/qdb' });
  });

  it('leaves the default URL alone', () => {
    expect(loadConfig({}).questdb.pgUrl).toBe('postgresql://admin:quest@127.0.0.1:8812/qdb');
  });
});
