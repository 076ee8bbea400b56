// The schema of one table, read when the component mounts, the table
// changes or the database was pulled again; `null` until it arrives (or
// when reading it failed: the error banner says why).
import { useEffect, useState } from "react";
import { api } from "../api";
import type { TableSchema } from "../bindings/TableSchema";
import { appStore, showError } from "./app";
import { cachedSchema, onSchema, rememberSchema } from "./schemas";
import { useStore } from "./store";

export function useTableSchema(handle: number, table: string): TableSchema | null {
  const version = useStore(appStore, (s) => `${s.dataVersion[handle] ?? 0}:${s.liveVersion[handle] ?? 0}`);
  const [schema, setSchema] = useState<TableSchema | null>(() => cachedSchema(handle, table) ?? null);
  useEffect(() => {
    let live = true;
    api.tableSchema(handle, table).then(
      (s) => {
        rememberSchema(handle, s);
        if (live) setSchema((cur) => (cur && JSON.stringify(cur) === JSON.stringify(s) ? cur : s));
      },
      (e) => live && showError(e, `Reading the schema of ${table}`),
    );
    return () => {
      live = false;
    };
  }, [handle, table, version]);
  // A new schema from another command (Show as…) replaces it in place.
  useEffect(() => onSchema((h, s) => h === handle && s.name === table && setSchema(s)), [handle, table]);
  return schema?.name === table ? schema : null;
}
