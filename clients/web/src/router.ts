import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/assets/<id>`): the page is one file, and no path can shadow an API route. */
export interface Route {
  name: 'upload' | 'gallery' | 'asset' | 'search' | 'dashboard' | 'architecture' | 'not-found';
  params: Record<string, string>;
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  if (!first) return { name: 'upload', params: {}, query };
  if (first === 'assets' && second)
    return { name: 'asset', params: { id: decodeURIComponent(second) }, query };
  if (['upload', 'gallery', 'search', 'dashboard', 'architecture'].includes(first) && parts.length === 1) {
    return { name: first as Route['name'], params: {}, query };
  }
  return { name: 'not-found', params: {}, query };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (path: string, query?: Record<string, string | undefined>) => {
  const qs = new URLSearchParams(
    Object.entries(query ?? {}).filter(([, v]) => v) as [string, string][],
  ).toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
};
