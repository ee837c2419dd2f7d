/**
 * What a TypeScript cell sees, for editor completion. Every named cell is in scope too, under
 * its name: a SQL cell as an Arrow table, a TS cell as its value.
 */
import type * as arquero from "arquero";
import type * as plot from "@observablehq/plot";
import type { Table } from "apache-arrow";

type InputSpec =
  | { type: "range"; label?: string; min: number; max: number; step?: number; value: number }
  | {
      type: "select";
      label?: string;
      options: readonly (string | number)[];
      value: string | number;
    }
  | { type: "checkbox"; label?: string; value: boolean }
  | { type: "text"; label?: string; value: string };

declare global {
  /** Run SQL in DuckDB; `${values}` become SQL literals (numbers, strings, booleans, dates, arrays, null). */
  function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<Table>;
  /** Arquero, for table wrangling in JavaScript. */
  const aq: typeof arquero;
  /** Arquero's operations, for expressions in `derive`, `rollup` and `filter`. */
  const op: typeof arquero.op;
  /** Observable Plot; `Plot.plot(...)` draws a chart. */
  const Plot: typeof plot;
  /** Show a value below the cell, in addition to the cell's own value; returns the value. */
  function display<T>(value: T): T;
  /** Ask for an input (a slider, a select, a checkbox, a text box); returns its current value. */
  function view<S extends InputSpec>(spec: S): S["value"];
}

export {};
