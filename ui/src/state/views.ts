// How each table was being looked at (sort and filters), kept while the
// database is open so coming back to a table finds it as it was left.
import type { Filter } from "../bindings/Filter";
import type { OrderBy } from "../bindings/OrderBy";
import { createStore, useStore } from "./store";

export interface TableViewState {
  order: OrderBy[];
  filters: Filter[];
}

const NONE: TableViewState = { order: [], filters: [] };
const viewsStore = createStore<Record<string, TableViewState>>({});
const id = (handle: number, table: string) => `${handle}\u0000${table}`;

export function useTableViewState(handle: number, table: string) {
  const state = useStore(viewsStore, (s) => s[id(handle, table)] ?? NONE);
  const set = (p: Partial<TableViewState>) => viewsStore.set((s) => ({ ...s, [id(handle, table)]: { ...(s[id(handle, table)] ?? NONE), ...p } }));
  return {
    ...state,
    setOrder: (f: (o: OrderBy[]) => OrderBy[]) => set({ order: f(viewsStore.get()[id(handle, table)]?.order ?? []) }),
    setFilters: (filters: Filter[]) => set({ filters }),
  };
}
