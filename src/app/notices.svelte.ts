/** A line at the top of the page: an error, or news with an action such as Undo. */
export interface Notice {
  id: number;
  tone: "error" | "info";
  text: string;
  action?: { label: string; run: () => void | Promise<void> };
  /** the notebook the notice is about: it goes when another notebook opens */
  docId?: string;
}

/** The page's notices: one line each, the same line once, the last few kept. */
export class Notices {
  list = $state.raw<Notice[]>([]);
  #ids = 0;

  add(tone: Notice["tone"], text: string, action?: Notice["action"], docId?: string): void {
    const line = text.split("\n")[0]!;
    this.list = [
      ...this.list.filter((n) => n.text !== line),
      { id: ++this.#ids, tone, text: line, action, docId },
    ].slice(-4);
  }

  /** Another notebook opened: drop the notices (and their Undo) about the others. */
  keepFor(docId: string): void {
    this.list = this.list.filter((n) => n.docId === undefined || n.docId === docId);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
