import type { SearchQuery } from '@sluice/client';
import { apiClient, type Context } from '../context';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { line, table } from '../io';

export interface SearchOptions {
  kind?: string;
  type?: string;
  from?: string;
  to?: string;
  minWidth?: string;
  minHeight?: string;
  color?: string;
  similarTo?: string;
  limit?: string;
  cursor?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

export function buildQuery(words: string[], options: SearchOptions): SearchQuery {
  for (const [flag, value] of [
    ['--from', options.from],
    ['--to', options.to],
  ] as const) {
    if (value !== undefined && !DATE.test(value))
      throw new UsageError(`${flag} must be a date like 2026-12-31, got "${value}"`);
  }
  if (options.color !== undefined && !/^#?[0-9a-fA-F]{6}$/.test(options.color)) {
    throw new UsageError(`--color must be a hex color like #3366ff, got "${options.color}"`);
  }
  if (options.similarTo !== undefined && !/^[0-9a-f-]{36}$/.test(options.similarTo)) {
    throw new UsageError(`--similar-to takes an asset id, got "${options.similarTo}"`);
  }
  const q = words.join(' ').trim();
  return {
    q: q || undefined,
    kind: options.kind,
    type: options.type,
    from: options.from,
    to: options.to,
    minWidth: positiveInt(options.minWidth, '--min-width'),
    minHeight: positiveInt(options.minHeight, '--min-height'),
    color: options.color ? `#${options.color.replace(/^#/, '').toLowerCase()}` : undefined,
    similarTo: options.similarTo,
    limit: positiveInt(options.limit, '--limit'),
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
          hits: page.hits.map(({ raw, ...hit }) => ({ ...raw, ...hit })),
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
      ['ASSET', 'SCORE', 'FILE', 'TYPE', 'SIZE'],
      ...page.hits.map((hit) => [
        hit.assetId,
        hit.score !== undefined ? hit.score.toFixed(3) : '',
        hit.fileName ?? '',
        hit.mime ?? hit.kind ?? '',
        hit.width && hit.height ? `${hit.width}×${hit.height}` : '',
      ]),
    ]),
  );
  if (page.nextCursor) line(context.io.stdout, `\nMore: sluice search … --cursor ${page.nextCursor}`);
  return ExitCode.ok;
}
