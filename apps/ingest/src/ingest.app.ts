import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { clusterScrape, connectControlBus, createHttpApp, isClusterWorker, ProblemFilter } from '@clicks/server';
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
  return app;
}
