import { getContext, setContext } from "svelte";
import type { Workspace } from "./workspace.svelte.ts";

const KEY = Symbol("workspace");

export function setWorkspace(workspace: Workspace): void {
  setContext(KEY, workspace);
}

export function getWorkspace(): Workspace {
  const workspace = getContext<Workspace | undefined>(KEY);
  if (!workspace) throw new Error("getWorkspace() called outside a component tree that set one");
  return workspace;
}
