// The page's addresses: every view has its own URL (path and query), kept in the browser's history,
// so reload, Back, bookmarks and shared links work. navigate() moves to an address; <Link> is a
// real link (it opens in a new tab on a middle click) that navigates in place on a plain click.
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

const snapshot = () => `${location.pathname}${location.search}`;

export interface Place {
  path: string;
  query: URLSearchParams;
}

/** The current address; the component re-renders when it changes. */
export function usePlace(): Place {
  const at = useSyncExternalStore(subscribe, snapshot);
  const [path, search = ''] = at.split('?');
  return { path: path!, query: new URLSearchParams(search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot() + location.hash && !options.replace) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

/** A path with a query, leaving out empty values: withQuery('/a', { x: '1', y: '' }) is '/a?x=1'. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const entries = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? path : `${path}?${new URLSearchParams(entries).toString()}`;
}

/** The parameters of `path` under a pattern such as /integrations/apis/webhooks/:id, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (pattern === '/' ) return path === '/' ? {} : null;
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(':')) params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const { to, onClick, ...rest } = props;
  const go = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={go} {...rest} />;
}

/** Sets the browser tab's title while the view is shown. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title === 'hookline' ? title : `${title} · hookline`;
  }, [title]);
}
