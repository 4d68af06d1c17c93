import type { SearchHit, SluiceClient } from '@sluice/client';
import { useEffect, useState } from 'preact/hooks';
import { AssetCard } from '../components/asset-card';
import { recentUploads } from '../recent';
import { href } from '../router';

/**
 * The newest assets of the tenant, from GET /search (no query: newest first). Where the API has no
 * search yet, the assets uploaded from this browser.
 */
export function GalleryPage(props: { client: SluiceClient }) {
  const [hits, setHits] = useState<SearchHit[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();

  const load = async (after?: string) => {
    try {
      const page = await props.client.search({ limit: 24, cursor: after });
      setHits((previous) => [...(after ? (previous ?? []) : []), ...page.hits]);
      setCursor(page.nextCursor);
      setNote(undefined);
    } catch (error) {
      const code = (error as { code?: string }).code;
      setNote(
        code === 'no-route'
          ? 'Search is not available on this API yet: showing what this browser uploaded.'
          : (error as Error).message,
      );
      setHits(recentUploads().map((u) => ({ assetId: u.assetId, fileName: u.fileName, raw: {} })));
      setCursor(undefined);
    }
  };

  useEffect(() => {
    void load();
  }, [props.client]);

  return (
    <section aria-labelledby="gallery-title">
      <h1 id="gallery-title">Gallery</h1>
      {note ? <p class="note">{note}</p> : null}
      {hits === undefined ? (
        <p role="status">Loading…</p>
      ) : hits.length === 0 ? (
        <p>
          Nothing here yet. <a href={href('upload')}>Upload some files</a>.
        </p>
      ) : (
        <ul class="grid" aria-label="Assets">
          {hits.map((hit) => (
            <AssetCard
              key={hit.assetId}
              client={props.client}
              assetId={hit.assetId}
              fileName={hit.fileName}
            />
          ))}
        </ul>
      )}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
