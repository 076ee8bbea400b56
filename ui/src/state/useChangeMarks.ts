// The app's changes to one table since the watch's baseline, for the grid:
// one diff_versions call per new version (the current table only, up to
// 10,000 rows), kept for the last few tables looked at. Highlighting never
// reads rows: the marks are looked up by row key as rows are drawn.
import { useEffect, useState } from "react";
import { api } from "../api";
import { marksOf, type ChangeMarks } from "../grid/changeMarks";
import { Lru } from "../grid/lru";
import { totalOf, useWatch } from "./watch";

/** Rows per table a highlight asks for. */
export const HIGHLIGHT_ROWS = 10_000;

const cache = new Lru<string, ChangeMarks>(8);

export function useChangeMarks(handle: number, table: string): ChangeMarks | null {
  const w = useWatch(handle);
  const from = w.phase !== "off" ? (w.baseline?.number ?? null) : null;
  const to = w.newest?.number ?? null;
  const counts = w.counts[table];
  const changed = from !== null && to !== null && from !== to && (totalOf(counts) > 0 || !!counts?.schema);
  const id = `${handle}\u0000${table}\u0000${from}\u0000${to}`;
  const [marks, setMarks] = useState<{ id: string; marks: ChangeMarks } | null>(() => {
    const hit = cache.get(id);
    return hit ? { id, marks: hit } : null;
  });
  useEffect(() => {
    if (!changed || from === null || to === null) return;
    const hit = cache.get(id);
    if (hit) return setMarks({ id, marks: hit });
    let live = true;
    api.diffVersions(handle, from, to, [table], HIGHLIGHT_ROWS).then(
      (diff) => {
        const t = diff.tables.find((x) => x.name === table);
        if (!t) return;
        const m = marksOf(t);
        cache.set(id, m);
        if (live) setMarks({ id, marks: m });
      },
      // Highlights are a help: without them the grid still shows the rows.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [id, changed]);
  if (!changed) return null;
  // While a newer version's marks load, the previous ones (same table, same baseline) stay.
  return marks && marks.id.startsWith(`${handle}\u0000${table}\u0000${from}\u0000`) ? marks.marks : null;
}
