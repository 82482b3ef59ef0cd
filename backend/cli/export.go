package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ice-studio/ice-studio/backend/buildinfo"
	"github.com/ice-studio/ice-studio/backend/report"
)

// Export is `ice-studio export [--format json|md|html] [--out FILE]
// [--force] RUN|THREAD`: the report of a run or a thread, built from the
// log and its blobs alone, with the verify result of the whole log at
// export time. Without --format the format is --out's extension, else
// md. Without --out it goes to stdout; --out refuses to replace a file
// unless --force. The exit code is 1 when the log does not verify (the
// report is still written, and says where the chain breaks).
func Export(args []string, io IO) int {
	fl := newFlags("export", io)
	format := fl.String("format", "", "report `format`: json, md or html (default: from --out's extension, else md)")
	out := fl.String("out", "", "write the report to `FILE` instead of stdout")
	force := fl.Bool("force", false, "replace --out if it exists")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(io.Stderr, "ice-studio export: say which run or thread (its id or the short id the Studio shows)")
		return ExitUsage
	}
	f := strings.ToLower(strings.TrimSpace(*format))
	if f == "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".json":
			f = report.FormatJSON
		case ".html", ".htm":
			f = report.FormatHTML
		default:
			f = report.FormatMarkdown
		}
	}
	if f != report.FormatJSON && f != report.FormatMarkdown && f != report.FormatHTML {
		fmt.Fprintf(io.Stderr, "ice-studio export: unknown format %q (json, md or html)\n", *format)
		return ExitUsage
	}
	if *out != "" && !*force {
		if _, err := os.Lstat(*out); err == nil {
			fmt.Fprintf(io.Stderr, "ice-studio export: %s exists; say --force to replace it\n", *out)
			return ExitFailed
		}
	}
	store, _, ok := openLog(io, "export")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	rep, err := report.Build(context.Background(), store, fl.Arg(0), report.Options{Generator: "ice-studio " + buildinfo.Version})
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio export: %v\n", err)
		return ExitFailed
	}
	r, err := report.Render(rep, f)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio export: %v\n", err)
		return ExitFailed
	}
	if *out == "" {
		if _, err := fmt.Fprint(io.Stdout, r.Content); err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio export: %v\n", err)
			return ExitFailed
		}
	} else {
		if err := writeFile(*out, []byte(r.Content), *force); err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio export: %v\n", err)
			return ExitFailed
		}
		fmt.Fprintf(io.Stderr, "ice-studio export: wrote the %s report of %s to %s\n", f, rep.Title(), *out)
	}
	if !rep.Verify.OK {
		fmt.Fprintf(io.Stderr, "ice-studio export: the log does NOT verify: %s\n", rep.Verify.Text)
		return ExitFailed
	}
	return ExitOK
}

// writeFile writes data to path through a temporary file in the same
// folder and a rename, so a reader never sees half a report; without
// replace an existing path is kept.
func writeFile(path string, data []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if !replace {
		// Link fails if path exists: the check and the write are one step.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s exists; say --force to replace it", path)
			}
			return err
		}
		return nil
	}
	return os.Rename(tmp.Name(), path)
}
