/** A code cell as the graph sees it: its id, the name it defines, the cell names it reads. */
export interface GraphCell {
  id: string;
  name: string | undefined;
  /** names of other cells this cell reads (already matched to defined names) */
  references: string[];
}

export interface Graph {
  /** every cell id, dependencies before dependents, document order otherwise */
  order: string[];
  /** direct dependencies by cell id */
  inputs: Map<string, string[]>;
  /** cells that cannot run because of the graph: duplicate names and cycles */
  errors: Map<string, string>;
}

/** Build the dependency graph: who defines each name, what each cell reads, and in what order to run. */
export function buildGraph(cells: readonly GraphCell[]): Graph {
  const definers = new Map<string, string[]>();
  for (const cell of cells) {
    if (cell.name !== undefined)
      definers.set(cell.name, [...(definers.get(cell.name) ?? []), cell.id]);
  }
  const errors = new Map<string, string>();
  for (const [name, ids] of definers) {
    if (ids.length > 1)
      for (const id of ids)
        errors.set(id, `${name} is defined by more than one cell (${ids.join(", ")})`);
  }
  const nameOf = new Map(cells.map((c) => [c.id, c.name]));
  const inputs = new Map<string, string[]>();
  for (const cell of cells) {
    const deps = new Set<string>();
    for (const name of cell.references) for (const id of definers.get(name) ?? []) deps.add(id);
    inputs.set(cell.id, [...deps]);
  }
  for (const component of stronglyConnected(
    cells.map((c) => c.id),
    inputs,
  )) {
    const first = component[0]!;
    const cyclic = component.length > 1 || (inputs.get(first) ?? []).includes(first);
    if (!cyclic) continue;
    const names = component.map((id) => nameOf.get(id) ?? id);
    const message =
      component.length === 1
        ? `${names[0]} reads itself`
        : `circular definition: ${[...names, names[0]].join(" → ")}`;
    for (const id of component) errors.set(id, message);
  }
  return {
    order: topologicalOrder(
      cells.map((c) => c.id),
      inputs,
    ),
    inputs,
    errors,
  };
}

/** Every cell that reads `id`, directly or not, in run order. */
export function dependentsOf(graph: Graph, id: string): string[] {
  const found = new Set<string>([id]);
  for (const candidate of graph.order) {
    if (found.has(candidate)) continue;
    if ((graph.inputs.get(candidate) ?? []).some((dep) => found.has(dep))) found.add(candidate);
  }
  found.delete(id);
  return graph.order.filter((c) => found.has(c));
}

/** Kahn's algorithm, taking the earliest cell in the document whenever there is a choice; cycles go last. */
function topologicalOrder(ids: string[], inputs: Map<string, string[]>): string[] {
  const position = new Map(ids.map((id, i) => [id, i]));
  const waiting = new Map(
    ids.map((id) => [id, new Set((inputs.get(id) ?? []).filter((d) => d !== id))]),
  );
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < ids.length) {
    const ready = ids.filter(
      (id) => !done.has(id) && [...waiting.get(id)!].every((d) => done.has(d)),
    );
    const next =
      ready[0] ??
      ids.filter((id) => !done.has(id)).sort((a, b) => position.get(a)! - position.get(b)!)[0]!;
    order.push(next);
    done.add(next);
  }
  return order;
}

/** Tarjan's strongly connected components. */
function stronglyConnected(ids: string[], inputs: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (id: string) => {
    index.set(id, counter);
    low.set(id, counter);
    counter++;
    stack.push(id);
    onStack.add(id);
    for (const dep of inputs.get(id) ?? []) {
      if (!index.has(dep)) {
        visit(dep);
        low.set(id, Math.min(low.get(id)!, low.get(dep)!));
      } else if (onStack.has(dep)) {
        low.set(id, Math.min(low.get(id)!, index.get(dep)!));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component.reverse());
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return components;
}
