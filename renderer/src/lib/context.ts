import { getContext, setContext } from 'svelte';
import type { Session } from './session.svelte.js';

const KEY = Symbol('session');

/** The App provides the session; every panel below reads it from here. */
export function provideSession(session: Session): void {
  setContext(KEY, session);
}

export function useSession(): Session {
  const s = getContext<Session | undefined>(KEY);
  if (!s) throw new Error('useSession() outside the App');
  return s;
}
