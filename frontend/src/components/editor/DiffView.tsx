// A read-only diff of one file, before → after, with CodeMirror's merge
// view: side by side (MergeView) or unified (unifiedMergeView).
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { Compartment } from '@codemirror/state';
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
}

const collapse = { margin: 3, minSize: 6 };

export function DiffView({ path, before, after, mode }: DiffViewProps) {
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

  return <div ref={host} className={`diff-view diff-${mode}`} data-testid="diff-view" aria-label={`Changes to ${path}`} />;
}
