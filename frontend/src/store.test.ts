import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Workspace, WorkspaceStatus } from './bridge';
import { Store, emptyWorkspaceView, initialState } from './store';

const ws = (id: string, name = id): Workspace => ({ id, name, root: `/home/u/${name}`, openedAt: 1 });

describe('Store', () => {
  let s: Store;
  beforeEach(() => {
    s = new Store();
  });

  it('starts from the initial state', () => {
    expect(s.get()).toEqual(initialState);
  });

  describe('update', () => {
    it('merges a patch object and keeps the other fields', () => {
      s.update({ loading: false, notices: ['n1'] });
      expect(s.get().loading).toBe(false);
      expect(s.get().notices).toEqual(['n1']);
      expect(s.get().recent).toEqual([]);
      expect(s.get().activeWorkspace).toBeNull();
    });

    it('accepts a function of the current state', () => {
      s.update({ notices: ['a'] });
      s.update((cur) => ({ notices: [...cur.notices, 'b'] }));
      expect(s.get().notices).toEqual(['a', 'b']);
    });

    it('replaces the state object instead of mutating it', () => {
      const before = s.get();
      s.update({ loading: false });
      expect(s.get()).not.toBe(before);
      expect(before.loading).toBe(true);
      // The shared initial state is never touched.
      expect(initialState.loading).toBe(true);
    });

    it('notifies subscribers until they unsubscribe', () => {
      const seen: boolean[] = [];
      const off = s.subscribe(() => seen.push(s.get().loading));
      s.update({ loading: false });
      s.update({ loading: true });
      off();
      s.update({ loading: false });
      expect(seen).toEqual([false, true]);
    });
  });

  describe('openWorkspace', () => {
    it('adds a workspace and makes it active', () => {
      s.openWorkspace(ws('w1'));
      s.openWorkspace(ws('w2'));
      expect(s.get().workspaces.map((w) => w.id)).toEqual(['w1', 'w2']);
      expect(s.get().activeWorkspace).toBe('w2');
    });

    it('shows the workspace even when the event log was on screen', () => {
      s.update({ view: 'events' });
      s.openWorkspace(ws('w1'));
      expect(s.get().view).toBe('workspaces');
      expect(s.get().activeWorkspace).toBe('w1');
    });

    it('replaces a workspace with the same id instead of duplicating it, and activates it', () => {
      s.openWorkspace(ws('w1', 'old'));
      s.openWorkspace(ws('w2'));
      s.openWorkspace(ws('w1', 'renamed'));
      const list = s.get().workspaces;
      expect(list.filter((w) => w.id === 'w1')).toHaveLength(1);
      expect(list.find((w) => w.id === 'w1')?.name).toBe('renamed');
      expect(list).toHaveLength(2);
      expect(s.get().activeWorkspace).toBe('w1');
    });
  });

  describe('showWorkspace', () => {
    it('switches from the event log to a workspace or to the welcome screen', () => {
      s.openWorkspace(ws('w1'));
      s.update({ view: 'events' });
      s.showWorkspace(null);
      expect(s.get()).toMatchObject({ view: 'workspaces', activeWorkspace: null });
      s.update({ view: 'events' });
      s.showWorkspace('w1');
      expect(s.get()).toMatchObject({ view: 'workspaces', activeWorkspace: 'w1' });
      expect(s.get().workspaces.map((w) => w.id)).toEqual(['w1']);
    });
  });

  describe('toasts', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('adds toasts with distinct ids and dismisses by id', () => {
      s.toast('error', 'first');
      s.toast('error', 'second');
      const [a, b] = s.get().toasts;
      expect(a?.text).toBe('first');
      expect(b?.text).toBe('second');
      expect(a?.id).not.toBe(b?.id);

      s.dismiss(a?.id ?? -1);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['second']);
    });

    it('auto-dismisses an info toast after 4 seconds', () => {
      s.toast('info', 'saved');
      expect(s.get().toasts).toHaveLength(1);
      vi.advanceTimersByTime(3999);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['saved']);
      vi.advanceTimersByTime(1);
      expect(s.get().toasts).toEqual([]);
    });

    it('an error toast goes by itself after 10 seconds, so it does not stay over the panes', () => {
      s.toast('error', 'broken');
      s.toast('info', 'hello');
      vi.advanceTimersByTime(4000);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['broken']);
      vi.advanceTimersByTime(6000);
      expect(s.get().toasts).toEqual([]);
    });

    it('a held toast stays while held and lives its full time after', () => {
      s.toast('error', 'read me');
      const id = s.get().toasts[0]?.id ?? -1;
      vi.advanceTimersByTime(9000);
      s.holdToast(id, true);
      vi.advanceTimersByTime(60_000);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['read me']);
      s.holdToast(id, false);
      vi.advanceTimersByTime(9999);
      expect(s.get().toasts).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(s.get().toasts).toEqual([]);
    });

    it('a success takes away the toasts of its topic only', () => {
      s.toast('error', 'cannot open /x', 'open');
      s.toast('error', 'disk on fire');
      s.dismissTopic('open');
      expect(s.get().toasts.map((t) => t.text)).toEqual(['disk on fire']);
    });

    it('the info timer removes only its own toast', () => {
      s.toast('info', 'one');
      vi.advanceTimersByTime(2000);
      s.toast('info', 'two');
      vi.advanceTimersByTime(2000);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['two']);
      vi.advanceTimersByTime(2000);
      expect(s.get().toasts).toEqual([]);
    });

    it('keeps at most the 5 newest toasts', () => {
      for (let i = 1; i <= 7; i++) s.toast('error', `t${i}`);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['t3', 't4', 't5', 't6', 't7']);
    });

    it('a toast pushed out by the limit does not take a newer one with it', () => {
      s.toast('info', 'old');
      for (let i = 1; i <= 5; i++) s.toast('error', `e${i}`);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      vi.advanceTimersByTime(4000);
      expect(s.get().toasts.map((t) => t.text)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    });
  });
  describe('workspace views', () => {
    it('keeps what each workspace shows, patch by patch', () => {
      const file = { name: 'a.go', path: 'src/a.go', kind: 'file', size: 3, modTime: 1 };
      s.setWorkspaceView('w1', { selected: file });
      s.setWorkspaceView('w1', { run: 'r1', centre: 'run' });
      s.setWorkspaceView('w2', { run: 'r9' });
      expect(s.get().workspaceViews).toEqual({
        w1: { ...emptyWorkspaceView, selected: file, run: 'r1', centre: 'run' },
        w2: { ...emptyWorkspaceView, selected: null, run: 'r9', centre: 'file' },
      });
      s.setWorkspaceView('w1', { centre: 'file' });
      expect(s.get().workspaceViews.w1).toEqual({ ...emptyWorkspaceView, selected: file, run: 'r1', centre: 'file' });
    });

    it('keeps drafts per workspace, the same map each time', () => {
      s.drafts('w1').set('a.txt', 'edited');
      expect(s.drafts('w1').get('a.txt')).toBe('edited');
      expect(s.drafts('w2').size).toBe(0);
    });
  });

  describe('removeWorkspace', () => {
    const status = (id: string, files = 1): WorkspaceStatus => ({
      workspaceId: id,
      watch: { mode: 'watching', watches: 1, files, rescans: 0 },
      index: { state: 'ready', total: files, indexed: files, bytes: 10 },
    });
    beforeEach(() => {
      s.openWorkspace(ws('w1'));
      s.openWorkspace(ws('w2'));
      s.openWorkspace(ws('w3'));
    });

    it('shows the tab after a closed active one, or the one before when it was the last', () => {
      s.showWorkspace('w2');
      s.removeWorkspace('w2');
      expect(s.get().workspaces.map((w) => w.id)).toEqual(['w1', 'w3']);
      expect(s.get().activeWorkspace).toBe('w3');
      s.removeWorkspace('w3');
      expect(s.get().activeWorkspace).toBe('w1');
      s.removeWorkspace('w1');
      expect(s.get()).toMatchObject({ workspaces: [], activeWorkspace: null, view: 'workspaces' });
    });

    it('leaves the active tab alone when another closes, and forgets the closed one\'s view and status', () => {
      s.setWorkspaceView('w1', { run: 'r1' });
      s.setStatus(status('w1'), true);
      s.removeWorkspace('w1');
      expect(s.get().activeWorkspace).toBe('w3');
      expect(s.get().workspaceViews).toEqual({});
      expect(s.get().statuses).toEqual({});
    });

    it('ignores a workspace it does not have', () => {
      const before = s.get();
      s.removeWorkspace('nope');
      expect(s.get()).toBe(before);
    });

    it('drops an answered status that is older than a notification that came meanwhile', () => {
      const since = s.statusVersion('w1');
      s.setStatus(status('w1', 5), true);
      s.setStatus(status('w1', 3), false, since);
      expect(s.get().statuses.w1?.watch.files).toBe(5);
      s.setStatus(status('w1', 7), false, s.statusVersion('w1'));
      expect(s.get().statuses.w1?.watch.files).toBe(7);
      // A closed workspace's last notification does not bring it back.
      s.removeWorkspace('w1');
      s.setStatus(status('w1', 9), true);
      expect(s.get().statuses).toEqual({});
    });
  });
});
