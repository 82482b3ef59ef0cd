import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type FileContent, type RunInfo, type RunOptions } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run } from '../../test/fakeBackend';
import { FileEditor } from './FileEditor';
import { detectIndent, languageFor } from './cm';

const text = (path: string, content: string, over: Partial<FileContent> = {}): FileContent => ({ path, content, size: content.length, binary: false, truncated: false, ...over });

const options: RunOptions = { profile: 'edit', validationCommand: 'go test ./...', autoCommit: false, maxSteps: 0, wallClockSeconds: 0 };

/** editor finds the CodeMirror view the component made. */
function editor(container: HTMLElement): EditorView {
  const dom = container.querySelector('.cm-editor');
  const view = dom ? EditorView.findFromDOM(dom as HTMLElement) : null;
  if (!view) throw new Error('no CodeMirror editor');
  return view;
}

/** type replaces the text from..to, as a user's edit would. */
function edit(view: EditorView, from: number, to: number, insert: string) {
  act(() => view.dispatch({ changes: { from, to, insert }, userEvent: 'input.type' }));
}

const propose = () => screen.getByRole('button', { name: /Propose change/ }) as HTMLButtonElement;

describe('<FileEditor>', () => {
  let files: Map<string, FileContent | Error>;
  let backend: ReturnType<typeof fakeBackend>;
  let proposed: RunInfo[];
  let drafts: Map<string, string>;

  beforeEach(() => {
    store.update(initialState);
    store.messageDrafts('w1').clear();
    files = new Map<string, FileContent | Error>([['src/main.go', text('src/main.go', 'package main\n\nfunc main() {}\n')]]);
    backend = fakeBackend({
      ReadFile: async ({ path }) => {
        const f = files.get(path);
        if (!f) throw new Error(`open ${path}: no such file`);
        if (f instanceof Error) throw f;
        return f;
      },
      StartEditRun: async (req) => run({ id: 'edit-1', worker: 'edit', task: `Edit ${req.path}`, state: 'created' }),
    });
    setTransport(backend.transport);
    proposed = [];
    drafts = new Map();
  });

  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
    store.messageDrafts('w1').clear();
  });

  const show = (path = 'src/main.go', opts = options) =>
    render(<FileEditor workspaceId="w1" path={path} options={opts} drafts={drafts} onProposed={(r) => proposed.push(r)} />);

  it('shows the file in CodeMirror with its language and size, unchanged until edited', async () => {
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    expect(backend.argsOf('ReadFile')).toEqual([{ workspaceId: 'w1', path: 'src/main.go' }]);
    expect(editor(container).state.doc.toString()).toBe('package main\n\nfunc main() {}\n');
    expect(screen.getByText('Go')).toBeTruthy();
    expect(screen.getByText('29 B')).toBeTruthy();
    expect(propose().disabled).toBe(true);
    // Syntax highlighting is on: the keyword is styled apart from the text.
    expect(container.querySelector('.cm-line span')).not.toBeNull();
  });

  it('Propose change… starts an edit run with the edited text and the run options, and never writes the file', async () => {
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    edit(view, view.state.doc.length, view.state.doc.length, '\n// edited\n');
    expect(propose().disabled).toBe(false);
    expect(screen.getByLabelText('edited')).toBeTruthy();

    fireEvent.click(propose());
    await waitFor(() => expect(proposed.map((r) => r.id)).toEqual(['edit-1']));
    expect(backend.argsOf('StartEditRun')).toEqual([{ workspaceId: 'w1', path: 'src/main.go', content: 'package main\n\nfunc main() {}\n\n// edited\n', options }]);
    // Only reads and the run: no other call could write anything.
    expect(new Set(backend.calls.map((c) => c.method))).toEqual(new Set(['ReadFile', 'StartEditRun']));
  });

  it('is clean again when the edit is undone by hand, and Discard restores the disk text', async () => {
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    edit(view, 0, 7, 'PACKAGE');
    expect(propose().disabled).toBe(false);
    edit(view, 0, 7, 'package');
    expect(propose().disabled).toBe(true);

    edit(view, 0, 0, 'x');
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(view.state.doc.toString()).toBe('package main\n\nfunc main() {}\n');
    expect(propose().disabled).toBe(true);
  });

  it('shows why a proposal failed, inline, and keeps the edit', async () => {
    backend = fakeBackend({ ReadFile: async () => text('a.txt', 'one\n'), StartEditRun: () => Promise.reject(new Error('the event log is not open')) });
    setTransport(backend.transport);
    const { container } = show('a.txt');
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    edit(view, 0, 3, 'two');
    fireEvent.click(propose());
    expect((await screen.findByRole('alert')).textContent).toContain('the event log is not open');
    expect(store.get().toasts, 'shown once, inline, not also as a toast').toEqual([]);
    expect(view.state.doc.toString()).toBe('two\n');
    expect(proposed).toEqual([]);
  });

  it('keeps an unproposed edit as a draft when closed, and opens with it again', async () => {
    const first = show();
    await waitFor(() => expect(first.container.querySelector('.cm-editor')).not.toBeNull());
    edit(editor(first.container), 0, 0, '// draft\n');
    first.unmount();
    expect(drafts.get('src/main.go')).toBe('// draft\npackage main\n\nfunc main() {}\n');

    // What the user sees the moment the editor appears: Propose is already
    // enabled over the draft (not one render later).
    let atFirstSight: boolean | undefined;
    const seen = new MutationObserver(() => {
      if (atFirstSight === undefined && document.querySelector('.cm-editor')) {
        atFirstSight = screen.getByRole('button', { name: /propose/i }).hasAttribute('disabled');
      }
    });
    seen.observe(document.body, { childList: true, subtree: true });
    const again = show();
    await waitFor(() => expect(again.container.querySelector('.cm-editor')).not.toBeNull());
    seen.disconnect();
    expect(editor(again.container).state.doc.toString()).toBe('// draft\npackage main\n\nfunc main() {}\n');
    expect(atFirstSight, 'Propose disabled when the draft appeared').toBe(false);
    expect(propose().disabled).toBe(false);
  });

  it('follows the disk after a run settles when the text was not edited', async () => {
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    files.set('src/main.go', text('src/main.go', 'package app\n'));
    act(() => backend.emit(Events.RunChanged, { run: 'r1', state: 'committed' }));
    await waitFor(() => expect(editor(container).state.doc.toString()).toBe('package app\n'));
    expect(propose().disabled).toBe(true);
  });

  it('follows a change made on disk by another program, and keeps edits when there are some', async () => {
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const changed = (path: string) =>
      act(() => backend.emit(Events.FilesChanged, { workspaceId: 'w1', changes: [{ path, kind: 'modified' }], rescan: false, at: 0 }));
    files.set('src/main.go', text('src/main.go', 'package other\n'));
    changed('src/other.go');
    await new Promise((r) => setTimeout(r, 50));
    expect(editor(container).state.doc.toString()).toBe('package main\n\nfunc main() {}\n');
    changed('src/main.go');
    await waitFor(() => expect(editor(container).state.doc.toString()).toBe('package other\n'));

    edit(editor(container), 0, 0, '// mine\n');
    files.set('src/main.go', text('src/main.go', 'package third\n'));
    changed('src/main.go');
    expect(await screen.findByText(/changed on disk while you were editing/)).toBeTruthy();
    expect(editor(container).state.doc.toString()).toBe('// mine\npackage other\n');
  });

  it('selects the requested line once the file is loaded, and again for a new request of the same line', async () => {
    files.set('long.txt', text('long.txt', Array.from({ length: 100 }, (_, i) => `row ${i + 1}`).join('\n')));
    const props = { workspaceId: 'w1', path: 'long.txt', options, drafts, onProposed: () => {} };
    const { container, rerender } = render(<FileEditor {...props} line={{ line: 42 }} />);
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    const line42 = view.state.doc.line(42);
    expect(line42.text).toBe('row 42');
    expect(view.state.selection.main).toMatchObject({ from: line42.from, to: line42.to });

    act(() => view.dispatch({ selection: { anchor: 0 } }));
    rerender(<FileEditor {...props} line={{ line: 42 }} />);
    expect(view.state.selection.main).toMatchObject({ from: line42.from, to: line42.to });

    // A line past the end goes to the last one.
    rerender(<FileEditor {...props} line={{ line: 500 }} />);
    expect(view.state.selection.main.from).toBe(view.state.doc.line(100).from);
  });

  it('keeps CRLF line endings', async () => {
    files.set('win.txt', text('win.txt', 'a\r\nb\r\n'));
    const { container } = show('win.txt');
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    expect(propose().disabled).toBe(true);
    edit(view, view.state.doc.length, view.state.doc.length, 'c\r\n');
    fireEvent.click(propose());
    await waitFor(() => expect(backend.argsOf('StartEditRun')).toHaveLength(1));
    expect(backend.argsOf('StartEditRun')[0]?.content).toBe('a\r\nb\r\nc\r\n');
  });

  it('follows the app theme: dark or light CodeMirror styles', async () => {
    document.documentElement.dataset.theme = 'dark';
    const { container } = show();
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const view = editor(container);
    expect(view.state.facet(EditorView.darkTheme)).toBe(true);
    act(() => {
      document.documentElement.dataset.theme = 'light';
    });
    await waitFor(() => expect(view.state.facet(EditorView.darkTheme)).toBe(false));
    delete document.documentElement.dataset.theme;
  });

  it('notes a binary file instead of showing it', async () => {
    files.set('logo.png', text('logo.png', '', { binary: true, size: 2048 }));
    const { container } = show('logo.png');
    expect(await screen.findByText('Binary file')).toBeTruthy();
    expect(screen.getByText(/2\.0 KiB of binary data/)).toBeTruthy();
    expect(container.querySelector('.cm-editor')).toBeNull();
    expect(screen.queryByRole('button', { name: /Propose change/ })).toBeNull();
  });

  it('shows the start of a truncated file read-only, without Propose', async () => {
    files.set('big.log', text('big.log', 'line\n'.repeat(10), { truncated: true, size: 5 << 20 }));
    const { container } = show('big.log');
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    expect(screen.getByText(/only its beginning is shown, read-only/)).toBeTruthy();
    expect(editor(container).state.readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: /Propose change/ })).toBeNull();
  });

  it('explains a file that cannot be read, with Retry', async () => {
    files.set('gone.txt', new Error('open gone.txt: no such file or directory'));
    show('gone.txt');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no such file or directory');
    files.set('gone.txt', text('gone.txt', 'back\n'));
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('Ask about selection sends the selected lines and their text, once something is selected', async () => {
    const asked: unknown[] = [];
    const { container } = render(
      <FileEditor workspaceId="w1" path="src/main.go" options={options} drafts={drafts} onProposed={(r) => proposed.push(r)} onAsk={(sel) => asked.push(sel)} />,
    );
    await waitFor(() => expect(container.querySelector('.cm-editor')).not.toBeNull());
    const ask = screen.getByRole('button', { name: 'Ask about selection' }) as HTMLButtonElement;
    expect(ask.disabled).toBe(true);
    const view = editor(container);
    // From the start of line 1 to the start of line 3: whole lines 1–2.
    act(() => view.dispatch({ selection: { anchor: 0, head: view.state.doc.line(3).from } }));
    expect(ask.disabled).toBe(false);
    fireEvent.click(ask);
    expect(asked).toEqual([{ path: 'src/main.go', startLine: 1, endLine: 2, text: 'package main\n\n' }]);
    act(() => view.dispatch({ selection: { anchor: 5, head: 9 } }));
    fireEvent.click(ask);
    expect(asked.at(-1)).toEqual({ path: 'src/main.go', startLine: 1, endLine: 1, text: 'ge m' });
    act(() => view.dispatch({ selection: { anchor: 3 } }));
    expect(ask.disabled).toBe(true);
  });
});

describe('languageFor', () => {
  it.each([
    ['src/main.go', 'Go'],
    ['web/App.tsx', 'TypeScript (TSX)'],
    ['a/b.ts', 'TypeScript'],
    ['x.mjs', 'JavaScript'],
    ['README.md', 'Markdown'],
    ['package.json', 'JSON'],
    ['tool.py', 'Python'],
    ['styles.css', 'CSS'],
    ['index.HTML', 'HTML'],
    ['ci.yml', 'YAML'],
    ['lib.rs', 'Rust'],
  ])('%s is %s', (path, name) => {
    expect(languageFor(path)?.name).toBe(name);
  });
  it('is plain text without a known extension', () => {
    expect(languageFor('Makefile')).toBeNull();
    expect(languageFor('.gitignore')).toBeNull();
    expect(languageFor('notes.txt')).toBeNull();
  });
});

describe('detectIndent', () => {
  it.each([
    ['tabs', 'func f() {\n\treturn\n}\n', 'a.go', '\t'],
    ['four spaces', 'def f():\n    if x:\n        return 1\n', 'a.py', '    '],
    ['two spaces', 'a:\n  b:\n    c: 1\n  d: 2\n', 'a.yaml', '  '],
    ['mostly tabs, a stray space', 'x\n\ta\n\tb\n  c\n', 'a.txt', '\t'],
    ['block comment stars are not indentation', '/**\n * doc\n */\nfunction f() {\n    return 1;\n}\n', 'a.js', '    '],
  ])('%s', (_, text, path, want) => {
    expect(detectIndent(text, path)).toBe(want);
  });
  it("falls back to the language's convention without indented lines", () => {
    expect(detectIndent('package main\n', 'main.go')).toBe('\t');
    expect(detectIndent('all: build\n', 'Makefile')).toBe('\t');
    expect(detectIndent('x = 1\n', 'a.py')).toBe('    ');
    expect(detectIndent('{}\n', 'a.json')).toBe('  ');
  });
});
