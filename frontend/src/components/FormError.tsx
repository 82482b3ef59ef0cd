// The error line forms and loading sections show under what failed.

/**
 * FormError shows error as an alert, nothing when there is none; with what,
 * as "Could not load the <what>: <error>".
 */
export function FormError({ error, what }: { error: string | null | undefined; what?: string }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {what !== undefined && `Could not load the ${what}: `}
      {error}
    </p>
  );
}

/** DismissableError shows an action's error as an alert with a × that clears it. */
export function DismissableError({ error, onDismiss }: { error: string | null | undefined; onDismiss: () => void }) {
  if (!error) return null;
  return (
    <div className="run-error" role="alert">
      <span>{error}</span>
      <button className="icon-btn" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
