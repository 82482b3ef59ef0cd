// The editor area's tab strip: open files (a preview tab in italics until it
// is pinned; ● when it has edits not proposed), the conversation and the run
// under review. Click shows a tab, double click pins it, middle click or ×
// closes it.
import type { MouseEvent, ReactNode } from 'react';
import type { TabKey } from '../layout/tabs';

export interface EditorTab {
  key: TabKey;
  /** label is the tab's name (a file's name, "Run 1a2b3c4d", "Chat: …"). */
  label: string;
  /** title is the tooltip (a file's path). */
  title: string;
  preview?: boolean;
  dirty?: boolean;
  /** closeLabel names the close button ("Close a.txt"). */
  closeLabel: string;
  /** extra is shown after the tab (e.g. a button that moves the conversation). */
  extra?: ReactNode;
}

export interface EditorTabsProps {
  tabs: EditorTab[];
  active: TabKey | null;
  onShow: (key: TabKey) => void;
  onPin: (key: TabKey) => void;
  onClose: (key: TabKey) => void;
  /** tools sit at the strip's right end (the pane toggles). */
  tools?: ReactNode;
}

export function EditorTabs({ tabs, active, onShow, onPin, onClose, tools }: EditorTabsProps) {
  const middle = (key: TabKey) => (e: MouseEvent) => {
    if (e.button !== 1) return;
    e.preventDefault();
    onClose(key);
  };
  return (
    <div className="centre-bar">
      <div className="centre-tabs" role="tablist" aria-label="Open items">
        {tabs.map((t) => {
          const on = t.key === active;
          const cls = ['centre-tab', t.key.startsWith('file:') ? 'file-tab' : 'run-tab-head', on ? 'on' : '', t.preview ? 'preview' : '', t.dirty ? 'dirty' : '']
            .filter(Boolean)
            .join(' ');
          return (
            <span key={t.key} className={cls} data-tab={t.key} onAuxClick={middle(t.key)} onMouseDown={(e) => e.button === 1 && e.preventDefault()}>
              <button
                role="tab"
                aria-selected={on}
                className="link"
                title={t.preview ? `${t.title} (preview: double-click to keep it open)` : t.title}
                onClick={() => onShow(t.key)}
                onDoubleClick={() => onPin(t.key)}
              >
                {t.label}
              </button>
              {t.extra}
              <button
                className={`icon-btn ed-tab-close${t.dirty ? ' is-dirty' : ''}`}
                aria-label={t.closeLabel}
                title={t.dirty ? `${t.closeLabel} (edited: not proposed yet)` : `${t.closeLabel} (Ctrl+W)`}
                onClick={() => onClose(t.key)}
              >
                <span className="tab-dot" aria-hidden>
                  ●
                </span>
                <span className="tab-x" aria-hidden>
                  ×
                </span>
              </button>
            </span>
          );
        })}
      </div>
      {tools && <div className="layout-tools">{tools}</div>}
    </div>
  );
}
