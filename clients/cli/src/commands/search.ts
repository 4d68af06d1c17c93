import type { SearchQuery } from '@sluice/client';
import { apiClient, type Context } from '../context';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { line, table } from '../io';

export interface SearchOptions {
  kind?: string[];
  mime?: string[];
  takenFrom?: string;
  takenTo?: string;
  createdFrom?: string;
  createdTo?: string;
  minWidth?: number;
  maxWidth?: number;
  minHeight?: number;
  maxHeight?: number;
  orientation?: string;
  color?: string;
  colorTolerance?: number;
  similarTo?: string;
  limit?: number;
  cursor?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const KINDS = ['image', 'text', 'document', 'archive', 'other'];

/** Flags to search-request/v1 criteria, refusing what the API would refuse, with the flag's name. */
export function buildQuery(words: string[], options: SearchOptions): SearchQuery {
  const dates = [
    ['--taken-from', options.takenFrom],
    ['--taken-to', options.takenTo],
    ['--created-from', options.createdFrom],
    ['--created-to', options.createdTo],
  ] as const;
  for (const [flag, value] of dates) {
    if (value !== undefined && !DATE.test(value))
      throw new UsageError(`${flag} must be a date like 2026-12-31, got "${value}"`);
  }
  const badKinds = (options.kind ?? []).filter((kind) => !KINDS.includes(kind));
  if (badKinds.length) throw new UsageError(`--kind takes ${KINDS.join(', ')}; got ${badKinds.join(', ')}`);
  if (options.color !== undefined && !/^#?[0-9a-fA-F]{6}$/.test(options.color)) {
    throw new UsageError(`--color must be a hex color like #3366ff, got "${options.color}"`);
  }
  if (
    options.orientation !== undefined &&
    !['landscape', 'portrait', 'square'].includes(options.orientation)
  ) {
    throw new UsageError(`--orientation is landscape, portrait or square, got "${options.orientation}"`);
  }
  if (
    options.similarTo !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(options.similarTo)
  ) {
    throw new UsageError(`--similar-to takes an asset id, got "${options.similarTo}"`);
  }
  const q = words.join(' ').trim();
  return {
    q: q || undefined,
    kind: options.kind?.length ? options.kind : undefined,
    mime: options.mime?.length ? options.mime : undefined,
    takenFrom: options.takenFrom,
    takenTo: options.takenTo,
    createdFrom: options.createdFrom,
    createdTo: options.createdTo,
    minWidth: options.minWidth,
    maxWidth: options.maxWidth,
    minHeight: options.minHeight,
    maxHeight: options.maxHeight,
    orientation: options.orientation as SearchQuery['orientation'],
    color: options.color ? `#${options.color.replace(/^#/, '').toLowerCase()}` : undefined,
    colorTolerance: options.colorTolerance,
    similarTo: options.similarTo,
    limit: options.limit,
    cursor: options.cursor,
  };
}

export async function searchCommand(
  context: Context,
  words: string[],
  options: SearchOptions,
): Promise<ExitCodeValue> {
  const query = buildQuery(words, options);
  const client = apiClient(context);
  const page = await client.search(query);
  if (context.json) {
    line(
      context.io.stdout,
      JSON.stringify(
        {
          results: page.hits.map((hit) => hit.raw),
          ranking: page.ranking ?? null,
          nextCursor: page.nextCursor ?? null,
        },
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  if (page.hits.length === 0) {
    line(context.io.stdout, 'No matches.');
    return ExitCode.ok;
  }
  line(
    context.io.stdout,
    table([
      ['ASSET', page.ranking === 'recent' ? 'CREATED' : 'SCORE', 'FILE', 'TYPE', 'SIZE'],
      ...page.hits.map((hit) => [
        hit.assetId,
        hit.score !== undefined ? hit.score.toFixed(3) : (hit.createdAt ?? ''),
        hit.fileName ?? '',
        hit.mime ?? hit.kind ?? '',
        hit.width && hit.height ? `${hit.width}×${hit.height}` : '',
      ]),
    ]),
  );
  if (page.nextCursor) line(context.io.stdout, `\nMore: the same command with --cursor ${page.nextCursor}`);
  return ExitCode.ok;
}
