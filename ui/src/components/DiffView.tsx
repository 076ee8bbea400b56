// A diff of two versions, per table: rows added, deleted and changed (the
// changed cells as old → new), and the schema changes, with their SQL.
import type { DbDiff } from "../bindings/DbDiff";
import type { RowChange } from "../bindings/RowChange";
import type { TableDiff } from "../bindings/TableDiff";
import { formatCount, plural } from "../lib/format";
import { describeKey } from "../lib/rowKey";
import { cachedSchema } from "../state/schemas";
import { shortText } from "../values";

const ROWS_SHOWN = 200;
const VALUES_SHOWN = 8;

const OP_MARK = { insert: "+", delete: "−", update: "~" } as const;

function Row({ handle, t, r }: { handle: number; t: TableDiff; r: RowChange }) {
  const name = r.key !== null ? describeKey(r.key, cachedSchema(handle, t.name)) : "a row";
  // The key columns are in the row's name already.
  const values = (vals: RowChange["new"]) =>
    t.columns
      .map((c, i) => [c, i] as const)
      .filter(([c]) => !t.key_columns.includes(c))
      .slice(0, VALUES_SHOWN)
      .map(([c, i]) => `${c} = ${shortText(vals?.[i] ?? null, 32)}`)
      .join(", ") + (t.columns.length > VALUES_SHOWN + t.key_columns.length ? ", …" : "");
  return (
    <li className={`diff-row diff-${r.op}`} data-testid="diff-row" data-op={r.op} data-key={r.key ?? undefined}>
      <span className="diff-mark" aria-hidden>
        {OP_MARK[r.op]}
      </span>
      <span className="row-name">{name}</span>{" "}
      {r.op === "update" ? (
        r.changed.map((i) => (
          <span key={i} className="cell-change" data-column={t.columns[i]}>
            {t.columns[i]}: <del>{shortText(r.old?.[i] ?? null)}</del> → <ins>{shortText(r.new?.[i] ?? null)}</ins>
          </span>
        ))
      ) : (
        <span className="row-values">{values(r.op === "insert" ? r.new : r.old)}</span>
      )}
    </li>
  );
}

function Table({ handle, t }: { handle: number; t: TableDiff }) {
  const total = t.inserted + t.deleted + t.updated;
  const parts: string[] = [];
  if (t.inserted) parts.push(`${formatCount(t.inserted)} added`);
  if (t.updated) parts.push(`${formatCount(t.updated)} changed`);
  if (t.deleted) parts.push(`${formatCount(t.deleted)} deleted`);
  const shown = t.rows.slice(0, ROWS_SHOWN);
  return (
    <section className="diff-table" data-testid="diff-table" data-name={t.name} title={`${plural(t.compared, "row")} read one by one; the rest sit in pages identical in both versions`}>
      <h4>
        {t.name}
        {t.status !== "compared" && <span className="tag warn">{t.status === "added" ? "new table" : "dropped"}</span>}
        {t.schema_changed && <span className="tag warn">schema changed</span>}
        <span className="muted diff-counts" data-testid="diff-counts">
          {" "}
          · {parts.length ? `${plural(total, "row")}: ${parts.join(", ")}` : "no row changed"}
        </span>
      </h4>
      {shown.length > 0 && (
        <ul className="diff-rows">
          {shown.map((r, i) => (
            <Row key={`${r.op}${r.key ?? i}`} handle={handle} t={t} r={r} />
          ))}
          {total > shown.length && (
            <li className="muted">
              and {plural(total - shown.length, "more row")}
              {t.truncated ? " (not listed: the diff holds the first rows only)" : ""}
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

export function DiffView({ handle, diff, title }: { handle: number; diff: DbDiff; title: React.ReactNode }) {
  const tables = diff.tables.filter((t) => t.inserted || t.updated || t.deleted || t.schema_changed || t.status !== "compared");
  return (
    <div className="diff-view" data-testid="diff-view">
      <h3>{title}</h3>
      {!tables.length && !diff.schema.length && (
        <p className="muted" data-testid="diff-empty">
          No differences: both versions hold the same rows and schema.
        </p>
      )}
      {diff.schema.length > 0 && (
        <section className="diff-schema" data-testid="diff-schema">
          <h4>Schema</h4>
          <ul>
            {diff.schema.map((c, i) => (
              <li key={i} data-kind={c.kind} data-change={c.change}>
                <strong>
                  {c.kind === "user_version" ? "user_version" : `${c.kind} ${c.name}`}
                </strong>{" "}
                {c.change}
                <details>
                  <summary>SQL</summary>
                  {c.before !== null && (
                    <>
                      <div className="muted">Before</div>
                      <pre className="sql-block">{c.before}</pre>
                    </>
                  )}
                  {c.after !== null && (
                    <>
                      <div className="muted">After</div>
                      <pre className="sql-block">{c.after}</pre>
                    </>
                  )}
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
      {tables.map((t) => (
        <Table key={t.name} handle={handle} t={t} />
      ))}
    </div>
  );
}
