import { type AssetView, assetState, isSettled, pickRendition, type SluiceClient } from '@sluice/client';
import { useEffect, useState } from 'preact/hooks';
import { placeholderUrl } from '../placeholder';
import { href } from '../router';

/** Polls GET /assets/{id} until the asset settles (or `poll` is false). 404s are "not there yet". */
export function useAsset(client: SluiceClient, assetId: string, poll = true) {
  const [view, setView] = useState<AssetView | undefined>();
  const [error, setError] = useState<{ status?: number; message: string } | undefined>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await client.getAsset(assetId);
        if (stopped) return;
        setView(next);
        setError(undefined);
        const settled = isSettled(next);
        if (poll && !settled) timer = setTimeout(load, 1500);
      } catch (e) {
        if (stopped) return;
        const status = (e as { status?: number }).status;
        setError({ status, message: (e as Error).message });
        if (poll && (status === 404 || status === undefined)) timer = setTimeout(load, 2500);
      }
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [client, assetId, poll]);
  return { view, error };
}

export const STATE_LABELS: Record<string, string> = {
  uploaded: 'Uploaded',
  processed: 'Processed',
  indexed: 'Indexed',
  archived: 'Ready',
  rejected: 'Rejected',
};

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge badge-${state}`}>{STATE_LABELS[state] ?? state}</span>;
}

/** A gallery tile: placeholder first, then the best rendition for the tile's size. */
export function AssetCard(props: {
  client: SluiceClient;
  assetId: string;
  fileName?: string;
  dominantColor?: string;
}) {
  const { view, error } = useAsset(props.client, props.assetId);
  const rendition = view ? pickRendition(view.renditions, 320) : undefined;
  const preview = placeholderUrl(view?.placeholder);
  const name = view?.fileName ?? props.fileName ?? props.assetId;
  const state = view ? assetState(view) : error?.status === 404 ? 'uploaded' : undefined;
  const style = {
    backgroundColor: view?.dominantColor ?? props.dominantColor,
    backgroundImage: preview ? `url(${preview})` : undefined,
  };
  return (
    <li class="card">
      <a href={href(`assets/${props.assetId}`)} class="card-link">
        <div class="thumb" style={style}>
          {rendition?.url ? (
            <img
              src={rendition.url}
              alt=""
              loading="lazy"
              width={rendition.width}
              height={rendition.height}
            />
          ) : (
            <span class="thumb-note">
              {view?.state === 'rejected'
                ? 'rejected'
                : view?.detected
                  ? view.detected.kind === 'image'
                    ? ''
                    : view.detected.mime
                  : 'waiting for the processor'}
            </span>
          )}
        </div>
        <span class="card-name">{name}</span>
      </a>
      <span class="card-meta">
        {state ? <StateBadge state={state} /> : <span class="badge">…</span>}
        {view?.image ? (
          <span>
            {view.image.width}×{view.image.height}
          </span>
        ) : null}
      </span>
    </li>
  );
}
