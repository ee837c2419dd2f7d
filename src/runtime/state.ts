/** A cell's error: what went wrong and, for code errors, where in the cell's own source. */
export interface CellError {
  message: string;
  /** 1-based line in the cell, when known */
  line?: number;
  /** 1-based column in the cell, when known */
  column?: number;
}

/** Something a cell showed with `display()`, or its value. */
export type Output =
  { kind: "value"; value: unknown } | { kind: "input"; spec: InputSpec; value: unknown };

/** An input that `view()` asked for; the app renders it, the runner uses its initial value. */
export type InputSpec =
  | { type: "range"; label?: string; min: number; max: number; step?: number; value: number }
  | {
      type: "select";
      label?: string;
      options: readonly (string | number)[];
      value: string | number;
    }
  | { type: "checkbox"; label?: string; value: boolean }
  | { type: "text"; label?: string; value: string };

/** A cell's execution state: one union, changed only by `transition`. */
export type CellState =
  | { status: "idle" }
  | { status: "queued" }
  | { status: "running"; started: number }
  | { status: "done"; value: unknown; outputs: Output[]; ms: number }
  | { status: "error"; error: CellError; ms: number | undefined }
  /** the user stopped it while it ran (ms: how long it had run) or before it started */
  | { status: "stopped"; ms: number | undefined };

export type CellEvent =
  | { type: "queue" }
  | { type: "start"; at: number }
  | { type: "finish"; value: unknown; outputs: Output[]; at: number }
  | { type: "fail"; error: CellError; at?: number }
  | { type: "stop"; at: number }
  | { type: "reset" };

/** The one way a cell's state changes. An event that makes no sense in a state is a bug: it throws. */
export function transition(state: CellState, event: CellEvent): CellState {
  switch (event.type) {
    case "queue":
      return { status: "queued" };
    case "start":
      if (state.status !== "queued") throw invalid(state, event);
      return { status: "running", started: event.at };
    case "finish":
      if (state.status !== "running") throw invalid(state, event);
      return {
        status: "done",
        value: event.value,
        outputs: event.outputs,
        ms: event.at - state.started,
      };
    case "fail":
      return {
        status: "error",
        error: event.error,
        ms:
          state.status === "running" && event.at !== undefined
            ? event.at - state.started
            : undefined,
      };
    case "stop":
      if (state.status !== "queued" && state.status !== "running") throw invalid(state, event);
      return {
        status: "stopped",
        ms: state.status === "running" ? event.at - state.started : undefined,
      };
    case "reset":
      return { status: "idle" };
    default:
      return assertNever(event);
  }
}

function invalid(state: CellState, event: CellEvent): Error {
  return new Error(`invalid cell transition: ${event.type} while ${state.status}`);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
