// The schema of one table, read when the component mounts or the table
// changes; `null` until it arrives (or when reading it failed: the error
// banner says why).
import { useEffect, useState } from "react";
import { api } from "../api";
import type { TableSchema } from "../bindings/TableSchema";
import { showError } from "./app";

export function useTableSchema(handle: number, table: string): TableSchema | null {
  const [schema, setSchema] = useState<TableSchema | null>(null);
  useEffect(() => {
    let live = true;
    api.tableSchema(handle, table).then(
      (s) => live && setSchema(s),
      (e) => live && showError(e, `Reading the schema of ${table}`),
    );
    return () => {
      live = false;
    };
  }, [handle, table]);
  return schema;
}
