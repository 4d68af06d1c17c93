import { assetState, pickRendition, type SluiceClient, STAGES } from '@sluice/client';
import { StateBadge, useAsset } from '../components/asset-card';
import { formatBytes } from '../format';
import { placeholderUrl } from '../placeholder';
import { href } from '../router';

const STAGE_TEXT: Record<string, string> = {
  uploaded: 'Uploaded to the ingest bucket',
  processed: 'Processed: renditions and metadata',
  indexed: 'Indexed for search',
  archived: 'Original archived to cold storage',
};

export function AssetPage(props: { client: SluiceClient; assetId: string }) {
  const { view, error } = useAsset(props.client, props.assetId);
  if (!view) {
    return (
      <section aria-labelledby="asset-title">
        <h1 id="asset-title">Asset</h1>
        <p class="mono">{props.assetId}</p>
        <p role="status">
          {error
            ? error.status === 404
              ? 'Not found (yet): a file just uploaded shows up here once the pipeline has seen it. Checking again…'
              : error.message
            : 'Loading…'}
        </p>
      </section>
    );
  }
  const state = assetState(view);
  const hero = pickRendition(view.renditions, 800);
  const preview = placeholderUrl(view.placeholder);
  const exif = view.exif;
  return (
    <article aria-labelledby="asset-title" class="asset">
      <h1 id="asset-title">{view.fileName ?? view.assetId}</h1>
      <p>
        <StateBadge state={state} /> <span class="mono">{view.assetId}</span>
      </p>
      <div class="asset-layout">
        <div
          class="hero"
          style={{
            backgroundColor: view.dominantColor,
            backgroundImage: preview ? `url(${preview})` : undefined,
          }}
        >
          {hero?.url ? (
            <img src={hero.url} alt={`${view.fileName ?? 'asset'} (${hero.preset} rendition)`} />
          ) : null}
          {!hero?.url ? (
            <p class="thumb-note">
              {state === 'rejected' ? 'No renditions: the file was rejected.' : 'No rendition yet.'}
            </p>
          ) : null}
        </div>
        <div>
          <h2>Pipeline</h2>
          <ol class="stages">
            {STAGES.map((stage) => (
              <li key={stage} class={view.stages[stage] ? 'done' : 'todo'}>
                <span aria-hidden="true">{view.stages[stage] ? '✔' : '○'}</span> {STAGE_TEXT[stage]}
                <span class="visually-hidden">{view.stages[stage] ? ' (done)' : ' (not yet)'}</span>
              </li>
            ))}
            {view.rejected ? (
              <li class="rejected">
                <span aria-hidden="true">✘</span> Rejected
                {view.rejected.stage ? ` at ${view.rejected.stage}` : ''}:{' '}
                <strong>{view.rejected.reason}</strong> — {view.rejected.message}
              </li>
            ) : null}
          </ol>
          <h2>Metadata</h2>
          <dl class="meta">
            {view.detected ? (
              <>
                <dt>Type</dt>
                <dd>
                  {view.detected.mime} ({view.detected.kind})
                  {view.contentType && view.contentType !== view.detected.mime
                    ? `, declared ${view.contentType}`
                    : ''}
                </dd>
              </>
            ) : view.contentType ? (
              <>
                <dt>Declared type</dt>
                <dd>{view.contentType}</dd>
              </>
            ) : null}
            {view.size !== undefined ? (
              <>
                <dt>Size</dt>
                <dd>{formatBytes(view.size)}</dd>
              </>
            ) : null}
            {view.image ? (
              <>
                <dt>Dimensions</dt>
                <dd>
                  {view.image.width}×{view.image.height}
                  {view.image.format ? ` ${view.image.format}` : ''}
                </dd>
              </>
            ) : null}
            {view.dominantColor ? (
              <>
                <dt>Dominant color</dt>
                <dd>
                  <span class="swatch" style={{ background: view.dominantColor }} aria-hidden="true" />{' '}
                  {view.dominantColor}
                </dd>
              </>
            ) : null}
            {exif?.make || exif?.model ? (
              <>
                <dt>Camera</dt>
                <dd>{[exif.make, exif.model, exif.lens].filter(Boolean).join(' · ')}</dd>
              </>
            ) : null}
            {exif?.takenAt ? (
              <>
                <dt>Taken</dt>
                <dd>{exif.takenAt}</dd>
              </>
            ) : null}
            {view.sha256 ? (
              <>
                <dt>SHA-256</dt>
                <dd class="mono wrap">{view.sha256}</dd>
              </>
            ) : null}
            {view.processedAt ? (
              <>
                <dt>Processed</dt>
                <dd>{view.processedAt}</dd>
              </>
            ) : null}
          </dl>
          {view.renditions.length ? (
            <>
              <h2>Renditions</h2>
              <table class="renditions">
                <thead>
                  <tr>
                    <th scope="col">Preset</th>
                    <th scope="col">Size</th>
                    <th scope="col">Bytes</th>
                  </tr>
                </thead>
                <tbody>
                  {view.renditions.map((r) => (
                    <tr key={`${r.preset}.${r.format}`}>
                      <th scope="row">
                        {r.url ? <a href={r.url}>{`${r.preset}.${r.format}`}</a> : `${r.preset}.${r.format}`}
                      </th>
                      <td>{r.width && r.height ? `${r.width}×${r.height}` : ''}</td>
                      <td>{formatBytes(r.bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {view.stages.indexed ? (
            <p>
              <a class="button" href={href('search', { similarTo: view.assetId })}>
                More like this
              </a>
            </p>
          ) : null}
        </div>
      </div>
    </article>
  );
}
