// The entity names of a Core Data table shared by a hierarchy, by Z_ENT
// number: read from the store's Z_PRIMARYKEY (Z_ENT, Z_NAME), so that each
// row's Z_ENT cell can say which entity it is. Undefined until read, or
// when the store has no Z_PRIMARYKEY (the cells then show the number).
import { useEffect, useState } from "react";
import { api } from "../api";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { TableListing } from "../bindings/TableListing";

export function useEntityNames(db: OpenedDb, listing: TableListing | undefined, version: number): ReadonlyMap<string, string> | undefined {
  const entities = listing?.framework === "coredata" && (listing.entities?.length ?? 0) > 1 ? listing.entities : undefined;
  const registry = db.tables.find((t) => t.name === "Z_PRIMARYKEY");
  const [names, setNames] = useState<ReadonlyMap<string, string> | undefined>(undefined);
  const wanted = entities?.join("\u0000") ?? "";
  useEffect(() => {
    if (!wanted || !registry) return;
    let live = true;
    api.fetchPage(db.handle, { table: registry.name, limit: 1000, after: null, order: [], filters: [] }).then(
      (page) => {
        const ent = page.columns.findIndex((c) => c.name === "Z_ENT");
        const name = page.columns.findIndex((c) => c.name === "Z_NAME");
        if (!live || ent < 0 || name < 0) return;
        const mine = new Set(wanted.split("\u0000"));
        const out = new Map<string, string>();
        for (const r of page.rows) {
          const e = r.values[ent];
          const n = r.values[name];
          if (typeof e === "number" && typeof n === "string" && mine.has(n)) out.set(String(e), n);
        }
        setNames(out);
      },
      // Unreadable: the numbers stay as they are.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [db.handle, registry?.name, wanted, version]);
  return names;
}
