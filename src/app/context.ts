import { getContext, setContext } from "svelte";
import type { Session } from "./session.svelte.ts";

const KEY = Symbol("session");

export function setSession(session: Session): void {
  setContext(KEY, session);
}

export function getSession(): Session {
  const session = getContext<Session | undefined>(KEY);
  if (!session) throw new Error("getSession() called outside a component tree that set one");
  return session;
}
