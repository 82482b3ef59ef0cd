// The explorer's context menu: what can be done with one entry of the
// tree. Opened by a right click, Shift+F10 or the ContextMenu key; arrow
// keys move, Enter chooses, Esc (or a click elsewhere) closes.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { api, errorMessage, type DirEntry } from '../../bridge';
import { store, emptyDraft, emptySearchForm, emptyWorkspaceView } from '../../store';

export interface MenuItem {
  id: string;
  label: string;
  run: () => void | Promise<void>;
}

/** joinRoot makes a workspace-relative path absolute under root, with the root's separator. */
export function joinRoot(root: string, rel: string): string {
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return rel === '' ? root : `${root.replace(/[\\/]+$/, '')}${sep}${sep === '\\' ? rel.replaceAll('/', '\\') : rel}`;
}

/** findInFolderGlob is the include glob that searches an entry: a folder's files, or the file itself. */
export function findInFolderGlob(e: Pick<DirEntry, 'path' | 'kind'>): string {
  return e.kind === 'dir' ? `${e.path}/**` : e.path;
}

async function copy(text: string, what: string) {
  try {
    await navigator.clipboard.writeText(text);
    store.toast('info', `Copied the ${what}: ${text}`);
  } catch (err) {
    store.toast('error', `Could not copy the ${what}: ${errorMessage(err)}`);
  }
}

/**
 * menuItems lists what the menu offers for an entry of workspace ws.
 * open opens it as a click in the tree does.
 */
export function menuItems(workspaceId: string, e: DirEntry, open: (e: DirEntry) => void): MenuItem[] {
  const st = store.get();
  const root = st.workspaces.find((w) => w.id === workspaceId)?.root ?? '';
  const view = () => st.workspaceViews[workspaceId] ?? emptyWorkspaceView;
  const items: MenuItem[] = [{ id: 'open', label: e.kind === 'dir' ? 'Open folder' : 'Open', run: () => open(e) }];
  if (st.info?.mode === 'desktop')
    items.push({
      id: 'reveal',
      label: 'Reveal in file manager',
      run: async () => {
        try {
          await api.RevealPath({ workspaceId, path: e.path });
        } catch (err) {
          store.toast('error', `Could not reveal ${e.path}: ${errorMessage(err)}`);
        }
      },
    });
  items.push(
    { id: 'copy-relative', label: 'Copy relative path', run: () => copy(e.path, 'relative path') },
    { id: 'copy-absolute', label: 'Copy absolute path', run: () => copy(joinRoot(root, e.path), 'absolute path') },
    {
      id: 'find',
      label: e.kind === 'dir' ? 'Find in folder…' : 'Find in file…',
      run: () => store.setWorkspaceView(workspaceId, { side: 'search', search: { ...(view().search ?? emptySearchForm), include: findInFolderGlob(e) } }),
    },
    {
      id: 'agent',
      label: e.kind === 'dir' ? 'Start agent run about this folder' : 'Start agent run about this file',
      run: () => {
        // A new conversation's message (thread ''), with the entry @-mentioned.
        const drafts = store.messageDrafts(workspaceId);
        const cur = drafts.get('') ?? emptyDraft;
        const mention = e.kind === 'dir' ? `${e.path}/` : e.path;
        const text = cur.text.includes(`@${mention}`) ? cur.text : `${cur.text}${cur.text && !cur.text.endsWith(' ') ? ' ' : ''}@${mention} `;
        const mentions = cur.mentions.some((m) => m.path === e.path) ? cur.mentions : [...cur.mentions, { path: e.path, folder: e.kind === 'dir' }];
        drafts.set('', { ...cur, text, mentions });
        store.setWorkspaceView(workspaceId, { right: 'chat', chat: true, thread: null, centre: 'chat' });
      },
    },
  );
  return items;
}

export interface TreeMenuProps {
  items: MenuItem[];
  x: number;
  y: number;
  label: string;
  onClose: () => void;
}

/** TreeMenu is the menu itself, at (x, y) in the window. */
export function TreeMenu({ items, x, y, label, onClose }: TreeMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const away = (ev: MouseEvent) => {
      if (ref.current && !ref.current.contains(ev.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away, true);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('mousedown', away, true);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);

  const onKey = (ev: KeyboardEvent<HTMLDivElement>) => {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const i = all.indexOf(document.activeElement as HTMLElement);
    switch (ev.key) {
      case 'Escape':
      case 'Tab':
        onClose();
        break;
      case 'ArrowDown':
        all[(i + 1) % all.length]?.focus();
        break;
      case 'ArrowUp':
        all[(i - 1 + all.length) % all.length]?.focus();
        break;
      case 'Home':
        all[0]?.focus();
        break;
      case 'End':
        all[all.length - 1]?.focus();
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  };

  // Kept inside the window: a menu opened near the bottom or right edge opens upwards or leftwards.
  const left = Math.max(4, Math.min(x, window.innerWidth - 240));
  const top = Math.max(4, Math.min(y, window.innerHeight - 36 * items.length - 8));
  return (
    <div className="tree-menu" role="menu" aria-label={label} ref={ref} style={{ left, top }} onKeyDown={onKey}>
      {items.map((it) => (
        <button
          key={it.id}
          role="menuitem"
          data-item={it.id}
          tabIndex={-1}
          onClick={() => {
            onClose();
            void it.run();
          }}
        >
          {it.label}
        </button>
      ))}
    </div>
  );
}
