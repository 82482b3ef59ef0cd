// Light and dark themes: the system preference unless the user picked one.
import { useEffect, useState, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const key = 'ice-studio.theme';

function initial(): Theme {
  const saved = localStorage.getItem(key);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return [
    theme,
    () =>
      setTheme((t) => {
        const n = t === 'dark' ? 'light' : 'dark';
        localStorage.setItem(key, n);
        return n;
      }),
  ];
}

function readDocumentTheme(): Theme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

function watchDocumentTheme(changed: () => void): () => void {
  const mo = new MutationObserver(changed);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => mo.disconnect();
}

/** useDocumentTheme follows the theme in force (set by useTheme on the document), for widgets that style themselves. */
export function useDocumentTheme(): Theme {
  return useSyncExternalStore(watchDocumentTheme, readDocumentTheme);
}
