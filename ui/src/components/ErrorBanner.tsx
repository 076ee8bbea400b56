// The error banner: what failed, the backend's message, and what to do.
import { clearError, appStore } from "../state/app";
import { useStore } from "../state/store";
import { hintFor } from "../errors";

export function ErrorBanner() {
  const error = useStore(appStore, (s) => s.error);
  if (!error) return null;
  const hint = hintFor(error.kind);
  return (
    <div className="error-banner" data-testid="error-banner" data-kind={error.kind} role="alert">
      <div className="error-body">
        <strong>{error.context ? `${error.context} failed` : "Something failed"}</strong>
        {hint && <div className="error-hint">{hint}</div>}
        <div className="error-message">{error.message}</div>
        {error.action && (
          <button
            className="primary error-action"
            data-testid="error-action"
            onClick={() => {
              clearError();
              error.action?.run();
            }}
          >
            {error.action.label}
          </button>
        )}
      </div>
      <button className="icon" aria-label="Dismiss error" onClick={clearError}>
        ×
      </button>
    </div>
  );
}
