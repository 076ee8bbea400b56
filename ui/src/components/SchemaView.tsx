// The Schema tab: columns with types and constraints, indexes, foreign
// keys, triggers and the CREATE statement.
import type { TableSchema } from "../bindings/TableSchema";
import { useTableSchema } from "../state/useTableSchema";

function keyText(s: TableSchema): string {
  switch (s.key.kind) {
    case "rowid":
      return `rowid (as "${s.key.alias}")`;
    case "primary_key":
      return `primary key (${s.key.columns.map((i) => s.columns[i]?.name).join(", ")})`;
    default:
      return "none (read-only)";
  }
}

export function SchemaView({ handle, table }: { handle: number; table: string }) {
  const schema = useTableSchema(handle, table);
  if (!schema) return <div className="schema-view" data-testid="schema-view" aria-busy="true" />;
  return (
    <div className="schema-view" data-testid="schema-view">
      <h2>
        {schema.name} <span className="muted">{schema.kind}</span>
      </h2>
      <p className="muted">
        Row key: {keyText(schema)}
        {schema.without_rowid ? " · WITHOUT ROWID" : ""}
        {schema.strict ? " · STRICT" : ""}
      </p>
      <h3>Columns</h3>
      <table className="schema-table" data-testid="schema-columns">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Constraints</th>
            <th>Default</th>
          </tr>
        </thead>
        <tbody>
          {schema.columns.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td className="mono">{c.decl_type || <span className="muted">(none)</span>}</td>
              <td>
                {[
                  c.pk ? (schema.columns.filter((x) => x.pk).length > 1 ? `PRIMARY KEY (${c.pk})` : "PRIMARY KEY") : null,
                  c.not_null ? "NOT NULL" : null,
                  c.origin === "generated_virtual" ? "GENERATED (virtual)" : null,
                  c.origin === "generated_stored" ? "GENERATED (stored)" : null,
                  c.origin === "hidden" ? "HIDDEN" : null,
                ]
                  .filter(Boolean)
                  .join(", ")}
              </td>
              <td className="mono">{c.default_sql ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Indexes</h3>
      {schema.indexes.length ? (
        <table className="schema-table" data-testid="schema-indexes">
          <thead>
            <tr>
              <th>Name</th>
              <th>Columns</th>
              <th>Kind</th>
            </tr>
          </thead>
          <tbody>
            {schema.indexes.map((i) => (
              <tr key={i.name}>
                <td className="mono">{i.name}</td>
                <td className="mono">{i.columns.map((c) => c ?? "(expression)").join(", ")}</td>
                <td>
                  {[i.unique ? "UNIQUE" : null, i.partial ? "partial" : null, i.origin === "pk" ? "primary key" : i.origin === "u" ? "from UNIQUE" : null]
                    .filter(Boolean)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No indexes.</p>
      )}
      <h3>Foreign keys</h3>
      {schema.foreign_keys.length ? (
        <table className="schema-table" data-testid="schema-fks">
          <thead>
            <tr>
              <th>Columns</th>
              <th>References</th>
              <th>On update / delete</th>
            </tr>
          </thead>
          <tbody>
            {schema.foreign_keys.map((f, n) => (
              <tr key={n}>
                <td className="mono">{f.from.join(", ")}</td>
                <td className="mono">
                  {f.table}({f.to.map((t) => t ?? "primary key").join(", ")})
                </td>
                <td>
                  {f.on_update} / {f.on_delete}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No foreign keys.</p>
      )}
      <h3>Triggers</h3>
      {schema.triggers.length ? (
        schema.triggers.map((t) => (
          <div key={t.name} className="trigger">
            <div className="mono">{t.name}</div>
            {t.sql && <pre className="sql-block">{t.sql}</pre>}
          </div>
        ))
      ) : (
        <p className="muted">No triggers.</p>
      )}
      <h3>CREATE statement</h3>
      <pre className="sql-block" data-testid="schema-sql">
        {schema.sql ?? "(none: built-in table)"}
      </pre>
    </div>
  );
}
