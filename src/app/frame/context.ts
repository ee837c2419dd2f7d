import { getContext, setContext } from "svelte";
import type { FrameNotebook } from "./notebook.svelte.ts";

const KEY = Symbol("frame");

export function setFrame(frame: FrameNotebook): void {
  setContext(KEY, frame);
}

/** The notebook of the frame this component renders in. */
export function getFrame(): FrameNotebook {
  const frame = getContext<FrameNotebook | undefined>(KEY);
  if (!frame) throw new Error("getFrame() called outside the notebook frame");
  return frame;
}
