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

/** ThemeSetting is the theme chosen in the settings: one of the two, or the system's. */
export type ThemeSetting = Theme | 'system';

/** resolveTheme is the theme a setting shows now. */
export function resolveTheme(pref: ThemeSetting | string | undefined): Theme {
  if (pref === 'light' || pref === 'dark') return pref;
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/**
 * useThemeSetting applies the settings' theme at once (and follows the
 * system's while it is 'system'); until the settings are read, the theme
 * last shown is kept, so the first screen does not flash.
 */
export function useThemeSetting(pref: ThemeSetting | string | undefined): void {
  useEffect(() => {
    const apply = () => {
      const t = pref === undefined ? initial() : resolveTheme(pref);
      document.documentElement.dataset.theme = t;
      try {
        if (pref === 'light' || pref === 'dark') localStorage.setItem(key, pref);
        else if (pref === 'system') localStorage.removeItem(key);
      } catch {
        // storage disabled: the theme still applies to this session
      }
    };
    apply();
    if (pref !== 'system') return;
    const mq = window.matchMedia?.('(prefers-color-scheme: light)');
    mq?.addEventListener?.('change', apply);
    return () => mq?.removeEventListener?.('change', apply);
  }, [pref]);
}
