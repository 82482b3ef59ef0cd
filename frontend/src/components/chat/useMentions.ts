// What an @-mention being typed could name: files and folders by a fuzzy
// match of their path (quick open's FindFiles), and lines that contain the
// text (a plain-text search, for symbols and words), whose file is then
// mentioned.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, errorMessage, type FileMatch } from '../../bridge';
import { useSearch } from '../search/useSearch';
import { folderMatches } from './chatFormat';

/** MentionOption is one suggestion; choosing it mentions path. */
export interface MentionOption {
  kind: 'file' | 'folder' | 'text';
  path: string;
  /** For text: the line (1-based) and its text. */
  line?: number;
  text?: string;
  /** For a file: the matched positions in its path (for highlighting). */
  positions?: number[];
}

/** typingDelay lets a burst of keys go by before asking. */
const typingDelay = 60;
/** textDelay is longer: a text search reads files. */
const textDelay = 200;
/** minText is the shortest query searched as text. */
const minText = 3;
const fileLimit = 12;
const textLimit = 6;

/** useMentionOptions suggests what query (null: no mention being typed) could name. */
export function useMentionOptions(workspaceId: string, query: string | null): { options: MentionOption[]; error: string | null; loading: boolean } {
  const [files, setFiles] = useState<{ query: string; matches: FileMatch[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(0);
  const search = useSearch(workspaceId);
  const { start, reset } = search;

  useEffect(() => {
    const n = ++asked.current;
    if (query === null) {
      setFiles(null);
      return;
    }
    const t = setTimeout(
      () => {
        api.FindFiles({ workspaceId, query, limit: 50 }).then(
          (matches) => {
            if (n !== asked.current) return;
            setFiles({ query, matches: matches ?? [] });
            setError(null);
          },
          (err: unknown) => n === asked.current && setError(errorMessage(err)),
        );
      },
      query === '' ? 0 : typingDelay,
    );
    return () => clearTimeout(t);
  }, [workspaceId, query]);

  useEffect(() => {
    if (query === null || query.length < minText) {
      reset();
      return;
    }
    const t = setTimeout(() => void start({ pattern: query, regex: false, caseSensitive: false, wholeWord: false, include: [], exclude: [], maxResults: 50 }), textDelay);
    return () => clearTimeout(t);
  }, [query, start, reset]);

  const results = search.state.results;
  const options = useMemo(() => {
    if (query === null || !files) return [];
    const matches = files.matches;
    const out: MentionOption[] = folderMatches(matches, query).map((path) => ({ kind: 'folder', path }));
    out.push(...matches.slice(0, fileLimit).map((m): MentionOption => ({ kind: 'file', path: m.path, positions: m.positions })));
    if (query.length >= minText) {
      let n = 0;
      for (const r of results.values()) {
        for (const m of r.matches) {
          if (n++ >= textLimit) break;
          out.push({ kind: 'text', path: r.path, line: m.line, text: m.text.trim() });
        }
        if (n >= textLimit) break;
      }
    }
    return out;
  }, [files, results, query]);

  return { options, error, loading: query !== null && (files === null || files.query !== query) };
}
