// A read-only diff of one file, before → after, with CodeMirror's merge
// view: side by side (MergeView) or unified (unifiedMergeView). A review
// moves it to a change (reveal) and may head its two sides (labels).
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { Compartment, EditorSelection } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { useDocumentTheme } from '../../theme';
import { readOnlyViewer, studioTheme, themed } from './cm';

export type DiffMode = 'split' | 'unified';

export interface DiffViewProps {
  path: string;
  before: string;
  after: string;
  mode: DiffMode;
  /** reveal scrolls to a line of the after side (1-based), again whenever its key changes. */
  reveal?: { line: number; key: number };
  /** labels head the before and after sides in the side-by-side layout. */
  labels?: [string, string];
}

const collapse = { margin: 3, minSize: 6 };

export function DiffView({ path, before, after, mode, reveal, labels }: DiffViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useDocumentTheme();
  const themeNow = useRef(theme);
  themeNow.current = theme;
  const views = useRef<{ views: EditorView[]; compartment: Compartment } | null>(null);

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const compartment = new Compartment();
    const setup = [readOnlyViewer(path), studioTheme(compartment, themeNow.current)];
    let destroy: () => void;
    if (mode === 'split') {
      const mv = new MergeView({
        a: { doc: before, extensions: setup },
        b: { doc: after, extensions: setup },
        parent,
        gutter: true,
        highlightChanges: true,
        collapseUnchanged: collapse,
      });
      views.current = { views: [mv.a, mv.b], compartment };
      destroy = () => mv.destroy();
    } else {
      const v = new EditorView({
        doc: after,
        extensions: [...setup, unifiedMergeView({ original: before, mergeControls: false, gutter: true, collapseUnchanged: collapse })],
        parent,
      });
      views.current = { views: [v], compartment };
      destroy = () => v.destroy();
    }
    return () => {
      views.current = null;
      destroy();
    };
  }, [path, before, after, mode]);

  useEffect(() => {
    const cur = views.current;
    cur?.views.forEach((v) => v.dispatch({ effects: cur.compartment.reconfigure(themed(theme)) }));
  }, [theme]);

  const revealKey = reveal ? `${reveal.key}:${reveal.line}` : '';
  useEffect(() => {
    // The after side: the right editor side by side, the one editor unified.
    const v = views.current?.views[views.current.views.length - 1];
    if (!v || !reveal) return;
    const line = v.state.doc.line(Math.min(Math.max(1, reveal.line), v.state.doc.lines));
    v.dispatch({ selection: EditorSelection.cursor(line.from), effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
    // revealKey stands for reveal; the views are made again (and revealed) when the content changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealKey, path, before, after, mode]);

  if (!labels) return <div ref={host} className={`diff-view diff-${mode}`} data-testid="diff-view" aria-label={`Changes to ${path}`} />;
  return (
    <div className={`diff-view diff-framed diff-${mode}`} data-testid="diff-view" aria-label={`Changes to ${path}`}>
      {mode === 'split' && (
        <div className="diff-sides muted small" aria-hidden>
          <span>{labels[0]}</span>
          <span>{labels[1]}</span>
        </div>
      )}
      <div ref={host} className="diff-host" />
    </div>
  );
}
