// Who is who (alerts, incidents): the signed-in analyst (/api/auth/me) and, for callers with users:read, the
// tenant's active users, to pick an assignee and to name the authors of notes and changes. Without
// users:read an analyst can still take an alert or an incident ("Assign to me") and ids stay shortened.
import { useEffect, useState } from 'react';
import { useConsole } from '../App.js';
import { describe } from './problem.js';
import { must } from './client.js';

export interface Person {
  id: string;
  email: string;
  displayName: string;
}

export interface Directory {
  me: Person | null;
  /** Active users of the tenant, or null when the caller may not list users. */
  users: Person[] | null;
  /** Why the signed-in user could not be read (null while loading or once known). */
  error: string | null;
  name(id: string | null): string;
}

export function useDirectory(): Directory {
  const { api } = useConsole();
  const [me, setMe] = useState<Person | null>(null);
  const [users, setUsers] = useState<Person[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    must(api.GET('/api/auth/me'))
      .then((body) => {
        if (!live) return;
        setMe({ id: body.user.id, email: body.user.email, displayName: body.user.displayName });
        if (!body.permissions.includes('users:read')) return;
        // Without the list the view still works (ids stay shortened): a failure here is not shown.
        must(api.GET('/api/users', { params: { query: { status: 'active', limit: 200 } } }))
          .then((page) => {
            if (live) setUsers(page.items.map(({ id, email, displayName }) => ({ id, email, displayName })));
          })
          .catch(() => undefined);
      })
      .catch((failure: unknown) => live && setError(describe(failure)));
    return () => {
      live = false;
    };
  }, [api]);
  return {
    me,
    users,
    error,
    name(id) {
      if (id === null) return 'a removed user';
      if (me?.id === id) return 'you';
      const user = users?.find((u) => u.id === id);
      return user ? user.displayName || user.email : `user ${id.slice(0, 8)}`;
    },
  };
}

export function label(person: Person): string {
  return person.displayName && person.displayName !== person.email
    ? `${person.displayName} (${person.email})`
    : person.email;
}
