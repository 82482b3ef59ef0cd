package capability_test

import (
	"errors"
	"github.com/ice-studio/ice-studio/backend/capability"
	"reflect"
	"strings"
	"testing"
)

func TestSplitCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       []string
		err        string
	}{
		{name: "plain words", line: "go test ./...", want: []string{"go", "test", "./..."}},
		{name: "spaces and tabs", line: "  ls \t -la\t\t src  ", want: []string{"ls", "-la", "src"}},
		{name: "newlines separate", line: "echo a\nb\r\nc", want: []string{"echo", "a", "b", "c"}},
		{name: "empty line", line: " \t\n", want: nil},
		{name: "single quotes keep everything", line: `echo 'a  "b" \n $HOME $(id) *'`, want: []string{"echo", `a  "b" \n $HOME $(id) *`}},
		{name: "double quotes", line: `echo "a  b" "say \"hi\"" "back\\slash" "keep \n"`, want: []string{"echo", "a  b", `say "hi"`, `back\slash`, `keep \n`}},
		{name: "double quotes keep dollar", line: `echo "$SECRET ${SECRET}" "\$x"`, want: []string{"echo", "$SECRET ${SECRET}", "$x"}},
		{name: "quotes join a word", line: `a'b c'"d e"f`, want: []string{"ab cd ef"}},
		{name: "backslash space", line: `cat my\ file.txt`, want: []string{"cat", "my file.txt"}},
		{name: "backslash quote", line: `echo \'x\" \\`, want: []string{"echo", `'x"`, `\`}},
		{name: "backslash newline continues", line: "echo a\\\nb", want: []string{"echo", "ab"}},
		{name: "dollar var literal", line: "echo $SECRET", want: []string{"echo", "$SECRET"}},
		{name: "braced var literal", line: "echo ${SECRET}", want: []string{"echo", "${SECRET}"}},
		{name: "command substitution literal", line: "echo $(id)", want: []string{"echo", "$(id)"}},
		{name: "backticks literal", line: "echo `id`", want: []string{"echo", "`id`"}},
		{name: "tilde literal", line: "ls ~/x ~", want: []string{"ls", "~/x", "~"}},
		{name: "glob literal", line: "ls *.go src/?.go [ab]", want: []string{"ls", "*.go", "src/?.go", "[ab]"}},
		{name: "empty arguments", line: `printf '' "" x`, want: []string{"printf", "", "", "x"}},
		{name: "sh -c keeps its script", line: `sh -c 'echo $HOME'`, want: []string{"sh", "-c", "echo $HOME"}},
		{name: "unbalanced single quote", line: "echo 'abc", err: "single quote"},
		{name: "unbalanced double quote", line: `echo "abc`, err: "double quote"},
		{name: "escaped quote does not close", line: `echo "abc\"`, err: "double quote"},
		{name: "trailing backslash", line: `echo abc\`, err: "backslash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := capability.SplitCommandLine(tc.line)
			if tc.err != "" {
				if !errors.Is(err, capability.ErrBadRequest) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("capability.SplitCommandLine(%q) = %q, %v; want an capability.ErrBadRequest about %q", tc.line, got, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("capability.SplitCommandLine(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
			}
		})
	}
}

// TestSplitCommandLineIgnoresEnvironment: the Studio's own environment never
// reaches a model's argv.
func TestSplitCommandLineIgnoresEnvironment(t *testing.T) {
	t.Setenv("ICE_TEST_SECRET", "s3cr3t")
	t.Setenv("HOME", "/home/s3cr3t")
	for _, line := range []string{"echo $ICE_TEST_SECRET", `echo "$ICE_TEST_SECRET"`, "echo ${ICE_TEST_SECRET}", "echo ~"} {
		argv, err := capability.SplitCommandLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(argv, " "), "s3cr3t") {
			t.Errorf("capability.SplitCommandLine(%q) = %q: expanded from the Studio's environment", line, argv)
		}
	}
	argv, _ := capability.SplitCommandLine("echo $ICE_TEST_SECRET")
	if !reflect.DeepEqual(argv, []string{"echo", "$ICE_TEST_SECRET"}) {
		t.Errorf("argv = %q, want [echo $ICE_TEST_SECRET]", argv)
	}
	// The error for a bad line quotes the model's text, not an expansion.
	_, err := capability.SplitCommandLine(`echo "$ICE_TEST_SECRET`)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("err = %v", err)
	}
}
