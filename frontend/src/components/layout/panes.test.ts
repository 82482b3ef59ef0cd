import { describe, expect, it } from 'vitest';
import { Store, initialState, type Toast } from '../../store';
import { OutputLog } from './outputLog';
import { defaultPanes, loadPanes, parsePanes, savePanes, togglePane } from './panes';

class MemStorage {
  m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
}

describe('panes', () => {
  it('toggles each pane on its own', () => {
    const p = togglePane(defaultPanes, 'left');
    expect(p).toEqual({ ...defaultPanes, left: false });
    expect(togglePane(togglePane(p, 'bottom'), 'bottom')).toEqual(p);
    expect(togglePane(defaultPanes, 'bottom').bottom).toBe(true);
  });

  it('remembers the layout by folder', () => {
    const s = new MemStorage();
    savePanes('/home/u/a', { ...defaultPanes, left: false, chatDock: 'right', bottom: true, bottomTab: 'validation' }, s);
    expect(loadPanes('/home/u/a', s)).toEqual({ left: false, right: true, bottom: true, chatDock: 'right', bottomTab: 'validation' });
    expect(loadPanes('/home/u/b', s)).toEqual(defaultPanes);
  });

  it('reads a damaged entry as the default, field by field', () => {
    expect(parsePanes('{not json')).toEqual(defaultPanes);
    expect(parsePanes('42')).toEqual(defaultPanes);
    expect(parsePanes('{"left":"no","right":false,"chatDock":"top"}')).toEqual({ ...defaultPanes, right: false });
  });

  it('a storage that refuses loses only the memory of the layout', () => {
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(() => savePanes('/x', defaultPanes, refusing)).not.toThrow();
    expect(loadPanes('/x', refusing)).toEqual(defaultPanes);
  });
});

describe('OutputLog', () => {
  it('keeps every toast and notice once, after they leave the screen', () => {
    const st = new Store({ ...initialState });
    let t = 1000;
    const log = new OutputLog(st, () => t++);
    log.start();
    const toast = (id: number, kind: Toast['kind'], text: string) => st.update((s) => ({ toasts: [...s.toasts, { id, kind, text }] }));
    toast(1, 'error', 'Could not open x');
    toast(2, 'info', 'Committed');
    st.update({ toasts: [] });
    st.update({ notices: ['Ollama is not running'] });
    st.update({ notices: ['Ollama is not running'] });
    expect(log.all().map((l) => `${l.kind}:${l.text}@${l.at}`)).toEqual(['error:Could not open x@1000', 'info:Committed@1001', 'notice:Ollama is not running@1002']);
    log.clear();
    expect(log.all()).toEqual([]);
  });
});
