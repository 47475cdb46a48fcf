import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('docs', () => {
  const pages = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  const embedded = pages.flatMap((page) =>
    [...readFileSync(join(root, page), 'utf8').matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map(
      (m) => [page, m[1]!, m[2]!] as const,
    ),
  );

  it('embed example files', () => {
    expect(embedded.length).toBeGreaterThan(0);
  });

  it.each(embedded)('%s shows %s exactly as it is in the repository', (_page, file, block) => {
    expect(block).toBe(readFileSync(join(root, file), 'utf8'));
  });

  it.each(pages.concat('README.md'))('%s links only to files that exist', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(((?!https?:|#)[^)#]+)\)/g)) {
      expect([target, existsSync(join(root, page, '..', target!))]).toEqual([target, true]);
    }
  });

  // Source files named in prose (`src/token/manager.ts`, `token/errors.ts` in the architecture
  // page) must exist: a move that forgets the docs fails here.
  it.each(pages.concat('README.md', 'CHANGELOG.md'))('%s names only source files that exist', (page) => {
    // The architecture page's table of former names is history, not a reference.
    const text = readFileSync(join(root, page), 'utf8').replace(/## Before and after[\s\S]*?(?=\n## )/, '');
    const named = [...text.matchAll(/`(?:src\/)?((?:[a-z-]+\/)+[a-z.-]+\.ts)`/g)].map((m) => m[1]!);
    for (const file of named.filter((f) => !/^(examples|scripts|bench)\//.test(f)))
      expect([file, existsSync(join(root, 'src', file))]).toEqual([file, true]);
    const repoFiles = [...text.matchAll(/`((?:__tests__|scripts|examples|bench)\/[\w./-]+\.(?:ts|mjs|cjs|js))`/g)].map(
      (m) => m[1]!,
    );
    for (const file of repoFiles) expect([file, existsSync(join(root, file))]).toEqual([file, true]);
  });
});
