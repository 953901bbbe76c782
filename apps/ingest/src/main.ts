import 'reflect-metadata';
import { runMain } from '@clicks/server';
import { createIngestApp } from './ingest.app';

runMain(
  'ingest',
  createIngestApp,
  (c) => c.ports.ingest,
  (c) => c.ingestProcesses,
);
