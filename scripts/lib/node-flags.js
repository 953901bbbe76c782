'use strict';
// V8 flags per app, on every command line that starts one: npm start, `npm run start:<app>`, the Dockerfiles, the
// benchmarks and the tests (test/k8s/manifests.it-spec.ts checks that package.json and the Dockerfiles agree).
// ingest: a larger young generation. A batch request allocates a few MB of short-lived objects (parsed JSON,
// validated events, Redis commands) that V8's default 16 MB semi-spaces promote to the old generation;
// --max-semi-space-size=64 measured about 18 % less ingest CPU per batched click (docs/benchmarks.md).
// aggregator: the same, for the strings and objects of each read batch (2,000 entries, each parsed from JSON); in
// the end-to-end run its garbage collection fell from 4.6 to 2.5 s of CPU per 360,000 clicks.
const NODE_FLAGS = { ingest: ['--max-semi-space-size=64'], aggregator: ['--max-semi-space-size=64'] };

/** The node flags app `name` runs with (before the entry point). */
const nodeFlags = (name) => NODE_FLAGS[name] ?? [];

module.exports = { nodeFlags };
