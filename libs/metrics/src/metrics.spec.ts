import { ClickMetrics } from './metrics';

describe('ClickMetrics', () => {
  it('exposes the metrics with the app label, one registry per instance', async () => {
    const a = new ClickMetrics('ingest');
    const b = new ClickMetrics('ingest');
    a.intakeEvents.inc({ path: 'single', outcome: 'accepted', reason: '' });
    const text = await a.registry.metrics();
    expect(text).toContain('clicks_intake_events_total{path="single",outcome="accepted",reason="",app="ingest"} 1');
    expect(await b.registry.metrics()).not.toContain('outcome="accepted"');
  });
});
