import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Route, useRoute } from './router';
import { ArchitecturePage } from './routes/architecture';
import { AssetPage } from './routes/asset';
import { DashboardPage } from './routes/dashboard';
import { GalleryPage } from './routes/gallery';
import { SearchPage } from './routes/search';
import { UploadPage } from './routes/upload';
import {
  clientFor,
  forgetToken,
  isExpired,
  rememberToken,
  restoreSession,
  type Session,
  sessionFrom,
} from './session';

const NAV: { route: Route['name']; label: string }[] = [
  { route: 'upload', label: 'Upload' },
  { route: 'gallery', label: 'Gallery' },
  { route: 'search', label: 'Search' },
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'architecture', label: 'Architecture' },
];

const TITLES: Record<Route['name'], string> = {
  upload: 'Upload',
  gallery: 'Gallery',
  asset: 'Asset',
  search: 'Search',
  dashboard: 'Dashboard',
  architecture: 'Architecture',
  'not-found': 'Not found',
};

function SignIn(props: { onSession: (session: Session) => void; expired: boolean }) {
  const [error, setError] = useState<string | undefined>();
  const submit = (event: Event) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    const session = sessionFrom(token, 'pasted');
    if (!token) return setError('Paste a token first.');
    if (isExpired(session)) return setError('That token has expired.');
    props.onSession(rememberToken(token));
  };
  return (
    <section aria-labelledby="signin-title" class="signin">
      <h1 id="signin-title">Sign in</h1>
      {props.expired ? <p class="error">Your token has expired.</p> : null}
      <p>
        Paste an API token. Locally, <code>npm start</code> signs this page in by itself; the same token is
        printed as <code>Dev token</code>.
      </p>
      <form onSubmit={submit}>
        <label for="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          autoComplete="off"
          spellcheck={false}
          aria-describedby={error ? 'token-error' : undefined}
        />
        {error ? (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | undefined>();
  const [ready, setReady] = useState(false);
  const main = useRef<HTMLElement>(null);
  const client = useMemo(() => clientFor(session), [session]);

  useEffect(() => {
    void restoreSession().then((restored) => {
      setSession(restored);
      setReady(true);
    });
  }, []);

  // A new page: its title, and (after the first) focus to the main region so screen readers start
  // there; on the first load focus stays at the top, where the skip link is.
  const firstPage = useRef(true);
  useEffect(() => {
    document.title = `${TITLES[route.name]} · Sluice`;
    if (firstPage.current) firstPage.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [route.name, route.params.id]);

  const expired = session !== undefined && isExpired(session);
  const signedIn = session !== undefined && !expired;
  const current = route.name === 'asset' ? 'gallery' : route.name;

  let page = null;
  if (!ready) page = <p role="status">Loading…</p>;
  else if (route.name === 'architecture') page = <ArchitecturePage />;
  else if (route.name === 'dashboard') page = <DashboardPage />;
  else if (!signedIn) page = <SignIn expired={expired} onSession={setSession} />;
  else if (route.name === 'upload') page = <UploadPage client={client} session={session} />;
  else if (route.name === 'gallery') page = <GalleryPage client={client} />;
  else if (route.name === 'asset')
    page = <AssetPage key={route.params.id} client={client} assetId={route.params.id ?? ''} />;
  else if (route.name === 'search') page = <SearchPage client={client} route={route} />;
  else
    page = (
      <section>
        <h1>Not found</h1>
        <p>
          No page here. <a href="#/">Go to uploads</a>.
        </p>
      </section>
    );

  return (
    <>
      <button type="button" class="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Sluice home">
          <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="currentColor" />
            <path d="M3 5h10M3 8h10M3 11h10" stroke="var(--bg)" stroke-width="1.5" />
          </svg>
          Sluice
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.route}>
                <a href={`#/${item.route}`} aria-current={current === item.route ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {signedIn ? (
            <>
              <span>
                Tenant <strong>{session.tenantId ?? '?'}</strong>
                {session.source === 'local' ? ' (local dev)' : ''}
              </span>
              {session.source === 'pasted' ? (
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    forgetToken();
                    setSession(undefined);
                  }}
                >
                  Sign out
                </button>
              ) : null}
            </>
          ) : null}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
