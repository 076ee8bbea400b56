// Column widths that fit the content: text measured on a canvas with the
// grid's own fonts (no layout pass over the DOM). Used for the first
// widths of a table and for "fit to content" (double-click a header edge).
import type { ColumnMeta } from "../bindings/ColumnMeta";
import { displayCell } from "../display/kinds";
import type { GridColumn } from "./gridColumn";
import type { Value } from "../bindings/Value";
import { affinityOf } from "../affinity";
import { displayText, kindOf } from "../values";

export const MIN_COL = 48;
/** First widths stay reasonable; an explicit fit may go wider. */
export const FIRST_MAX = 320;
export const FIT_MAX = 640;
/** Cell padding (8 px each side), the border and a little air. */
const PAD = 17;

export interface Fonts {
  sans: string;
  mono: string;
}

let ctx: CanvasRenderingContext2D | null = null;
const cache = new Map<string, number>();

function width(text: string, font: string): number {
  const id = `${font}\u0000${text}`;
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  ctx ??= document.createElement("canvas").getContext("2d");
  if (!ctx) return text.length * 7;
  ctx.font = font;
  const w = ctx.measureText(text).width;
  if (cache.size > 20_000) cache.clear();
  cache.set(id, w);
  return w;
}

/** The fonts the grid draws with (from the stylesheet's variables). */
export function gridFonts(el: Element): Fonts {
  const cs = getComputedStyle(el);
  return { sans: cs.fontFamily, mono: cs.getPropertyValue("--mono").trim() || "monospace" };
}

/** What a header needs: the name (bold, with room for a sort mark) over the type. */
export function headerWidth(c: ColumnMeta, f: Fonts): number {
  return Math.ceil(Math.max(width(c.name, `600 13px ${f.sans}`) + 10, width(c.type.toUpperCase(), `10px ${f.sans}`)) + PAD);
}

/** How wide one value draws (the fonts per kind match styles.css). */
function valueWidth(v: Value, real: boolean, f: Fonts): number {
  const kind = kindOf(v, real);
  const text = displayText(v, real);
  if (kind === "integer" || kind === "bigint" || kind === "real" || kind === "json") return width(text, `${kind === "bigint" ? "600 " : ""}12px ${f.mono}`);
  if (kind === "null" || kind === "blob" || kind === "text_bytes") return width(text, `italic 12px ${f.sans}`);
  if (kind === "empty") return 40;
  return width(text.length > 120 ? text.slice(0, 120) : text, `13px ${f.sans}`);
}

/** How wide a value shown as a display kind (or with a name) draws; null: as stored. */
function shownWidth(c: GridColumn, v: Value, real: boolean, f: Fonts): number | null {
  const name = c.names && v !== null ? c.names.get(String(typeof v === "object" && "$int" in v ? v.$int : v)) : undefined;
  if (name !== undefined) return width(`${displayText(v, real)} ${name}`, `13px ${f.sans}`) + 10;
  const view = c.display ? displayCell(v, c.display, real) : null;
  if (!view) return null;
  const font = view.cls === "v-uuid" || view.cls === "v-date" || view.cls === "v-json" ? `12px ${f.mono}` : `13px ${f.sans}`;
  return width(view.text.length > 120 ? view.text.slice(0, 120) : view.text, font) + (view.thumb ? 26 : 0) + (view.badge ? width(view.badge, `10px ${f.sans}`) + 12 : 0);
}

/** A width for column `c` that fits its header and `values`, within [MIN_COL, max]. */
export function fitWidth(c: GridColumn, values: Value[], f: Fonts, max: number): number {
  const real = affinityOf(c.type) === "real";
  const cap = Math.min(max, c.maxWidth ?? max);
  let w = headerWidth(c, f) + (c.display || c.displayOverride ? 44 : 0);
  for (const v of values) w = Math.max(w, Math.ceil(shownWidth(c, v, real, f) ?? valueWidth(v, real, f)) + PAD);
  return Math.max(MIN_COL, Math.min(cap, w));
}
