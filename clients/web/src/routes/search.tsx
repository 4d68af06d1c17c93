import type { SearchHit, SearchQuery, SluiceClient } from '@sluice/client';
import { useEffect, useState } from 'preact/hooks';
import { AssetCard } from '../components/asset-card';
import { href, type Route } from '../router';

const FIELDS = ['q', 'kind', 'takenFrom', 'takenTo', 'minWidth', 'color', 'similarTo'] as const;

function queryFrom(route: Route): SearchQuery {
  const get = (name: string) => route.query.get(name) || undefined;
  const minWidth = Number(get('minWidth'));
  return {
    q: get('q'),
    kind: get('kind'),
    takenFrom: get('takenFrom'),
    takenTo: get('takenTo'),
    minWidth: Number.isInteger(minWidth) && minWidth > 0 ? minWidth : undefined,
    color: get('color'),
    similarTo: get('similarTo'),
    limit: 24,
  };
}

/** Text, filters and "more like this": the form lives in the URL, so results can be linked and go back. */
export function SearchPage(props: { client: SluiceClient; route: Route }) {
  const query = queryFrom(props.route);
  const [hits, setHits] = useState<SearchHit[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const active = FIELDS.some((f) => props.route.query.get(f));

  const run = async (after?: string) => {
    setBusy(true);
    try {
      const page = await props.client.search({ ...query, cursor: after });
      setHits((previous) => [...(after ? (previous ?? []) : []), ...page.hits]);
      setCursor(page.nextCursor);
      setError(undefined);
    } catch (e) {
      const code = (e as { code?: string }).code;
      setError(
        code === 'no-route'
          ? 'Search is not available on this API yet (it has no GET /search route).'
          : (e as Error).message,
      );
      setHits(undefined);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (active) void run();
    else setHits(undefined);
  }, [props.route.query.toString()]);

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const values: Record<string, string | undefined> = {};
    for (const field of FIELDS) {
      const value = String(form.get(field) ?? '').trim();
      values[field] = value || undefined;
    }
    if (form.get('useColor') !== 'on') values.color = undefined;
    location.hash = href('search', values);
  };

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <form class="search-form" onSubmit={submit} aria-label="Search assets">
        <div class="field wide">
          <label for="q">Words</label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.q ?? ''}
            placeholder="file name, camera, text…"
          />
        </div>
        <div class="field">
          <label for="kind">Kind</label>
          <select id="kind" name="kind" defaultValue={String(query.kind ?? '')}>
            <option value="">any</option>
            <option value="image">image</option>
            <option value="document">document</option>
            <option value="text">text</option>
            <option value="archive">archive</option>
            <option value="other">other</option>
          </select>
        </div>
        <div class="field">
          <label for="takenFrom">Taken from</label>
          <input id="takenFrom" name="takenFrom" type="date" defaultValue={query.takenFrom ?? ''} />
        </div>
        <div class="field">
          <label for="takenTo">Taken to</label>
          <input id="takenTo" name="takenTo" type="date" defaultValue={query.takenTo ?? ''} />
        </div>
        <div class="field">
          <label for="minWidth">Min width (px)</label>
          <input
            id="minWidth"
            name="minWidth"
            type="number"
            min="1"
            inputMode="numeric"
            defaultValue={query.minWidth ? String(query.minWidth) : ''}
          />
        </div>
        <div class="field">
          <span class="label-row">
            <input id="useColor" name="useColor" type="checkbox" defaultChecked={Boolean(query.color)} />
            <label for="useColor">Color</label>
          </span>
          <input
            id="color"
            name="color"
            type="color"
            aria-label="Dominant color"
            defaultValue={query.color ?? '#3366ff'}
          />
        </div>
        {query.similarTo ? <input type="hidden" name="similarTo" value={query.similarTo} /> : null}
        <div class="field actions">
          <button type="submit">Search</button>
        </div>
      </form>
      {query.similarTo ? (
        <p class="note">
          More like <a href={href(`assets/${query.similarTo}`)}>{query.similarTo}</a>.{' '}
          <a href={href('search', { q: query.q })}>Clear</a>
        </p>
      ) : null}
      <div role="status" aria-live="polite" class="status-line">
        {busy
          ? 'Searching…'
          : error
            ? ''
            : hits
              ? `${hits.length}${cursor ? '+' : ''} result${hits.length === 1 ? '' : 's'}`
              : ''}
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {hits?.length ? (
        <ul class="grid" aria-label="Results">
          {hits.map((hit) => (
            <AssetCard
              key={hit.assetId}
              client={props.client}
              assetId={hit.assetId}
              fileName={hit.fileName}
            />
          ))}
        </ul>
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => void run(cursor)}>
          More results
        </button>
      ) : null}
    </section>
  );
}
