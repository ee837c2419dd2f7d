/** A line at the top of the page: an error, or news with an action such as Undo. */
export interface Notice {
  id: number;
  tone: "error" | "info";
  text: string;
  action?: { label: string; run: () => void | Promise<void> };
  /** the open notebook the notice is about: it goes when another notebook opens */
  docId?: string;
  /** a notebook the notice is about, open or not: it goes when that notebook changes hands */
  about?: string;
}

/** The page's notices: one line each, the same line once, the last few kept. */
export class Notices {
  list = $state.raw<Notice[]>([]);
  #ids = 0;

  /** Show a line; returns its id (to dismiss it when what it announces is over). */
  add(
    tone: Notice["tone"],
    text: string,
    action?: Notice["action"],
    where: { docId?: string; about?: string } = {},
  ): number {
    const line = text.split("\n")[0]!;
    const id = ++this.#ids;
    this.list = [
      ...this.list.filter((n) => n.text !== line),
      { id, tone, text: line, action, ...where },
    ].slice(-4);
    return id;
  }

  /** The notices about a notebook go (it was restored, deleted, replaced or taken over). */
  forget(docId: string): void {
    this.list = this.list.filter((n) => n.docId !== docId && n.about !== docId);
  }

  /** Another notebook opened: drop the notices (and their Undo) about the others. */
  keepFor(docId: string): void {
    this.list = this.list.filter((n) => n.docId === undefined || n.docId === docId);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
