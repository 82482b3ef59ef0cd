package workspace

import (
	"path"
	"strings"
)

// languageByName holds whole file names that say more than an extension.
var languageByName = map[string]string{
	"makefile": "makefile", "gnumakefile": "makefile",
	"dockerfile": "dockerfile", "containerfile": "dockerfile",
	"cmakelists.txt": "cmake",
	"go.mod":         "go.mod", "go.sum": "go.sum", "go.work": "go.mod",
	"cargo.lock": "toml", "gemfile": "ruby", "rakefile": "ruby", "podfile": "ruby",
	"vagrantfile": "ruby", "jenkinsfile": "groovy", "justfile": "just",
	".bashrc": "shell", ".zshrc": "shell", ".profile": "shell", ".bash_profile": "shell",
	".gitignore": "gitignore", ".iceignore": "gitignore", ".dockerignore": "gitignore",
	".gitattributes": "gitattributes", ".gitmodules": "ini", ".editorconfig": "ini",
	"license": "text", "copying": "text", "authors": "text", "readme": "text",
}

// languageByExt maps a lower-case extension to a language name. The names
// follow the lower-case identifiers editors use (CodeMirror, Linguist), so
// the viewer can pick a highlighter from them.
var languageByExt = map[string]string{
	".go": "go", ".s": "assembly", ".asm": "assembly",
	".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp", ".m": "objective-c", ".mm": "objective-cpp",
	".rs": "rust", ".zig": "zig", ".swift": "swift", ".kt": "kotlin", ".kts": "kotlin",
	".java": "java", ".scala": "scala", ".groovy": "groovy", ".gradle": "groovy", ".clj": "clojure",
	".cs": "csharp", ".fs": "fsharp", ".vb": "vb",
	".py": "python", ".pyi": "python", ".ipynb": "jupyter", ".rb": "ruby", ".php": "php", ".pl": "perl", ".pm": "perl", ".lua": "lua", ".r": "r",
	".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
	".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescript",
	".vue": "vue", ".svelte": "svelte", ".astro": "astro",
	".html": "html", ".htm": "html", ".xhtml": "html", ".css": "css", ".scss": "scss", ".sass": "sass", ".less": "less",
	".json": "json", ".jsonc": "json", ".json5": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
	".xml": "xml", ".xsd": "xml", ".xsl": "xml", ".svg": "xml", ".plist": "xml",
	".ini": "ini", ".cfg": "ini", ".conf": "ini", ".properties": "properties", ".env": "dotenv",
	".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".rst": "restructuredtext", ".adoc": "asciidoc", ".tex": "latex", ".txt": "text",
	".sh": "shell", ".bash": "shell", ".zsh": "shell", ".fish": "fish", ".ps1": "powershell", ".bat": "batch", ".cmd": "batch",
	".sql": "sql", ".graphql": "graphql", ".gql": "graphql", ".proto": "protobuf", ".thrift": "thrift",
	".hs": "haskell", ".ml": "ocaml", ".mli": "ocaml", ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".elm": "elm", ".dart": "dart", ".jl": "julia", ".nim": "nim", ".v": "verilog", ".vhd": "vhdl",
	".tf": "hcl", ".hcl": "hcl", ".nix": "nix", ".dockerfile": "dockerfile", ".mk": "makefile", ".cmake": "cmake",
	".csv": "csv", ".tsv": "tsv", ".diff": "diff", ".patch": "diff", ".tmpl": "template", ".gotmpl": "template",
}

// LanguageOf names the language of a file from its name alone (content is
// not read); "" when unknown. Matching ignores case.
func LanguageOf(rel string) string {
	name := strings.ToLower(path.Base(rel))
	if lang, ok := languageByName[name]; ok {
		return lang
	}
	if strings.HasPrefix(name, "dockerfile.") || strings.HasSuffix(name, ".dockerfile") {
		return "dockerfile"
	}
	return languageByExt[path.Ext(name)]
}
