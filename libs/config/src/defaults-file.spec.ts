import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from './config.schema';
import { loadConfig } from './app-config';

// config/defaults.env documents every variable (and feeds the Kubernetes ConfigMap): keep it equal to the schema.
describe('config/defaults.env', () => {
  const text = readFileSync(join(__dirname, '../../../config/defaults.env'), 'utf8');
  const entries = text
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=') as [string, string]);

  it('lists exactly the variables of the schema', () => {
    expect(entries.map(([k]) => k).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('states values the schema accepts', () => {
    const env = Object.fromEntries(entries.filter(([, v]) => v !== ''));
    expect(() => loadConfig(env)).not.toThrow();
  });
});
