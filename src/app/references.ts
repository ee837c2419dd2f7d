import type { Notebook } from "../notebook/index.ts";
import { renameReferences } from "../runtime/index.ts";
import type { OpenDocument } from "./document.svelte.ts";

/** What a notice offers: a line, and the button that does it. */
export interface Offer {
  text: string;
  action: { label: string; run: () => Promise<void> };
}

/**
 * After `from` was renamed to `to`: when cells of an editable notebook still read `from`, the
 * offer to make them read `to` — rewritten when the user takes it (the cells as they are then),
 * shown in their editors, and `then` runs them.
 */
export function referenceOffer(
  doc: OpenDocument,
  what: "cell" | "dataset",
  from: string,
  to: string,
  then: () => Promise<void>,
): Offer | undefined {
  if (!doc.editable) return undefined;
  const readers = referenceUpdates(doc.notebook, from, to).length;
  if (readers === 0) return undefined;
  const still = readers === 1 ? "1 cell still reads" : `${readers} cells still read`;
  return {
    text: `Renamed ${what} ${from} to ${to}; ${still} ${from}.`,
    action: {
      label: readers === 1 ? "Update it" : "Update them",
      run: async () => {
        const edits = referenceUpdates(doc.notebook, from, to);
        doc.rewrite(edits.map(({ id, source }) => ({ type: "edit", id, source })));
        await then();
      },
    },
  };
}

/** The code cells that read `from`, with their source rewritten to read `to`. */
function referenceUpdates(
  notebook: Notebook,
  from: string,
  to: string,
): { id: string; source: string }[] {
  return notebook.cells.flatMap((cell) => {
    if (cell.kind === "markdown") return [];
    const source = renameReferences(cell.kind, cell.source, from, to);
    return source === undefined ? [] : [{ id: cell.id, source }];
  });
}
