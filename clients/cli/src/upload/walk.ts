import { lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import mime from 'mime-types';
import { UsageError } from '../errors';

export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** As the user will recognize it: relative to the folder given, or the path given. */
  display: string;
  name: string;
  size: number;
  mtimeMs: number;
  contentType: string;
}

export interface WalkOptions {
  /** Include dotfiles and dot-folders (skipped by default: .DS_Store, .git...). */
  includeHidden?: boolean;
}

/** The declared content type: from the extension (the processor sniffs the real type anyway). */
export function contentTypeOf(fileName: string): string {
  const type = mime.lookup(fileName);
  return typeof type === 'string' ? type : 'application/octet-stream';
}

/**
 * Every regular file under the given paths, each once, sorted within each folder. Symbolic links to
 * files are followed; links to folders are not (no loops). A path that does not exist is an error.
 */
export function collectFiles(inputs: string[], options: WalkOptions = {}, cwd = process.cwd()): LocalFile[] {
  const missing = inputs.filter((input) => {
    try {
      statSync(path.resolve(cwd, input));
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new UsageError(`No such file or folder: ${missing.join(', ')}`);
  }
  const seen = new Set<string>();
  const files: LocalFile[] = [];
  const add = (absolute: string, display: string) => {
    if (seen.has(absolute)) return;
    const stat = statSync(absolute);
    if (!stat.isFile()) return;
    seen.add(absolute);
    const name = path.basename(absolute);
    files.push({
      path: absolute,
      display,
      name,
      size: stat.size,
      mtimeMs: Math.floor(stat.mtimeMs),
      contentType: contentTypeOf(name),
    });
  };
  const visit = (dir: string, root: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (!options.includeHidden && entry.name.startsWith('.')) continue;
      const absolute = path.join(dir, entry.name);
      const display = path.relative(root, absolute);
      if (entry.isDirectory()) visit(absolute, root);
      else if (entry.isFile()) add(absolute, display);
      else if (entry.isSymbolicLink()) {
        try {
          if (statSync(absolute).isFile()) add(absolute, display);
        } catch {
          // A dangling link: nothing to upload.
        }
      }
    }
  };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    if (lstatSync(absolute).isDirectory() || statSync(absolute).isDirectory()) {
      visit(absolute, path.dirname(absolute));
    } else add(absolute, input);
  }
  return files;
}
