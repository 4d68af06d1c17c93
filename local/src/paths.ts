import { existsSync } from 'node:fs';
import path from 'node:path';

let cachedRepoRoot: string | undefined;

/** The monorepo root: the nearest folder above this package that holds turbo.json. */
export function repoRoot(): string {
  if (cachedRepoRoot) return cachedRepoRoot;
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'turbo.json'))) {
      cachedRepoRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`No turbo.json found above ${__dirname}: cannot locate the repo root`);
    dir = parent;
  }
}

/** Repo-root `.sluice/`: git-ignored local state (dev keys, logs, the running stack's endpoints). */
export function sluiceDir(): string {
  return path.join(repoRoot(), '.sluice');
}
