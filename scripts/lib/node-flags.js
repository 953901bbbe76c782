'use strict';
// V8 flags per app, on every command line that starts one: npm start, `npm run start:<app>`, the Dockerfiles, the
// benchmarks and the tests (test/k8s/manifests.it-spec.ts checks that package.json and the Dockerfiles agree).
// ingest: a larger young generation. A batch request allocates a few MB of short-lived objects (parsed JSON,
// validated events, Redis commands) that V8's default 16 MB semi-spaces promote to the old generation;
// --max-semi-space-size=64 measured about 18 % less ingest CPU per batched click (docs/benchmarks.md).
// aggregator: larger still. A read batch's parsed clicks and archive lines live across a flush or a QuestDB request
// (about half a second under load), so smaller semi-spaces copy and promote most of them: 256 MB took its CPU per
// click from 5.6-6.0 to 4.0-4.5 µs end to end at full speed, for about 120 MB more peak RSS; 512 gained nothing more
// (docs/benchmarks.md, "The aggregator's young generation").
const NODE_FLAGS = { ingest: ['--max-semi-space-size=64'], aggregator: ['--max-semi-space-size=256'] };

/** The node flags app `name` runs with (before the entry point). */
const nodeFlags = (name) => NODE_FLAGS[name] ?? [];

module.exports = { nodeFlags };
