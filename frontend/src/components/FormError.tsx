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
