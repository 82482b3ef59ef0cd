// The workspace explorer: a lazily loaded tree of the workspace's folders,
// kept current by the backend's notifications of changes on disk, with
// git status decorations, ignored files dimmed (or hidden), and a context
// menu for each entry.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, errorMessage, Events, on, type DirEntry, type GitStatus, type Listing } from '../bridge';
import { useCommands } from '../commands';
import { decorationOf, folderMarks, gitIgnored } from './explorer/gitFormat';
import { menuItems, TreeMenu } from './explorer/TreeMenu';
import { useGitStatus } from './explorer/useGitStatus';

type DirState = { status: 'loading' } | { status: 'ok'; listing: Listing } | { status: 'error'; error: string };

interface Row {
  entry: DirEntry;
  depth: number;
}

export interface FileTreeProps {
  workspaceId: string;
  selected: string | null;
  onSelect: (entry: DirEntry) => void;
}

/** visibleRows flattens the expanded part of the tree in display order. */
export function visibleRows(dirs: Map<string, DirState>, expanded: Set<string>, path = '', depth = 0): Row[] {
  const d = dirs.get(path);
  if (!d || d.status !== 'ok') return [];
  const rows: Row[] = [];
  for (const e of d.listing.entries) {
    rows.push({ entry: e, depth });
    if (e.kind === 'dir' && expanded.has(e.path)) rows.push(...visibleRows(dirs, expanded, e.path, depth + 1));
  }
  return rows;
}

/**
 * dirsToReload lists the loaded folders whose listing a change to one of
 * paths may alter: every loaded ancestor of the path (a new file may bring a
 * new folder with it), and the path itself when it is a loaded folder.
 */
export function dirsToReload(loaded: ReadonlySet<string> | ReadonlyMap<string, unknown>, paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 0; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (loaded.has(dir)) out.add(dir);
    }
  }
  return out;
}

/**
 * pruneDirs drops the folders that are no longer listed by their parent,
 * with everything loaded under them. A parent that is loading or failed
 * keeps its children: nothing is known about them.
 */
export function pruneDirs(dirs: Map<string, DirState>): Map<string, DirState> {
  const out = new Map(dirs);
  const byDepth = [...dirs.keys()].filter((p) => p !== '').sort((a, b) => a.split('/').length - b.split('/').length);
  for (const p of byDepth) {
    // Shallow first: the parent of a folder already dropped is gone from out.
    const parent = out.get(parentOf(p));
    if (!parent || (parent.status === 'ok' && !parent.listing.entries.some((e) => e.path === p && e.kind === 'dir'))) out.delete(p);
  }
  return out;
}

const parentOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));

/** isIgnored tells whether an entry is ignored: by the workspace's rules (the listing says) or by git. */
export function isIgnored(e: DirEntry, git: GitStatus | null): boolean {
  return !!e.ignored || (!!git && gitIgnored(git.entries ?? {}, e.path));
}

/** hideRows drops the rows hide picks, with everything shown below them. */
export function hideRows(rows: Row[], hide: (e: DirEntry) => boolean): Row[] {
  const out: Row[] = [];
  let below = -1; // depth of the hidden folder whose rows are being skipped
  for (const r of rows) {
    if (below >= 0 && r.depth > below) continue;
    below = -1;
    if (hide(r.entry)) {
      below = r.depth;
      continue;
    }
    out.push(r);
  }
  return out;
}

/** hideIgnoredKey keeps the explorer's "hide ignored files" choice across sessions. */
export const hideIgnoredKey = 'ice.explorer.hideIgnored';

function loadHideIgnored(): boolean {
  try {
    return localStorage.getItem(hideIgnoredKey) === '1';
  } catch {
    return false;
  }
}

/** useHideIgnored is the remembered "hide ignored files" toggle. */
function useHideIgnored(): [boolean, () => void] {
  const [hide, setHide] = useState(loadHideIgnored);
  const toggle = useCallback(() => {
    setHide((h) => {
      try {
        localStorage.setItem(hideIgnoredKey, h ? '0' : '1');
      } catch {
        // A browser without storage forgets the choice; the toggle still works.
      }
      return !h;
    });
  }, []);
  return [hide, toggle];
}

/** reloadDelay coalesces the notifications of a burst of changes into one reload. */
const reloadDelay = 50;

/** EntryIcon draws a folder, file or outside-link glyph (inline SVG: no icon font needed). */
function EntryIcon({ kind, open }: { kind: string; open: boolean }) {
  const path =
    kind === 'dir'
      ? open
        ? 'M1.5 4.5h5l1.5 1.5h6.5v1.5H4.2L2 13H1.5z M4.2 7.5H15L12.8 13H2z'
        : 'M1.5 3.5h5l1.5 1.5h6.5v8h-13z'
      : kind === 'symlink'
        ? 'M3 3.5h5v1.5H4.5v6.5H11V8h1.5v5h-9.5z M9.5 2.5h4v4l-1.5-1.5-3 3-1-1 3-3z'
        : 'M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3';
  return (
    <svg className={`icon icon-${kind}`} viewBox="0 0 16 16" width="14" height="14" aria-hidden focusable="false">
      <path d={path} />
    </svg>
  );
}

export function FileTree({ workspaceId, selected, onSelect }: FileTreeProps) {
  const [dirs, setDirs] = useState<Map<string, DirState>>(() => new Map());
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const treeRef = useRef<HTMLDivElement>(null);
  const dirsNow = useRef(dirs);
  dirsNow.current = dirs;
  const git = useGitStatus(workspaceId);
  const [hideIgnored, toggleHideIgnored] = useHideIgnored();
  const [menu, setMenu] = useState<{ entry: DirEntry; x: number; y: number } | null>(null);
  const closeMenu = useCallback(() => {
    setMenu(null);
    treeRef.current?.focus();
  }, []);
  useCommands([
    {
      id: 'explorer.toggleIgnored',
      title: hideIgnored ? 'Explorer: show ignored files' : 'Explorer: hide ignored files',
      category: 'View',
      run: toggleHideIgnored,
    },
    { id: 'explorer.refreshGit', title: 'Explorer: refresh git status', category: 'View', run: git.refresh },
  ]);

  const load = useCallback(
    async (path: string) => {
      setDirs((m) => new Map(m).set(path, { status: 'loading' }));
      try {
        const listing = await api.ListDir({ workspaceId, path });
        setDirs((m) => new Map(m).set(path, { status: 'ok', listing }));
      } catch (err) {
        setDirs((m) => new Map(m).set(path, { status: 'error', error: errorMessage(err) }));
      }
    },
    [workspaceId],
  );

  useEffect(() => {
    setDirs(new Map());
    setExpanded(new Set());
    void load('');
  }, [load]);

  // Live: changes on disk reload the folders they touch, a burst at a time
  // and one reload after another, so an older listing never lands last.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let running = false;
    let all = false;
    const changed = new Set<string>();

    const flush = async () => {
      timer = null;
      running = true;
      const targets = all ? new Set(dirsNow.current.keys()) : dirsToReload(dirsNow.current, changed);
      all = false;
      changed.clear();
      const got = await Promise.all(
        [...targets].map((path) =>
          api.ListDir({ workspaceId, path }).then(
            (listing): [string, DirState] => [path, { status: 'ok', listing }],
            (err: unknown): [string, DirState] => [path, { status: 'error', error: errorMessage(err) }],
          ),
        ),
      );
      running = false;
      if (!live) return;
      setDirs((m) => {
        const n = new Map(m);
        // A folder dropped meanwhile (deleted, or another reload pruned it) is not brought back.
        for (const [path, st] of got) if (n.has(path)) n.set(path, st);
        return pruneDirs(n);
      });
      if (all || changed.size > 0) timer = setTimeout(() => void flush(), reloadDelay);
    };
    const schedule = () => {
      if (!timer && !running) timer = setTimeout(() => void flush(), reloadDelay);
    };
    const offs = [
      on(Events.FilesChanged, (fc) => {
        if (fc.workspaceId !== workspaceId) return;
        if (fc.rescan) all = true;
        for (const c of fc.changes) changed.add(c.path);
        schedule();
      }),
      // Changes made while the event stream was down were not seen.
      on(Events.Reconnected, () => {
        all = true;
        schedule();
      }),
    ];
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [workspaceId]);

  // A folder that is gone is no longer expanded: if it comes back, it comes
  // back closed. Gone means its parent's listing no longer has it, not
  // merely "not in dirs": this effect may run with the dirs of a render
  // older than a click that just expanded (and started loading) a folder.
  useEffect(() => {
    setExpanded((e) => {
      const keep = [...e].filter((p) => {
        const parent = dirs.get(parentOf(p));
        return !(parent?.status === 'ok' && !parent.listing.entries.some((x) => x.path === p && x.kind === 'dir'));
      });
      return keep.length === e.size ? e : new Set(keep);
    });
  }, [dirs]);

  const toggle = (e: DirEntry, open?: boolean) => {
    if (e.kind !== 'dir') return;
    const willOpen = open ?? !expanded.has(e.path);
    setExpanded((s) => {
      const n = new Set(s);
      if (willOpen) n.add(e.path);
      else n.delete(e.path);
      return n;
    });
    if (willOpen && dirs.get(e.path)?.status !== 'ok') void load(e.path);
  };

  const gitStatus = git.status;
  const rows = useMemo(() => {
    const all = visibleRows(dirs, expanded);
    return hideIgnored ? hideRows(all, (e) => isIgnored(e, gitStatus)) : all;
  }, [dirs, expanded, hideIgnored, gitStatus]);
  const marks = useMemo(() => folderMarks(gitStatus?.entries ?? {}), [gitStatus]);
  const root = dirs.get('');

  const openMenuAt = (entry: DirEntry, x: number, y: number) => {
    onSelect(entry);
    setMenu({ entry, x, y });
  };

  const onKey = (ev: KeyboardEvent<HTMLDivElement>) => {
    const i = rows.findIndex((r) => r.entry.path === selected);
    const cur = rows[i];
    const pick = (r: Row | undefined) => {
      if (r) onSelect(r.entry);
    };
    if (ev.key === 'ContextMenu' || (ev.key === 'F10' && ev.shiftKey)) {
      if (cur) {
        const el = [...(treeRef.current?.querySelectorAll('[data-path]') ?? [])].find((x) => x.getAttribute('data-path') === cur.entry.path);
        const box = el?.getBoundingClientRect();
        openMenuAt(cur.entry, box ? box.left + 24 : 0, box ? box.bottom : 0);
      }
      ev.preventDefault();
      return;
    }
    switch (ev.key) {
      case 'ArrowDown':
        pick(rows[Math.min(rows.length - 1, i + 1)]);
        break;
      case 'ArrowUp':
        pick(rows[Math.max(0, i - 1)]);
        break;
      case 'ArrowRight':
        if (cur) toggle(cur.entry, true);
        break;
      case 'ArrowLeft':
        if (cur && cur.entry.kind === 'dir' && expanded.has(cur.entry.path)) toggle(cur.entry, false);
        else if (cur) pick(rows.find((r) => r.entry.path === cur.entry.path.split('/').slice(0, -1).join('/')));
        break;
      case 'Enter':
      case ' ':
        if (cur) toggle(cur.entry);
        break;
      default:
        return;
    }
    ev.preventDefault();
  };

  if (!root || root.status === 'loading') return <div className="tree-empty">Loading…</div>;
  if (root.status === 'error')
    return (
      <div className="tree-empty error" role="alert">
        {root.error} <button onClick={() => void load('')}>Retry</button>
      </div>
    );
  const toolbar = (
    <div className="tree-toolbar small">
      {gitStatus?.repo ? (
        <span className="git-branch" title={gitStatus.branch ? `On branch ${gitStatus.branch}` : 'HEAD is detached'}>
          ⎇ {gitStatus.branch || `detached ${gitStatus.head.slice(0, 7)}`}
        </span>
      ) : (
        <span className="muted" title={git.error || 'The folder is not in a git repository'}>
          {git.error ? 'git status unavailable' : gitStatus ? 'not a git repository' : ''}
        </span>
      )}
      <span className="spacer" />
      <button
        className="quiet icon-btn"
        aria-pressed={hideIgnored}
        onClick={toggleHideIgnored}
        title={hideIgnored ? 'Show the files the ignore rules exclude (.gitignore, .iceignore)' : 'Hide the files the ignore rules exclude (.gitignore, .iceignore)'}
      >
        {hideIgnored ? 'Show ignored' : 'Hide ignored'}
      </button>
    </div>
  );
  if (rows.length === 0)
    return (
      <>
        {toolbar}
        <div className="tree-empty">{hideIgnored && root.listing.entries.length > 0 ? 'Every file here is ignored.' : 'This folder is empty.'}</div>
      </>
    );

  return (
    <>
      {toolbar}
      <div className="tree" role="tree" aria-label="Files" tabIndex={0} ref={treeRef} onKeyDown={onKey}>
        {rows.map(({ entry, depth }) => {
          const sub = dirs.get(entry.path);
          const open = entry.kind === 'dir' && expanded.has(entry.path);
          const ignored = isIgnored(entry, gitStatus);
          const deco = ignored ? null : decorationOf(gitStatus?.entries?.[entry.path]);
          const mark = entry.kind === 'dir' && !ignored && !deco ? decorationOf(marks.get(entry.path)) : null;
          const note = [deco?.title, mark && `changes inside (${mark.title})`, ignored && 'ignored'].filter(Boolean).join(', ');
          return (
            <div key={entry.path}>
              <div
                role="treeitem"
                aria-level={depth + 1}
                aria-expanded={entry.kind === 'dir' ? open : undefined}
                aria-selected={selected === entry.path}
                aria-description={note || undefined}
                data-path={entry.path}
                data-git={deco?.letter || mark?.letter || undefined}
                className={`tree-row kind-${entry.kind}${selected === entry.path ? ' selected' : ''}${ignored ? ' ignored' : ''}${deco ? ` git-${deco.tone}` : mark ? ` git-${mark.tone}` : ''}`}
                style={{ paddingLeft: 8 + depth * 14 }}
                title={(entry.kind === 'symlink' ? `${entry.path} (link outside the workspace)` : entry.path) + (note ? ` — ${note}` : '')}
                onClick={() => {
                  onSelect(entry);
                  toggle(entry);
                  treeRef.current?.focus();
                }}
                onContextMenu={(ev) => {
                  ev.preventDefault();
                  openMenuAt(entry, ev.clientX, ev.clientY);
                }}
              >
                <span className="twisty" aria-hidden>
                  {entry.kind === 'dir' ? (open ? '▾' : '▸') : ''}
                </span>
                <EntryIcon kind={entry.kind} open={open} />
                <span className="name">{entry.name}</span>
                {deco?.letter && (
                  <span className="git-letter" aria-hidden>
                    {deco.letter}
                  </span>
                )}
                {mark && (
                  <span className="git-dot" aria-hidden>
                    ●
                  </span>
                )}
              </div>
              {open && sub?.status === 'loading' && (
                <div className="tree-note" style={{ paddingLeft: 22 + (depth + 1) * 14 }}>
                  Loading…
                </div>
              )}
              {open && sub?.status === 'error' && (
                <div className="tree-note error" style={{ paddingLeft: 22 + (depth + 1) * 14 }}>
                  {sub.error}
                </div>
              )}
              {open && sub?.status === 'ok' && sub.listing.truncated && (
                <div className="tree-note" style={{ paddingLeft: 22 + (depth + 1) * 14 }}>
                  Only the first {sub.listing.entries.length} entries are shown.
                </div>
              )}
            </div>
          );
        })}
      </div>
      {menu && (
        <TreeMenu
          label={`Actions on ${menu.entry.path}`}
          x={menu.x}
          y={menu.y}
          onClose={closeMenu}
          items={menuItems(workspaceId, menu.entry, (e) => {
            onSelect(e);
            if (e.kind === 'dir') toggle(e, true);
          })}
        />
      )}
    </>
  );
}
