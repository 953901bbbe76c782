import { readdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/** `*` and `?` in a file name (not across directories); everything else literal. */
export function fileNamePattern(glob: string): RegExp {
  const escaped = basename(glob)
    .split('')
    .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

/** Matches a path against the globs (wildcards in the file name only). */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  const abs = resolve(path);
  return globs.some((g) => dirname(resolve(g)) === dirname(abs) && fileNamePattern(g).test(basename(abs)));
}

/** The files matching the globs now, as absolute paths, sorted; a missing directory matches nothing. */
export async function expandGlobs(globs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const g of globs) {
    const dir = dirname(resolve(g));
    const pattern = fileNamePattern(g);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (pattern.test(name)) found.add(resolve(dir, name));
  }
  return [...found].sort();
}
