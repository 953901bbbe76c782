import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import {
  clusterScrape,
  connectControlBus,
  createHttpApp,
  isClusterWorker,
  ProblemFilter,
  serveOpenApi,
} from '@clicks/server';
import { INGEST_SCHEMAS } from './ingest.docs';
import { intakeProblem } from './intake-problem';
import { IngestModule } from './ingest.module';

export async function createIngestApp(config: AppConfig): Promise<NestFastifyApplication> {
  const errors = new ProblemFilter({ map: [intakeProblem] });
  const app = await createHttpApp(IngestModule.forRoot(config), config, { projectFastify: true, errors });
  // Batch intake also takes NDJSON; the controller splits the lines so one bad line rejects only its event.
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // One of INGEST_PROCESSES workers: whichever gets the scrape answers for all of them (counters summed).
  if (isClusterWorker()) {
    const metrics = app.get(ClickMetrics);
    metrics.scrape = clusterScrape(metrics.registry);
  }
  connectControlBus(app, config);
  serveOpenApi(app, {
    title: 'Ad click ingest',
    description:
      'Clicks from partners (one, or batches as a JSON array or NDJSON) and from browsers (impression links, ' +
      'redirected), the ads registry, and accounts and keys. Authorization: Bearer <partner key, advertiser key or ' +
      'admin token>, as each operation says; errors are application/problem+json (RFC 9457).',
    schemas: INGEST_SCHEMAS,
  });
  return app;
}
