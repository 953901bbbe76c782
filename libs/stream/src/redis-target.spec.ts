import { nodeOptionsOf } from './redis-client';

describe('nodeOptionsOf', () => {
  it.each([
    ['no credentials', { url: 'redis://r:6379' }, { username: undefined, password: undefined, tls: undefined }],
    ['the URL password', { url: 'redis://u:p%40ss@r:6379' }, { username: 'u', password: 'p@ss', tls: undefined }],
    [
      'REDIS_PASSWORD over the URL password',
      { url: 'redis://:old@r:6379', password: 'new' },
      { username: undefined, password: 'new', tls: undefined },
    ],
    ['an empty REDIS_PASSWORD leaves the URL', { url: 'redis://:old@r', password: '' }, { password: 'old' }],
    ['TLS from rediss:', { url: 'rediss://r:6380', password: 'x' }, { password: 'x', tls: {} }],
  ])('%s', (_name, target, want) => {
    expect(nodeOptionsOf({ clusterNodes: [], ...target })).toMatchObject(want);
  });
});
