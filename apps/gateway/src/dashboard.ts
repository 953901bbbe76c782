import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The page loads only its own script and stylesheet and talks only to this origin: an injected script could read
 * the key from the tab's session storage, so nothing else may run or be sent anywhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/dashboard (built by scripts/build-dashboard.js), from the compiled gateway or from its sources in tests. */
function dashboardDir(): string | undefined {
  const candidates = [resolve(__dirname, '../../../dashboard'), resolve(__dirname, '../../../dist/dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Serves the advertiser dashboard at /dashboard/: static files only; its data comes from the public API. */
export async function serveDashboard(app: NestFastifyApplication): Promise<void> {
  const root = dashboardDir();
  if (!root) {
    new Logger('Dashboard').warn('dist/dashboard is missing (npm run build makes it): /dashboard is not served');
    return;
  }
  // Nest's adapter pins its own fastify copy; @fastify/static is typed against the project's (the same major).
  const server = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await server.register(fastifyStatic, {
    root,
    prefix: '/dashboard/',
    decorateReply: false,
    index: 'index.html',
    setHeaders: (reply) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    },
  });
  server.get('/dashboard', (_req, reply) => reply.redirect('/dashboard/', 301));
}
