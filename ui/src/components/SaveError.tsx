// Why the last save failed, above the grid, until the marked values are
// changed or a save succeeds (never a banner that outlives the problem).
import type { FailedCell, SaveError as Failure } from "../editing/store";
import { hintFor } from "../errors";

export function SaveError({ error, onShow }: { error: Failure; onShow(cell: FailedCell): void }) {
  const first = error.cells.find((c) => c.key !== undefined);
  return (
    <div className="notice error" data-testid="save-error" data-kind={error.kind} role="alert">
      <span>
        <strong>Saving failed: nothing was written.</strong> {hintFor(error.kind) ?? ""}
        <span className="error-message">{error.message}</span>
      </span>
      {first && (
        <button className="link" onClick={() => onShow(first)}>
          Show the row
        </button>
      )}
    </div>
  );
}
