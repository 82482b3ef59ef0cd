// Loading one value from the backend, with the error of the last attempt.
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../bridge';

/**
 * useLoaded holds what load answers, starting from initial: it loads when
 * load changes (memoise it on what it reads), and again on reload. A failed
 * load keeps the previous value and sets error; a good one clears it.
 */
export function useLoaded<T>(load: () => Promise<T>, initial: T) {
  const [value, setValue] = useState<T>(initial);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setValue(await load());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, setValue, error, reload };
}
