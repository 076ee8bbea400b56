// How one value is drawn in a cell: its text and a class per kind, so
// NULL, empty text, BLOBs, JSON, long text and big integers look different.
import type { Value } from "../bindings/Value";
import { CELL_TEXT_LIMIT, displayText, kindOf } from "../values";

export function cellClass(v: Value | undefined, realColumn: boolean): string {
  if (v === undefined) return "v-loading";
  let cls = `v-${kindOf(v, realColumn)}`;
  if (typeof v === "string" && v.length > CELL_TEXT_LIMIT) cls += " v-long";
  return cls;
}

export function cellText(v: Value | undefined, realColumn: boolean): string {
  return v === undefined ? "" : displayText(v, realColumn);
}
