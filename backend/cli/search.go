package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// globList is a repeatable flag whose values may also be comma-separated.
type globList []string

func (g *globList) String() string { return strings.Join(*g, ",") }
func (g *globList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*g = append(*g, p)
		}
	}
	return nil
}

// Search is `ice-studio search [flags] PATTERN [DIR]`: the Studio's text
// search over a folder, with the same ignore rules, printed as
// path:line:text. It needs no event log: the folder is scanned afresh,
// without hashing; when it is one the Studio knows, its recorded files and
// text index are read (read-only, beside a running Studio) so that the
// index rules out files unchanged since they were indexed.
// Exit code 0 when something matched, 1 when nothing did, 2 on a usage
// error or an unreadable folder.
func Search(args []string, io IO) int {
	fl := newFlags("search", io)
	var q search.Query
	fl.BoolVar(&q.Regex, "regex", false, "PATTERN is a regular expression (Go/RE2 syntax, matched per line)")
	fl.BoolVar(&q.CaseSensitive, "case", false, "match letter case exactly")
	fl.BoolVar(&q.WholeWord, "word", false, "match whole words only")
	fl.Var((*globList)(&q.Include), "include", "only paths matching this glob (repeatable, or comma-separated)")
	fl.Var((*globList)(&q.Exclude), "exclude", "never paths matching this glob (repeatable, or comma-separated)")
	fl.IntVar(&q.MaxResults, "max", search.DefaultMaxResults, "stop after this many matches")
	asJSON := fl.Bool("json", false, "print one JSON object per file with matches")
	verbose := fl.Bool("verbose", false, "say on stderr whether the Studio's index of the folder was used")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if fl.NArg() < 1 || fl.NArg() > 2 {
		fmt.Fprintln(io.Stderr, "usage: ice-studio search [--regex] [--case] [--word] [--include GLOB] [--exclude GLOB] [--max N] [--json] [--verbose] PATTERN [DIR]")
		return ExitUsage
	}
	q.Pattern = fl.Arg(0)
	dir := "."
	if fl.NArg() == 2 {
		dir = fl.Arg(1)
	}
	if err := search.Validate(q); err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio search: %v\n", err)
		return ExitUsage
	}
	root, err := workspace.CheckRoot(dir)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio search: %v\n", err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	known, why := openStudioData(ctx, io.Getenv, root)
	if known != nil {
		defer known.close()
	}
	if *verbose {
		fmt.Fprintf(io.Stderr, "ice-studio search: %s\n", why)
	}
	src := search.Source{Root: root}
	opts := workspace.ScanOptions{NoHash: true}
	if known != nil {
		src.Index = known.index.Index
		opts.Reuse = known.reuse
		// The index's list of what it holds is read while the folder is
		// scanned; the search then finds it cached.
		go func() { _, _ = known.index.Hashes(ctx) }()
	}
	rep, err := workspace.Scan(ctx, root, opts, func(f workspace.FileInfo) error {
		if !f.Binary && !f.Huge && !f.Symlink {
			src.Targets = append(src.Targets, search.Target{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio search: %v\n", err)
		return ExitUsage
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(io.Stderr, "ice-studio search: skipped %s: %s\n", w.Path, w.Reason)
	}
	var results []search.FileResult
	collect := func(rs []search.FileResult) { results = append(results, rs...) }
	st, err := search.Run(ctx, src, q, collect)
	if known != nil && err == nil {
		if verr := known.index.Verify(); verr != nil {
			// The Studio wrote the index meanwhile: search again, reading
			// every file.
			if *verbose {
				fmt.Fprintf(io.Stderr, "ice-studio search: %v; searching again without it\n", verr)
			}
			results, src.Index = nil, nil
			st, err = search.Run(ctx, src, q, collect)
		}
	}
	if *verbose {
		fmt.Fprintf(io.Stderr, "ice-studio search: read %d of %d files, the index ruled out %d\n", st.Files, len(src.Targets), st.Skipped)
	}
	search.SortResults(results)
	out := bufio.NewWriterSize(io.Stdout, 64<<10) // one write per line would be a system call each
	enc := json.NewEncoder(out)
	for _, r := range results {
		if *asJSON {
			_ = enc.Encode(r)
			continue
		}
		for _, m := range r.Matches {
			out.WriteString(r.Path)
			out.WriteByte(':')
			out.WriteString(strconv.Itoa(m.Line))
			out.WriteByte(':')
			out.WriteString(m.Text)
			out.WriteByte('\n')
		}
	}
	_ = out.Flush()
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio search: %v\n", err)
		return ExitUsage
	}
	if st.Truncated {
		fmt.Fprintf(io.Stderr, "ice-studio search: stopped at %d matches (--max)\n", st.Matches)
	}
	if st.Matches == 0 {
		return ExitFailed
	}
	return ExitOK
}
