// A grid column: its name and declared type (ColumnMeta), and how its
// values are shown (a display kind) and explained (framework bookkeeping).
import type { ColumnMeta } from "../bindings/ColumnMeta";

export interface GridColumn extends ColumnMeta {
  /** The display kind its values are shown as (display/kinds.ts); absent: as stored. */
  display?: string;
  /** The user chose how it is shown ("Show as"); with no `display`: as stored (raw). */
  displayOverride?: boolean;
  /** Framework bookkeeping (Core Data's Z_PK, Z_ENT, Z_OPT): drawn muted and narrow. */
  bookkeeping?: boolean;
  /** What the column is, for its header's tooltip. */
  note?: string;
  /** Names of its stored numbers (Z_ENT → the entity), shown beside them. */
  names?: ReadonlyMap<string, string>;
  /** The hover text of its cells when they show a name. */
  namesTitle?: string;
  /** The widest its automatic width goes. */
  maxWidth?: number;
}
