package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunVerbs(t *testing.T) {
	t.Setenv("ICE_HOME", t.TempDir())
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"help"}, 0, "ice-studio serve", ""},
		{[]string{"--help"}, 0, "Usage:", ""},
		{[]string{"version"}, 0, "ice-studio ", ""},
		{[]string{"a", "b"}, 2, "", "unexpected arguments"},
		{[]string{"--bogus"}, 2, "", "unexpected arguments"},
		{[]string{"serve", "--addr", "0.0.0.0:8080"}, 2, "", "loopback only"},
		{[]string{"serve", "--addr", "nonsense"}, 2, "", "--addr"},
		{[]string{"serve", "--nope"}, 2, "", "flag provided but not defined"},
		{[]string{"serve", "a", "b"}, 2, "", "at most one folder"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, stdout ~%q, stderr ~%q",
				tc.args, code, out.String(), errb.String(), tc.code, tc.out, tc.err)
		}
	}
}
