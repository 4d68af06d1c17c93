// CloudFront Function (runtime cloudfront-js-2.0), viewer request, for the delivery paths (/v/*).
//
// Preset URLs with a fixed format map to the stored rendition's key, so CloudFront's first origin
// (the processed bucket, through origin access control) serves renditions without invoking Lambda:
//   /v/{assetId}/{preset}.{format}  ->  /renditions/{assetId}/{preset}.{format}   (query dropped)
// Everything else (format=auto, signed ad-hoc transforms) misses the bucket and falls back to the
// delivery function URL, which renders, stores and streams. For those, Accept is reduced to what
// format=auto reads (image/avif, image/webp or neither), so the cache key holds at most three
// variants per URL instead of one per browser's Accept string.

const PRESET =
  /^\/v\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([a-z0-9][a-z0-9-]{0,31})\.(webp|jpeg|avif|png)$/;

/** True when Accept names the type with a quality above 0. */
function accepts(accept, type) {
  return accept.split(',').some((part) => {
    const params = part.trim().toLowerCase().split(';');
    if (params[0].trim() !== type) return false;
    let quality = 1;
    for (const param of params.slice(1)) {
      if (param.trim().indexOf('q=') === 0) quality = Number(param.trim().slice(2));
    }
    return quality > 0;
  });
}

function normalizedAccept(headers) {
  const accept = headers.accept ? headers.accept.value : '';
  const types = [];
  if (accepts(accept, 'image/avif')) types.push('image/avif');
  if (accepts(accept, 'image/webp')) types.push('image/webp');
  types.push('*/*');
  return types.join(',');
}

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the global handler by name
function handler(event) {
  const request = event.request;
  const preset = PRESET.exec(request.uri);
  if (preset) {
    request.uri = `/renditions/${preset[1]}/${preset[2]}.${preset[3]}`;
    request.querystring = {};
    // Renditions do not vary: Accept stays out of the cache key.
    delete request.headers.accept;
    return request;
  }
  request.headers.accept = { value: normalizedAccept(request.headers) };
  return request;
}
