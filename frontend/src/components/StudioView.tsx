// The Studio layout for an open workspace: explorer or search, the editor,
// a conversation or a run under review in the centre, and the conversations
// and runs panels; quick open over it.
import { useEffect, useRef, useState } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import type { DirEntry, SelectionRequest } from '../bridge';
import { emptyDraft, emptyWorkspaceView, store, useStudio, type RightTab, type WorkspaceView } from '../store';
import { ConversationView } from './chat/ConversationView';
import { useThreads } from './chat/hooks';
import { ThreadList } from './chat/ThreadList';
import { FileEditor } from './editor/FileEditor';
import { FileTree } from './FileTree';
import { formatSize } from './format';
import { shortId } from './EventDetail';
import { CapabilitiesPanel } from './capabilities/CapabilitiesPanel';
import { useProposals } from './memory/hooks';
import { MemoryPanel } from './memory/MemoryPanel';
import { useRunOptions } from './runs/hooks';
import { RunsPanel } from './runs/RunsPanel';
import { RunView } from './runs/RunView';
import { QuickOpen } from './search/QuickOpen';
import { SearchPanel } from './search/SearchPanel';

function EntryFacts({ entry }: { entry: DirEntry }) {
  return (
    <dl className="facts">
        <dt>Name</dt>
        <dd>{entry.name}</dd>
        <dt>Kind</dt>
        <dd>{entry.kind === 'symlink' ? 'link pointing outside the workspace (not followed)' : entry.kind === 'dir' ? 'folder' : 'file'}</dd>
        {entry.kind === 'file' && (
          <>
            <dt>Size</dt>
            <dd>{formatSize(entry.size)}</dd>
          </>
        )}
        <dt>Modified</dt>
        <dd>{new Date(entry.modTime).toLocaleString()}</dd>
    </dl>
  );
}

/** isKey tells a Ctrl (Cmd on a Mac) shortcut: letter is the key, lower case. */
function isKey(ev: KeyboardEvent, letter: string, shift: boolean): boolean {
  return (
    (ev.ctrlKey || ev.metaKey) &&
    !ev.altKey &&
    ev.shiftKey === shift &&
    (ev.key.toLowerCase() === letter || ev.code === `Key${letter.toUpperCase()}`)
  );
}

/** useShortcuts: Ctrl+P opens quick open, Ctrl+Shift+F the search panel. */
function useShortcuts(quickOpen: () => void, search: () => void): void {
  const now = useRef({ quickOpen, search });
  now.current = { quickOpen, search };
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (isKey(ev, 'p', false)) now.current.quickOpen();
      else if (isKey(ev, 'f', true)) now.current.search();
      else return;
      ev.preventDefault();
      ev.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}

/** fileEntry stands for a file opened by path (search, quick open) rather than from the tree. */
const fileEntry = (path: string): DirEntry => ({ name: path.slice(path.lastIndexOf('/') + 1), path, kind: 'file', size: 0, modTime: 0 });

export function StudioView({ workspaceId }: { workspaceId: string }) {
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === workspaceId));
  const wv = useStudio((s) => s.workspaceViews[workspaceId]) ?? emptyWorkspaceView;
  const { selected: sel, selectedLine, run: runId, centre, side, right } = wv;
  const drafts = store.drafts(workspaceId);
  const runOptions = useRunOptions(workspaceId);
  const [quickOpen, setQuickOpen] = useState(false);
  const [focusSearch, setFocusSearch] = useState(0);
  const proposals = useProposals(workspaceId);
  const threads = useThreads(workspaceId);

  const show = (patch: Partial<WorkspaceView>) => store.setWorkspaceView(workspaceId, patch);
  useShortcuts(
    () => setQuickOpen(true),
    () => {
      show({ side: 'search' });
      setFocusSearch((n) => n + 1);
    },
  );
  if (!ws) return null;

  const openRun = (id: string) => show({ run: id, centre: 'run' });
  const openThread = (id: string | null) => show({ chat: true, thread: id, centre: 'chat' });
  const select = (e: DirEntry) => show({ selected: e, selectedLine: null, centre: 'file' });
  const openFile = (path: string, line?: number) =>
    show({ selected: fileEntry(path), selectedLine: line === undefined ? null : { line }, centre: 'file' });
  /** askAbout attaches an editor selection to the open conversation's message (a new one's when none is open) and shows it. */
  const askAbout = (selection: SelectionRequest) => {
    const key = wv.chat ? (wv.thread ?? '') : '';
    const messages = store.messageDrafts(ws.id);
    messages.set(key, { ...(messages.get(key) ?? emptyDraft), selection });
    show({ right: 'chat', chat: true, thread: key || null, centre: 'chat' });
  };
  const showRun = centre === 'run' && runId !== null;
  const showChat = centre === 'chat' && wv.chat;
  const showFile = !showRun && !showChat;
  const chatTitle = wv.thread ? (threads.threads?.find((t) => t.id === wv.thread)?.title ?? `Conversation ${shortId(wv.thread)}`) : 'New conversation';
  const sideTab = (which: WorkspaceView['side'], label: string, title: string) => (
    <button role="tab" aria-selected={side === which} className={`side-tab${side === which ? ' on' : ''}`} title={title} onClick={() => show({ side: which })}>
      {label}
    </button>
  );

  return (
    <>
      <Group orientation="horizontal" className="studio" id="studio-layout">
        <Panel defaultSize="20%" minSize="12%" className="pane">
          <div className="pane-head side-head">
            <div role="tablist" aria-label="Side bar" className="side-tabs">
              {sideTab('explorer', 'Explorer', `The files of ${ws.root}`)}
              {sideTab('search', 'Search', 'Search the files (Ctrl+Shift+F)')}
            </div>
            <button className="quiet goto-file" title="Go to file (Ctrl+P)" onClick={() => setQuickOpen(true)}>
              Go to file…
            </button>
          </div>
          <div className="pane-body" hidden={side !== 'explorer'}>
            <FileTree key={ws.id} workspaceId={ws.id} selected={sel?.path ?? null} onSelect={select} />
          </div>
          <div className="pane-body search-pane" hidden={side !== 'search'}>
            <SearchPanel
              key={ws.id}
              workspaceId={ws.id}
              form={wv.search}
              onForm={(search) => show({ search })}
              onOpen={openFile}
              focusRequest={focusSearch}
            />
          </div>
        </Panel>
        <Separator className="resizer" />
        <Panel minSize="30%" className="pane">
          <div className="centre-tabs" role="tablist" aria-label="Open items">
            <button role="tab" aria-selected={showFile} className={`centre-tab${showFile ? ' on' : ''}`} onClick={() => show({ centre: 'file' })} title={sel ? sel.path : ws.root}>
              <span className="path">{sel ? sel.name : ws.name}</span>
            </button>
            {wv.chat && (
              <span className={`centre-tab run-tab-head chat-tab-head${showChat ? ' on' : ''}`}>
                <button role="tab" aria-selected={showChat} className="link" onClick={() => show({ centre: 'chat' })} title={chatTitle}>
                  Chat: {chatTitle}
                </button>
                <button className="icon-btn" aria-label="Close the conversation" title="Close the conversation" onClick={() => show({ chat: false, thread: null, centre: 'file' })}>
                  ×
                </button>
              </span>
            )}
            {runId && (
              <span className={`centre-tab run-tab-head${showRun ? ' on' : ''}`}>
                <button role="tab" aria-selected={showRun} className="link" onClick={() => show({ centre: 'run' })} title={`Run ${runId}`}>
                  Run {shortId(runId)}
                </button>
                <button
                  className="icon-btn"
                  aria-label="Close the run"
                  title="Close the run"
                  onClick={() => show({ run: null, centre: 'file' })}
                >
                  ×
                </button>
              </span>
            )}
          </div>
          {showRun ? (
            <div className="pane-body run-pane">
              <RunView key={runId} runId={runId} onOpenRun={openRun} />
            </div>
          ) : showChat ? (
            <div className="pane-body chat-pane">
              <ConversationView
                key={wv.thread ?? 'new'}
                workspaceId={ws.id}
                threadId={wv.thread}
                runOptions={runOptions}
                onOpenThread={openThread}
                onOpenRun={openRun}
                titleOf={(id) => threads.threads?.find((t) => t.id === id)?.title}
              />
            </div>
          ) : sel?.kind === 'file' ? (
            <div className="pane-body editor-pane" aria-label="Selection details">
              <FileEditor
                key={`${ws.id}/${sel.path}`}
                workspaceId={ws.id}
                path={sel.path}
                line={selectedLine}
                options={runOptions.options}
                drafts={drafts}
                onProposed={(run) => openRun(run.id)}
                onAsk={askAbout}
              />
            </div>
          ) : sel ? (
            <div className="pane-body detail" aria-label="Selection details">
              <EntryFacts entry={sel} />
            </div>
          ) : (
            <div className="pane-body detail" aria-label="Selection details">
              <p className="muted">
                Select a file in the explorer to view and edit it. Your edits become an edit run: validated, reviewed as a diff and
                written only when you commit. Runs are listed on the right.
              </p>
            </div>
          )}
        </Panel>
        <Separator className="resizer" />
        <Panel defaultSize="27%" minSize="16%" className="pane runs-pane">
          <div role="tablist" aria-label="Right pane" className="side-tabs right-tabs">
            {(
              [
                ['chat', 'Chat', 'Conversations with the agent: every message is a turn you review and commit'],
                ['runs', 'Runs', 'The runs of this workspace'],
                ['capabilities', 'Capabilities', 'What runs may do: policy, grants and history'],
                ['memory', 'Memory', 'What runs remember: notes, promoted runs and proposals to review'],
              ] as const satisfies readonly (readonly [RightTab, string, string])[]
            ).map(([which, label, title]) => (
              <button key={which} role="tab" aria-selected={right === which} className={`side-tab${right === which ? ' on' : ''}`} title={title} onClick={() => show({ right: which })}>
                {label}
                {which === 'memory' && proposals.items.length > 0 && (
                  <span className="tab-extra pending" aria-label={`${proposals.items.length} to review`} title={`${proposals.items.length} proposal(s) waiting for review`}>
                    {proposals.items.length}
                  </span>
                )}
              </button>
            ))}
          </div>
          {right === 'chat' ? (
            <ThreadList
              threads={threads}
              selected={wv.chat ? wv.thread : null}
              onOpen={openThread}
              onNew={() => openThread(null)}
              onDeleted={(id) => {
                if (wv.thread === id) show({ chat: false, thread: null, centre: 'file' });
              }}
            />
          ) : right === 'runs' ? (
            <RunsPanel workspaceId={ws.id} selected={showRun ? runId : null} onSelect={openRun} runOptions={runOptions} />
          ) : right === 'capabilities' ? (
            <div className="pane-body caps-pane">
              <CapabilitiesPanel key={ws.id} workspaceId={ws.id} />
            </div>
          ) : (
            <div className="pane-body caps-pane">
              <MemoryPanel key={ws.id} workspaceId={ws.id} proposals={proposals.items} proposalsError={proposals.error} />
            </div>
          )}
        </Panel>
      </Group>
      {quickOpen && (
        <QuickOpen
          workspaceId={ws.id}
          onClose={() => setQuickOpen(false)}
          onOpen={(path) => {
            setQuickOpen(false);
            openFile(path);
          }}
        />
      )}
    </>
  );
}

export { formatSize };
