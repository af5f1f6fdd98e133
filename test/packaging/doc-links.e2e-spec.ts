import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Every relative link of the repository's Markdown resolves: the file exists and, with an
 * `#anchor`, the file has a heading of that slug (GitHub's rule: lower case, punctuation dropped,
 * spaces as dashes). No link leaves the repository.
 */
const ROOT = join(import.meta.dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

const FILES = [
  join(ROOT, 'README.md'),
  join(ROOT, 'BENCHMARKS.md'),
  ...markdownFiles(join(ROOT, 'docs')),
  join(ROOT, 'libs', 'qingtui', 'README.md'),
  join(ROOT, 'libs', 'qingtui-sandbox', 'README.md'),
];

describe('links of the documentation', () => {
  it.each(FILES.map((f) => [relative(ROOT, f), f]))(
    '%s: every relative link resolves, none leaves the repository',
    (_, file) => {
      const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
      const broken: string[] = [];
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target)) {
          broken.push(`${target} (outside the repository)`);
          continue;
        }
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
        if (!existsSync(resolved)) {
          broken.push(`${target} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
          broken.push(`${target} (no heading #${anchor})`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it('README.md stays short, with the two commands near the top', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    expect(lines.length).toBeLessThanOrEqual(250);
    const start = lines.findIndex((l) => l.startsWith('npm install && npm start'));
    const test = lines.findIndex((l) => l.startsWith('npm test'));
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(40);
    expect(test).toBeLessThan(40);
  });
});
