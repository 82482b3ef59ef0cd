// CodeMirror 6 as the Studio uses it: the language for a file name, and a
// theme drawn from the app's CSS variables so both themes follow the app.
import { css } from '@codemirror/lang-css';
import { go } from '@codemirror/lang-go';
import { html } from '@codemirror/lang-html';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import { python } from '@codemirror/lang-python';
import { rust } from '@codemirror/lang-rust';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { oneDarkHighlightStyle } from '@codemirror/theme-one-dark';
import { EditorView, highlightSpecialChars, lineNumbers } from '@codemirror/view';
import type { Theme } from '../../theme';

export interface Language {
  /** name is what the editor's status line shows. */
  name: string;
  support: () => Extension;
}

const languages: Record<string, Language> = {};
const add = (name: string, exts: string[], support: () => Extension) => exts.forEach((e) => (languages[e] = { name, support }));
add('JavaScript', ['js', 'mjs', 'cjs'], () => javascript());
add('JavaScript (JSX)', ['jsx'], () => javascript({ jsx: true }));
add('TypeScript', ['ts', 'mts', 'cts'], () => javascript({ typescript: true }));
add('TypeScript (TSX)', ['tsx'], () => javascript({ jsx: true, typescript: true }));
add('Go', ['go'], () => go());
add('Markdown', ['md', 'markdown', 'mdx'], () => markdown());
add('JSON', ['json', 'jsonc', 'webmanifest'], () => json());
add('Python', ['py', 'pyi', 'pyw'], () => python());
add('CSS', ['css'], () => css());
add('HTML', ['html', 'htm', 'xhtml'], () => html());
add('YAML', ['yaml', 'yml'], () => yaml());
add('Rust', ['rs'], () => rust());

/** languageFor picks the language of a file by its extension; null for plain text. */
export function languageFor(path: string): Language | null {
  const name = path.split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null; // no extension, or a dot file such as .gitignore
  return languages[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** tabFirst lists the languages whose convention is to indent with tabs. */
const tabFirst = new Set(['Go']);

/**
 * detectIndent finds the indentation a text uses, so that new lines match
 * it: tabs, or the smallest step of leading spaces (2 or 4). A text without
 * indented lines gets its language's convention.
 */
export function detectIndent(text: string, path: string): string {
  let tabs = 0;
  let spaced = 0;
  let allFours = true;
  const lines = text.split('\n', 2000);
  for (const line of lines) {
    if (line.startsWith('\t')) tabs++;
    else if (line.startsWith('  ')) {
      const width = line.length - line.trimStart().length;
      if (line.trim() === '' || line.trimStart().startsWith('*')) continue; // blank, or a block comment's continuation
      spaced++;
      if (width % 4 !== 0) allFours = false;
    }
  }
  if (tabs > 0 && tabs >= spaced) return '\t';
  if (spaced > 0) return allFours ? '    ' : '  ';
  const lang = languageFor(path)?.name ?? '';
  if (tabFirst.has(lang) || /(^|\/)(Makefile|GNUmakefile)$|\.mk$/.test(path)) return '\t';
  return lang === 'Python' || lang === 'Rust' ? '    ' : '  ';
}

/** indentation is the editor setting for detectIndent's answer. */
export function indentation(text: string, path: string): Extension {
  return [indentUnit.of(detectIndent(text, path)), EditorState.tabSize.of(4)];
}

const mono = "ui-monospace, 'DejaVu Sans Mono', 'Cascadia Code', Menlo, monospace";

/** chrome styles the editor from the app's CSS variables, which already follow the theme. */
const chrome = EditorView.theme({
  '&': { backgroundColor: 'var(--bg)', color: 'var(--fg)', fontSize: '12.5px', height: '100%' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: mono, lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--accent)', padding: '6px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
  '.cm-gutters': { backgroundColor: 'var(--bg-2)', color: 'var(--muted)', border: 'none', borderRight: '1px solid var(--line)' },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 10px 0 12px', minWidth: '40px' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--bg-3) 55%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-3)', color: 'var(--fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection': {
    backgroundColor: 'var(--sel) !important',
  },
  '.cm-selectionMatch': { backgroundColor: 'color-mix(in srgb, var(--accent) 18%, transparent)' },
  '.cm-matchingBracket': { backgroundColor: 'color-mix(in srgb, var(--ok) 25%, transparent)', outline: 'none' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--bg-3)', border: '1px solid var(--line)', color: 'var(--muted)' },
  '.cm-panels': { backgroundColor: 'var(--bg-2)', color: 'var(--fg)' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--line)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--line)' },
  '.cm-searchMatch': { backgroundColor: 'color-mix(in srgb, var(--warn) 30%, transparent)' },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'color-mix(in srgb, var(--warn) 55%, transparent)' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-2)', color: 'var(--fg)', border: '1px solid var(--line)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--sel)', color: 'var(--fg)' },
  '.cm-textfield, .cm-button': { font: 'inherit', fontSize: '12px' },
  // Diffs: removed text red, added text green, in both themes.
  '.cm-changedLine, .cm-inlineChangedLine': { backgroundColor: 'color-mix(in srgb, var(--ok) 11%, transparent)' },
  '&.cm-merge-a .cm-changedLine, .cm-deletedChunk': { backgroundColor: 'color-mix(in srgb, var(--err) 11%, transparent)' },
  '&.cm-merge-b .cm-changedText, .cm-changedLine .cm-changedText': {
    background: 'color-mix(in srgb, var(--ok) 28%, transparent)',
    borderRadius: '2px',
  },
  '&.cm-merge-a .cm-changedText, .cm-deletedChunk .cm-deletedText': {
    background: 'color-mix(in srgb, var(--err) 28%, transparent)',
    borderRadius: '2px',
  },
  '.cm-changedLineGutter': { background: 'var(--ok)' },
  '&.cm-merge-a .cm-changedLineGutter, .cm-deletedLineGutter': { background: 'var(--err)' },
  // The merge view's collapsed stretches of unchanged lines.
  '.cm-collapsedLines': {
    background: 'var(--bg-2)',
    color: 'var(--muted)',
    borderTop: '1px dashed var(--line)',
    borderBottom: '1px dashed var(--line)',
    fontFamily: 'system-ui, sans-serif',
    fontSize: '11.5px',
    padding: '3px 10px',
    '&:hover': { color: 'var(--accent)' },
    // The default marks (⦚) are missing from many monospace fonts.
    '&:before': { content: '"↕"', marginInlineEnd: '8px' },
    '&:after': { content: '" · click to show"', marginInlineStart: '0' },
  },
});

/** themed is the theme-dependent part: the dark flag (CodeMirror's own light/dark styles) and the highlight colours. */
export function themed(theme: Theme): Extension {
  return [
    EditorView.theme({}, { dark: theme === 'dark' }),
    syntaxHighlighting(theme === 'dark' ? oneDarkHighlightStyle : defaultHighlightStyle),
  ];
}

/** studioTheme is the complete look for theme, with a compartment so it can be switched in place. */
export function studioTheme(compartment: Compartment, theme: Theme): Extension {
  return [chrome, compartment.of(themed(theme))];
}

/** readOnlyViewer is the setup of a read-only text (a side of a diff). */
export function readOnlyViewer(path: string): Extension {
  const lang = languageFor(path);
  return [
    lineNumbers(),
    highlightSpecialChars(),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    lang ? lang.support() : [],
  ];
}
