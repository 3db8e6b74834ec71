// A small history router: the path picks the view, the query string holds the view's filters, so a reload,
// a shared link or a new sign-in after an expired session lands on the same view with the same filters.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface Route {
  path: string;
  query: URLSearchParams;
}

let cached: { key: string; route: Route } | undefined;

function snapshot(): Route {
  const key = window.location.pathname + window.location.search;
  if (cached?.key !== key) {
    cached = {
      key,
      route: { path: window.location.pathname, query: new URLSearchParams(window.location.search) },
    };
  }
  return cached.route;
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot);
}

/** Replaces the query string (filters) of the current path without a new history entry. */
export function setQuery(query: URLSearchParams): void {
  const search = query.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace: true });
}
