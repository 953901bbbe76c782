import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from './config.schema';

// The README's configuration table is generated from config/defaults.env (scripts/config-table.js): keep it complete.
describe('README configuration table', () => {
  it('lists every variable', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const missing = Object.keys(envSchema.shape).filter((k) => !readme.includes(`| \`${k}\``));
    expect(missing).toEqual([]);
  });
});
