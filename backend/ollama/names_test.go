package ollama

import "testing"

func TestNormalName(t *testing.T) {
	for _, c := range []struct{ in, normal, display string }{
		{"nomic-embed-text", "nomic-embed-text:latest", "nomic-embed-text"},
		{"nomic-embed-text:latest", "nomic-embed-text:latest", "nomic-embed-text"},
		{"  nomic-embed-text  ", "nomic-embed-text:latest", "nomic-embed-text"},
		{"llama3.2:1b", "llama3.2:1b", "llama3.2:1b"},
		{"me/model", "me/model:latest", "me/model"},
		{"localhost:5000/me/model", "localhost:5000/me/model:latest", "localhost:5000/me/model"},
		{"localhost:5000/me/model:q4", "localhost:5000/me/model:q4", "localhost:5000/me/model:q4"},
		{"", "", ""},
	} {
		if got := NormalName(c.in); got != c.normal {
			t.Errorf("NormalName(%q) = %q, want %q", c.in, got, c.normal)
		}
		if got := DisplayName(c.in); got != c.display {
			t.Errorf("DisplayName(%q) = %q, want %q", c.in, got, c.display)
		}
	}
	if !SameModel("nomic-embed-text", "nomic-embed-text:latest") || SameModel("llama3.2", "llama3.2:1b") || SameModel("", "") {
		t.Error("SameModel compares normal names, and an empty name is no model")
	}
	ms := []Model{{Name: "tiny:latest"}, {Name: "llama3.2:1b"}}
	if got := Installed(ms, "tiny"); got != "tiny:latest" {
		t.Errorf("Installed(tiny) = %q", got)
	}
	if got := Installed(ms, "ghost"); got != "ghost" {
		t.Errorf("Installed(ghost) = %q", got)
	}
}

func TestFitIn(t *testing.T) {
	const gib = int64(1) << 30
	m := Model{Name: "m", Size: 4 * gib, KVBytesPerToken: 128 << 10} // 8192 tokens of cache: 1 GiB
	for _, c := range []struct {
		name string
		mem  Memory
		held int64
		want string
	}{
		{"plenty free", Memory{Total: 32 * gib, Available: 16 * gib}, 0, FitOK},
		{"more than 3/4 of what is free", Memory{Total: 32 * gib, Available: 6 * gib}, 0, FitTight},
		{"not free now, but the machine has it", Memory{Total: 8 * gib, Available: 2 * gib}, 0, FitTight},
		{"loaded: its own memory counts as free for it", Memory{Total: 16 * gib, Available: 2 * gib}, 5 * gib, FitOK},
		{"more than the machine has", Memory{Total: 4 * gib, Available: 3 * gib}, 0, FitNo},
		{"memory unknown", Memory{}, 0, FitUnknown},
	} {
		f := FitIn(m, 8192, c.mem, c.held)
		if f.Verdict != c.want {
			t.Errorf("%s: %+v, want %s", c.name, f, c.want)
		}
		if f.KVCache != gib || f.Need != 5*gib || f.Window != 8192 {
			t.Errorf("%s: cache %d need %d window %d", c.name, f.KVCache, f.Need, f.Window)
		}
	}
	if f := FitIn(m, 8192, Memory{Total: 8 * gib, Available: 6 * gib}, 5*gib); f.Available != 8*gib {
		t.Errorf("what a loaded model holds is free for it, up to the machine's total: %+v", f)
	}
	if f := FitIn(Model{Name: "nosize"}, 8192, Memory{Total: gib, Available: gib}, 0); f.Verdict != FitUnknown {
		t.Errorf("a model of unknown size: %+v", f)
	}
}
