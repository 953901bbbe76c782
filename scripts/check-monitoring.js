'use strict';
// Checks k8s/monitoring (`npm run lint:monitoring`, in CI): the PrometheusRule's spec with `promtool check rules` and
// its unit tests (k8s/monitoring/tests/*.yaml) with `promtool test rules`; every Grafana panel's PromQL (promtool
// 2.42 has no PromQL-only check, so each expr becomes a recording rule of a temporary rules file); and the rendered
// objects' shape, which the offline Kubernetes schemas of `lint:k8s` do not know (monitoring.coreos.com kinds).
// test/integration/monitoring.it-spec.ts checks that running apps export every metric these use (metricFamilies).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'k8s', 'monitoring');
const RULE_FILE = path.join(DIR, 'prometheus-rule.yaml');
const DASHBOARD = path.join(DIR, 'dashboards', 'clicks.json');
const RUNBOOK = path.join(ROOT, 'docs', 'monitoring.md');
/** The name the rules' unit tests give in rule_files: the extracted spec is written under it. */
const SPEC_NAME = 'prometheus-rule.spec.yaml';
const SEVERITIES = new Set(['critical', 'warning', 'info']);
/** Apps the PodMonitor must scrape, and the overlay whose workloads it must select. */
const SCRAPED = ['ingest', 'gateway', 'aggregator'];
const OVERLAY = path.join(ROOT, 'k8s', 'overlays', 'dev');

const ruleSpec = () => YAML.parse(fs.readFileSync(RULE_FILE, 'utf8')).spec;
const dashboard = () => JSON.parse(fs.readFileSync(DASHBOARD, 'utf8'));

/** Every panel of a dashboard, those inside collapsed rows included. */
function panels(d) {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The PromQL of every dashboard target, with Grafana's variables replaced by values Prometheus accepts. */
function dashboardExprs(d = dashboard()) {
  return panels(d).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => t.expr)
      .map((t) => ({
        panel: p.title,
        expr: t.expr
          .replace(/\$__(rate_)?interval\b|\$__range\b/g, '5m')
          .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_, a, b) => `var_${a ?? b}`),
      })),
  );
}

/** The rule expressions and dashboard queries. */
function allExprs() {
  const rules = ruleSpec().groups.flatMap((g) => g.rules.map((r) => r.expr));
  return [...rules, ...dashboardExprs().map((e) => e.expr)];
}

/** Our metric families the alerts and the dashboard read: series names with `_bucket|_sum|_count` mapped to theirs. */
function metricFamilies() {
  const names = allExprs().flatMap((e) => String(e).match(/\bclicks_[a-z0-9_]+/g) ?? []);
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))].sort();
}

function promtool(args, cwd) {
  try {
    return execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT')
      throw new Error('promtool is required (Debian package prometheus; npm run setup -- --test)');
    throw new Error(`promtool ${args.join(' ')}:\n${String(e.stdout ?? '')}${String(e.stderr ?? e.message)}`);
  }
}

/** Problems of an alerting rule that promtool accepts but an operator needs: for, severity, texts, a runbook. */
function alertProblems(rule, runbook) {
  const errors = [];
  const name = `alert ${rule.alert}`;
  if (!rule.for) errors.push(`${name}: no "for:" (one bad scrape would page)`);
  if (!SEVERITIES.has(rule.labels?.severity)) errors.push(`${name}: severity is not one of ${[...SEVERITIES]}`);
  for (const a of ['summary', 'description', 'runbook']) {
    if (!rule.annotations?.[a]) errors.push(`${name}: no ${a} annotation`);
  }
  const anchor = `#${rule.alert.toLowerCase()}`;
  const link = rule.annotations?.runbook ?? '';
  if (!link.endsWith(anchor)) errors.push(`${name}: runbook annotation does not point at ${anchor}`);
  if (!new RegExp(`^#+ \`?${rule.alert}\`?\\s*$`, 'm').test(runbook)) {
    errors.push(`${name}: docs/monitoring.md has no section "${rule.alert}"`);
  }
  return errors;
}

/** Shape checks of the rendered k8s/monitoring objects (no offline schema for the monitoring.coreos.com kinds). */
function objectProblems(objects, workloads) {
  const errors = [];
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const known = new Set(['PodMonitor', 'PrometheusRule', 'ConfigMap']);
  for (const o of objects.filter((o) => !known.has(o.kind))) errors.push(`unexpected ${o.kind}/${o.metadata?.name}`);
  for (const o of objects) {
    if (o.metadata?.namespace !== 'clicks') errors.push(`${o.kind}/${o.metadata?.name}: not in namespace clicks`);
    if (o.kind !== 'ConfigMap' && o.apiVersion !== 'monitoring.coreos.com/v1') {
      errors.push(`${o.kind}/${o.metadata?.name}: apiVersion ${o.apiVersion} is not monitoring.coreos.com/v1`);
    }
  }
  const pm = byKind('PodMonitor')[0];
  if (!pm) errors.push('no PodMonitor');
  for (const app of pm ? SCRAPED : []) {
    const w = workloads.find((x) => x.spec.template.metadata.labels?.['app.kubernetes.io/name'] === app);
    const labels = w?.spec.template.metadata.labels ?? {};
    const sel = pm.spec.selector ?? {};
    const selected =
      Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
      (sel.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key]));
    if (!w || !selected) errors.push(`PodMonitor/${pm.metadata.name}: does not select the ${app} pods`);
    const ports = (w?.spec.template.spec.containers ?? []).flatMap((c) => c.ports ?? []).map((p) => p.name);
    for (const ep of pm.spec.podMetricsEndpoints ?? []) {
      if (w && !ports.includes(ep.port)) errors.push(`PodMonitor: port ${ep.port} is not a port of the ${app} pods`);
    }
  }
  if (pm && !(pm.spec.podMetricsEndpoints ?? []).some((ep) => ep.path === '/metrics')) {
    errors.push('PodMonitor: no endpoint scrapes /metrics');
  }
  const rules = byKind('PrometheusRule');
  if (rules.length !== 1 || !Array.isArray(rules[0].spec?.groups))
    errors.push('expected one PrometheusRule with groups');
  const dash = byKind('ConfigMap').find((c) => c.metadata.labels?.grafana_dashboard);
  if (!dash) errors.push('no ConfigMap labelled grafana_dashboard');
  else if (!Object.keys(dash.data ?? {}).some((k) => k.endsWith('.json')))
    errors.push('dashboard ConfigMap has no .json');
  return errors;
}

/** Dashboard problems promtool does not see: panels without a query or data source, duplicate ids. */
function dashboardProblems(d) {
  const errors = [];
  const ids = new Set();
  for (const p of panels(d).filter((p) => p.type !== 'row')) {
    if (ids.has(p.id)) errors.push(`panel ${p.id} "${p.title}": duplicate id`);
    ids.add(p.id);
    if (!(p.targets ?? []).some((t) => t.expr)) errors.push(`panel "${p.title}": no query`);
    if (!p.datasource) errors.push(`panel "${p.title}": no datasource`);
  }
  return errors;
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-monitoring-'));
  const errors = [];
  try {
    const spec = ruleSpec();
    fs.writeFileSync(path.join(tmp, SPEC_NAME), YAML.stringify(spec));
    process.stdout.write(promtool(['check', 'rules', SPEC_NAME], tmp));
    const tests = fs.readdirSync(path.join(DIR, 'tests')).filter((f) => /\.ya?ml$/.test(f));
    if (tests.length === 0) errors.push('no rule unit tests in k8s/monitoring/tests');
    for (const t of tests) fs.copyFileSync(path.join(DIR, 'tests', t), path.join(tmp, t));
    if (tests.length) process.stdout.write(promtool(['test', 'rules', ...tests], tmp));

    const runbook = fs.readFileSync(RUNBOOK, 'utf8');
    for (const g of spec.groups)
      for (const r of g.rules.filter((r) => r.alert)) errors.push(...alertProblems(r, runbook));

    const d = dashboard();
    errors.push(...dashboardProblems(d));
    const exprs = dashboardExprs(d);
    const asRules = {
      groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `panel:${i}`, expr: e.expr })) }],
    };
    fs.writeFileSync(path.join(tmp, 'dashboard-exprs.yaml'), YAML.stringify(asRules));
    process.stdout.write(promtool(['check', 'rules', 'dashboard-exprs.yaml'], tmp));

    const { render } = require('./k8s-validate');
    const workloads = render(OVERLAY).filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
    errors.push(...objectProblems(render(DIR), workloads));
  } catch (e) {
    errors.push(e.message);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const e of errors) console.error(`error: k8s/monitoring: ${e}`);
  console.log(`k8s/monitoring: ${metricFamilies().length} metric families used, ${errors.length} errors`);
  return errors.length === 0;
}

module.exports = { metricFamilies, dashboardExprs, alertProblems, objectProblems, dashboardProblems };

if (require.main === module) process.exit(main() ? 0 : 1);
