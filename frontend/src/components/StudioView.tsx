// The Studio layout for an open workspace: the side bar (explorer or
// search), the editor area with its tabs (open files, the conversation, the
// run under review) over the bottom panel (Output, Validation), and the
// right pane (conversations, runs, capabilities, memory); quick open over
// it. The side bar, right pane and panel collapse (Ctrl+B, Ctrl+Alt+B,
// Ctrl+J), remembered per workspace; the conversation docks in the editor
// area or the right pane.
import { useEffect, useRef, useState } from 'react';
import { Group, Panel, Separator, usePanelRef, type PanelImperativeHandle } from 'react-resizable-panels';
import type { DirEntry, SelectionRequest } from '../bridge';
import { useCommands, type Command } from '../commands';
import { emptyDraft, emptyWorkspaceView, store, useStudio, type PaneState, type RightTab, type WorkspaceView } from '../store';
import { ConversationView } from './chat/ConversationView';
import { useThreads } from './chat/hooks';
import { ThreadList } from './chat/ThreadList';
import { EditorTabs, type EditorTab } from './editor/EditorTabs';
import { FileEditor } from './editor/FileEditor';
import { FileTree } from './FileTree';
import { formatSize } from './format';
import { shortId } from './EventDetail';
import { CapabilitiesPanel } from './capabilities/CapabilitiesPanel';
import { BottomPanel } from './layout/BottomPanel';
import { DiscardDialog } from './layout/DiscardDialog';
import { outputLog } from './layout/outputLog';
import { defaultPanes, loadPanes, savePanes, togglePane, type Pane } from './layout/panes';
import { activeKey, closeTab, cycleTab, fileKey, isDirty, markDirty, openTab, pathOf, pinTab, showTab, tabKeys, type TabKey } from './layout/tabs';
import { useProposals } from './memory/hooks';
import { MemoryPanel } from './memory/MemoryPanel';
import { useMCPState } from './mcp/hooks';
import { attention } from './mcp/mcpFormat';
import { McpPanel } from './mcp/McpPanel';
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

/** fileEntry stands for a file opened by path (search, quick open) rather than from the tree. */
const fileEntry = (path: string): DirEntry => ({ name: path.slice(path.lastIndexOf('/') + 1), path, kind: 'file', size: 0, modTime: 0 });

/**
 * usePaneSync keeps a collapsible panel's collapsed state and the store's
 * open flag in step: the flag drives collapse/expand, and a drag that
 * collapses or opens the panel is written back through onChange.
 */
function usePaneSync(open: boolean, onChange: (open: boolean) => void) {
  const ref = usePanelRef();
  const now = useRef({ open, onChange });
  now.current = { open, onChange };
  useEffect(() => {
    const p: PanelImperativeHandle | null = ref.current;
    if (!p) return;
    try {
      if (open && p.isCollapsed()) p.expand();
      else if (!open && !p.isCollapsed()) p.collapse();
    } catch {
      // Not laid out yet (no size): the next layout applies the flag.
    }
  }, [open, ref]);
  const onResize = () => {
    const p = ref.current;
    if (!p) return;
    let collapsed: boolean;
    try {
      collapsed = p.isCollapsed();
    } catch {
      return;
    }
    if (collapsed === now.current.open) now.current.onChange(!collapsed);
  };
  return { panelRef: ref, onResize };
}

/** PaneIcon draws a window with the pane it toggles filled in. */
function PaneIcon({ which }: { which: Pane }) {
  return <span className={`pane-icon ${which}`} aria-hidden />;
}

export function StudioView({ workspaceId }: { workspaceId: string }) {
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === workspaceId));
  const wv = useStudio((s) => s.workspaceViews[workspaceId]) ?? emptyWorkspaceView;
  const { selected: sel, selectedLine, run: runId, side, right } = wv;
  const drafts = store.drafts(workspaceId);
  const runOptions = useRunOptions(workspaceId);
  const [quickOpen, setQuickOpen] = useState(false);
  const [focusSearch, setFocusSearch] = useState(0);
  const [treeSel, setTreeSel] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  /** discarding are paths whose drafts go once their editor has unmounted (and saved its text one last time). */
  const discarding = useRef(new Set<string>());
  const proposals = useProposals(workspaceId);
  const threads = useThreads(workspaceId);
  const mcp = useMCPState(workspaceId);
  const mcpAttention = attention(mcp.state);
  // mcpImport asks the MCP panel to open its import form (not 0); the panel clears it once open.
  const [mcpImport, setMcpImport] = useState(0);
  const panes: PaneState = wv.panes ?? (ws ? loadPanes(ws.root) : defaultPanes);

  const show = (patch: Partial<WorkspaceView>) => store.setWorkspaceView(workspaceId, patch);
  /** now is the latest view, for handlers that run after a store change in the same event. */
  const now = () => store.get().workspaceViews[workspaceId] ?? emptyWorkspaceView;
  const setPanes = (patch: Partial<PaneState>) => {
    const cur = now();
    const p = { ...(cur.panes ?? panes), ...patch };
    show({ panes: p });
    if (ws) savePanes(ws.root, p);
  };
  const toggle = (which: Pane) => setPanes(togglePane(now().panes ?? panes, which));

  useEffect(() => outputLog.start(), []);
  // The layout saved for this folder, once per visit.
  useEffect(() => {
    if (ws && !store.get().workspaceViews[workspaceId]?.panes) show({ panes: loadPanes(ws.root) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workspaceId, ws?.root]);
  // A file shown by other means than a tab (e.g. another component setting the selection) gets a preview tab.
  useEffect(() => {
    if (wv.centre === 'file' && sel && sel.kind !== 'dir' && !wv.files.some((f) => f.entry.path === sel.path)) show({ files: openTab(wv.files, sel, false) });
  });
  // The drafts of closed tabs whose edits were discarded: their editors have saved and unmounted by now.
  useEffect(() => {
    for (const p of discarding.current) drafts.delete(p);
    discarding.current.clear();
  });

  const left = usePaneSync(panes.left, (open) => setPanes({ left: open }));
  const rightPane = usePaneSync(panes.right, (open) => setPanes({ right: open }));
  const bottom = usePaneSync(panes.bottom, (open) => setPanes({ bottom: open }));

  const active = activeKey(wv);
  const openRun = (id: string) => show({ run: id, centre: 'run' });
  const chatInCentre = panes.chatDock === 'centre';
  /** openThread opens a conversation where it is docked (the right pane is opened for it). */
  const openThread = (id: string | null) => {
    if (chatInCentre) show({ chat: true, thread: id, centre: 'chat' });
    else {
      show({ chat: true, thread: id, right: 'chat' });
      if (!panes.right) setPanes({ right: true });
    }
  };
  /** openEntry shows a file in a tab: a preview one unless pin. */
  const openEntry = (e: DirEntry, pin: boolean, line?: number) => {
    const cur = now();
    const shownFile = cur.centre === 'file' ? cur.selected?.path : null;
    show({ files: openTab(cur.files, e, pin, shownFile), selected: e, selectedLine: line === undefined ? null : { line }, centre: 'file' });
    setTreeSel(null);
  };
  const select = (e: DirEntry) => {
    if (e.kind === 'dir') setTreeSel(e.path);
    else openEntry(e, false);
  };
  const openFile = (path: string, line?: number) => openEntry(now().files.find((f) => f.entry.path === path)?.entry ?? fileEntry(path), false, line);
  /** askAbout attaches an editor selection to the open conversation's message (a new one's when none is open) and shows it. */
  const askAbout = (selection: SelectionRequest) => {
    if (!ws) return;
    const key = wv.chat ? (wv.thread ?? '') : '';
    const messages = store.messageDrafts(ws.id);
    messages.set(key, { ...(messages.get(key) ?? emptyDraft), selection });
    show({ right: 'chat' });
    openThread(key || null);
  };
  const close = (key: TabKey, discard = false) => {
    const cur = now();
    if (!discard && isDirty(cur, key)) {
      setConfirm(pathOf(key));
      return;
    }
    const p = pathOf(key);
    if (discard && p !== null) {
      discarding.current.add(p);
      drafts.delete(p);
    }
    show(closeTab(cur, key));
  };
  const pin = (key: TabKey) => {
    const p = pathOf(key);
    if (p !== null) show({ files: pinTab(now().files, p) });
  };
  const step = (dir: 1 | -1) => {
    const k = cycleTab(now(), dir);
    if (k) show(showTab(now(), k));
  };
  /** moveChat docks the conversation in the other place. */
  const moveChat = () => {
    const cur = now();
    if (chatInCentre) {
      show({ right: 'chat', centre: cur.centre === 'chat' ? (cur.run ? 'run' : 'file') : cur.centre });
      setPanes({ chatDock: 'right', right: true });
    } else {
      setPanes({ chatDock: 'centre' });
      if (cur.chat) show({ centre: 'chat' });
    }
  };
  const showSearch = () => {
    show({ side: 'search' });
    if (!now().panes?.left) setPanes({ left: true });
    setFocusSearch((n) => n + 1);
  };
  const focusExplorer = () => {
    show({ side: 'explorer' });
    if (!now().panes?.left) setPanes({ left: true });
    setTimeout(() => document.querySelector<HTMLElement>('[role="tree"][aria-label="Files"]')?.focus(), 0);
  };

  /** showMcp shows the MCP panel in the right pane (opened for it); importing opens its import form too. */
  const showMcp = (importing: boolean) => {
    show({ right: 'mcp' });
    if (!now().panes?.right) setPanes({ right: true });
    if (importing) setMcpImport((n) => n + 1);
  };

  const layoutCommands: Command[] = [
    { id: 'view.toggleSidebar', title: 'Toggle the side bar (explorer, search)', category: 'View', keys: 'Ctrl+B', run: () => toggle('left') },
    { id: 'view.toggleRightPane', title: 'Toggle the right pane (chat, runs, capabilities, memory)', category: 'View', keys: 'Ctrl+Alt+B', run: () => toggle('right') },
    { id: 'view.togglePanel', title: 'Toggle the panel (output, validation)', category: 'View', keys: 'Ctrl+J', run: () => toggle('bottom') },
    { id: 'view.showOutput', title: 'Show the output', category: 'View', keys: 'Ctrl+Shift+U', run: () => setPanes({ bottom: true, bottomTab: 'output' }) },
    { id: 'view.focusExplorer', title: 'Show the explorer', category: 'View', keys: 'Ctrl+Shift+E', run: focusExplorer },
    { id: 'view.showSearch', title: 'Search in files', category: 'View', keys: 'Ctrl+Shift+F', run: showSearch },
    {
      id: 'view.moveChat',
      title: chatInCentre ? 'Move the conversation to the right pane' : 'Move the conversation to the editor area',
      category: 'View',
      run: moveChat,
    },
    { id: 'quickOpen', title: 'Go to file…', category: 'File', keys: 'Ctrl+P', run: () => setQuickOpen(true) },
    { id: 'mcp.showServers', title: 'Open servers', category: 'MCP', run: () => showMcp(false) },
    { id: 'mcp.importServers', title: 'Import servers…', category: 'MCP', run: () => showMcp(true) },
    {
      id: 'editor.closeTab',
      title: 'Close the tab',
      category: 'Editor',
      keys: 'Ctrl+W',
      enabled: () => (activeKey(now()) ? true : 'no tab is open'),
      run: () => {
        const k = activeKey(now());
        if (k) close(k);
      },
    },
    {
      id: 'editor.nextTab',
      title: 'Next tab',
      category: 'Editor',
      keys: 'Ctrl+PageDown',
      alias: 'Ctrl+Tab',
      enabled: () => tabKeys(now()).length > 0 || 'no tab is open',
      run: () => step(1),
    },
    {
      id: 'editor.previousTab',
      title: 'Previous tab',
      category: 'Editor',
      keys: 'Ctrl+PageUp',
      alias: 'Ctrl+Shift+Tab',
      enabled: () => tabKeys(now()).length > 0 || 'no tab is open',
      run: () => step(-1),
    },
  ];
  useCommands(layoutCommands);

  if (!ws) return null;

  const showRun = active === 'run' && runId !== null;
  const showChat = active === 'chat' && wv.chat;
  const chatTitle = wv.thread ? (threads.threads?.find((t) => t.id === wv.thread)?.title ?? `Conversation ${shortId(wv.thread)}`) : 'New conversation';
  const shownFile = active && pathOf(active) !== null ? wv.files.find((f) => fileKey(f.entry.path) === active)?.entry ?? null : null;

  const tabs: EditorTab[] = tabKeys(wv).map((key): EditorTab => {
    if (key === 'run')
      return { key, label: `Run ${shortId(runId ?? '')}`, title: `Run ${runId}`, closeLabel: 'Close the run' };
    if (key === 'chat')
      return {
        key,
        label: `Chat: ${chatTitle}`,
        title: chatTitle,
        closeLabel: 'Close the conversation',
        extra: (
          <button className="icon-btn tab-move" aria-label="Move the conversation to the right pane" title="Move the conversation to the right pane, beside the editor" onClick={moveChat}>
            ⇥
          </button>
        ),
      };
    const f = wv.files.find((t) => fileKey(t.entry.path) === key)!;
    return { key, label: f.entry.name, title: f.entry.path, preview: f.preview, dirty: f.dirty, closeLabel: `Close ${f.entry.name}` };
  });

  const sideTab = (which: WorkspaceView['side'], label: string, title: string) => (
    <button role="tab" aria-selected={side === which} className={`side-tab${side === which ? ' on' : ''}`} title={title} onClick={() => show({ side: which })}>
      {label}
    </button>
  );
  const paneToggle = (which: Pane, label: string, keys: string) => (
    <button className={`icon-btn pane-toggle${panes[which] ? ' on' : ''}`} aria-label={label} aria-pressed={panes[which]} title={`${label} (${keys})`} onClick={() => toggle(which)}>
      <PaneIcon which={which} />
    </button>
  );
  const conversation = (
    <ConversationView
      key={wv.thread ?? 'new'}
      workspaceId={ws.id}
      threadId={wv.thread}
      runOptions={runOptions}
      onOpenThread={(id) => openThread(id)}
      onOpenRun={openRun}
      titleOf={(id) => threads.threads?.find((t) => t.id === id)?.title}
    />
  );

  return (
    <>
      <Group orientation="horizontal" className="studio" id="studio-layout">
        <Panel id="side" defaultSize="20%" minSize={170} collapsible collapsedSize={0} panelRef={left.panelRef} onResize={left.onResize} className="pane side-pane">
          <div className="pane-inner" inert={!panes.left}>
            <div className="pane-head side-head">
              <div role="tablist" aria-label="Side bar" className="side-tabs">
                {sideTab('explorer', 'Explorer', `The files of ${ws.root}`)}
                {sideTab('search', 'Search', 'Search the files (Ctrl+Shift+F)')}
              </div>
              <button className="quiet goto-file" title="Go to file (Ctrl+P)" onClick={() => setQuickOpen(true)}>
                Go to file…
              </button>
            </div>
            <div
              className="pane-body"
              hidden={side !== 'explorer'}
              onDoubleClick={(e) => {
                const row = (e.target as HTMLElement).closest?.('[role="treeitem"][data-path]');
                const path = row?.getAttribute('data-path');
                if (path && now().files.some((f) => f.entry.path === path)) pin(fileKey(path));
              }}
            >
              <FileTree key={ws.id} workspaceId={ws.id} selected={treeSel ?? sel?.path ?? null} onSelect={select} />
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
          </div>
        </Panel>
        <Separator className="resizer" />
        <Panel id="centre" minSize={320} className="pane centre-pane">
          <Group orientation="vertical" id="centre-layout" className="centre-group">
            <Panel id="editor" minSize={140} className="pane editor-area">
              <EditorTabs
                tabs={tabs}
                active={active}
                onShow={(k) => show(showTab(now(), k))}
                onPin={pin}
                onClose={(k) => close(k)}
                tools={
                  <>
                    {paneToggle('left', 'Toggle the side bar', 'Ctrl+B')}
                    {paneToggle('bottom', 'Toggle the panel', 'Ctrl+J')}
                    {paneToggle('right', 'Toggle the right pane', 'Ctrl+Alt+B')}
                  </>
                }
              />
              {showRun ? (
                <div className="pane-body run-pane">
                  <RunView key={runId} runId={runId} onOpenRun={openRun} />
                </div>
              ) : showChat ? (
                <div className="pane-body chat-pane">{conversation}</div>
              ) : shownFile?.kind === 'file' ? (
                <div className="pane-body editor-pane" aria-label="Selection details">
                  <FileEditor
                    key={`${ws.id}/${shownFile.path}`}
                    workspaceId={ws.id}
                    path={shownFile.path}
                    line={selectedLine}
                    options={runOptions.options}
                    drafts={drafts}
                    onProposed={(run) => openRun(run.id)}
                    onAsk={askAbout}
                    onDirty={(dirty) => {
                      const cur = now();
                      const files = markDirty(cur.files, shownFile.path, dirty);
                      if (files !== cur.files) show({ files });
                    }}
                  />
                </div>
              ) : shownFile ? (
                <div className="pane-body detail" aria-label="Selection details">
                  <EntryFacts entry={shownFile} />
                </div>
              ) : (
                <div className="pane-body detail" aria-label="Selection details">
                  <p className="muted">
                    Select a file in the explorer to view and edit it (double-click keeps its tab open). Your edits become an edit run:
                    validated, reviewed as a diff and written only when you commit. Runs are listed on the right.
                  </p>
                  <ul className="muted small layout-keys">
                    <li>Ctrl+P go to file · Ctrl+Shift+F search</li>
                    <li>Ctrl+B side bar · Ctrl+Alt+B right pane · Ctrl+J panel</li>
                    <li>Ctrl+W close tab · Ctrl+PageDown / Ctrl+PageUp next / previous tab</li>
                  </ul>
                </div>
              )}
            </Panel>
            <Separator className="resizer resizer-h" />
            <Panel
              id="panel"
              defaultSize="28%"
              minSize={90}
              collapsible
              collapsedSize={0}
              panelRef={bottom.panelRef}
              onResize={bottom.onResize}
              className="pane bottom-pane"
            >
              <div className="pane-inner" inert={!panes.bottom}>
                <BottomPanel tab={panes.bottomTab} onTab={(bottomTab) => setPanes({ bottomTab })} run={runId} onClose={() => setPanes({ bottom: false })} />
              </div>
            </Panel>
          </Group>
        </Panel>
        <Separator className="resizer" />
        <Panel
          id="right"
          defaultSize="27%"
          minSize={240}
          collapsible
          collapsedSize={0}
          panelRef={rightPane.panelRef}
          onResize={rightPane.onResize}
          className="pane runs-pane"
        >
          <div className="pane-inner" inert={!panes.right}>
            <div role="tablist" aria-label="Right pane" className="side-tabs right-tabs">
              {(
                [
                  ['chat', 'Chat', 'Conversations with the agent: every message is a turn you review and commit'],
                  ['runs', 'Runs', 'The runs of this workspace'],
                  ['capabilities', 'Capabilities', 'What runs may do: policy, grants and history'],
                  ['memory', 'Memory', 'What runs remember: notes, promoted runs and proposals to review'],
                  ['mcp', 'MCP', 'Tools from MCP servers: their state, definitions, pins and logs'],
                ] as const satisfies readonly (readonly [RightTab, string, string])[]
              ).map(([which, label, title]) => (
                <button key={which} role="tab" aria-selected={right === which} className={`side-tab${right === which ? ' on' : ''}`} title={title} onClick={() => show({ right: which })}>
                  {label}
                  {which === 'memory' && proposals.items.length > 0 && (
                    <span className="tab-extra pending" aria-label={`${proposals.items.length} to review`} title={`${proposals.items.length} proposal(s) waiting for review`}>
                      {proposals.items.length}
                    </span>
                  )}
                  {which === 'mcp' && mcpAttention > 0 && (
                    <span className="tab-extra pending" aria-label={`${mcpAttention} to look at`} title="MCP servers that crashed or wait for your approval, or tools whose definition changed">
                      {mcpAttention}
                    </span>
                  )}
                </button>
              ))}
            </div>
            {right === 'chat' ? (
              !chatInCentre && wv.chat ? (
                <div className="pane-body chat-pane docked-chat">
                  <div className="docked-chat-head">
                    <button className="quiet small" onClick={() => show({ chat: false, thread: null })} title="Back to the list of conversations">
                      ← Conversations
                    </button>
                    <span className="spacer" />
                    <button className="quiet small" onClick={moveChat} title="Show the conversation in the editor area, as a tab">
                      Move to editor area
                    </button>
                  </div>
                  {conversation}
                </div>
              ) : (
                <ThreadList
                  threads={threads}
                  selected={wv.chat ? wv.thread : null}
                  onOpen={openThread}
                  onNew={() => openThread(null)}
                  onDeleted={(id) => {
                    if (wv.thread === id) show({ ...closeTab(now(), 'chat'), chat: false, thread: null });
                  }}
                />
              )
            ) : right === 'runs' ? (
              <RunsPanel workspaceId={ws.id} selected={showRun ? runId : null} onSelect={openRun} runOptions={runOptions} />
            ) : right === 'capabilities' ? (
              <div className="pane-body caps-pane">
                <CapabilitiesPanel key={ws.id} workspaceId={ws.id} />
              </div>
            ) : right === 'mcp' ? (
              <div className="pane-body caps-pane">
                <McpPanel key={ws.id} workspaceId={ws.id} mcp={mcp} importRequest={mcpImport} onImportOpened={() => setMcpImport(0)} />
              </div>
            ) : (
              <div className="pane-body caps-pane">
                <MemoryPanel key={ws.id} workspaceId={ws.id} proposals={proposals.items} proposalsError={proposals.error} onOpenRun={openRun} />
              </div>
            )}
          </div>
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
      {confirm !== null && (
        <DiscardDialog
          path={confirm}
          onCancel={() => setConfirm(null)}
          onDiscard={() => {
            setConfirm(null);
            close(fileKey(confirm), true);
          }}
        />
      )}
    </>
  );
}

export { formatSize };
