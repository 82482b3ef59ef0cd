package ollama

import (
	"strings"
	"testing"
)

func TestWindowFor(t *testing.T) {
	m := Model{Name: "big", ContextLength: 32768, KVBytesPerToken: 128 << 10, Size: 4 << 30} // 128 KiB a token, 4 GiB of weights
	for _, c := range []struct {
		want int
		mem  int64
		got  int
		why  string
	}{
		{0, 0, DefaultWindow, ""},                    // the default, memory unknown
		{16384, 0, 16384, ""},                        // the user's setting
		{65536, 0, 32768, "trained for 32768"},       // within the trained length
		{16384, 16 << 30, 16384, ""},                 // 8 GiB free for the model: 4 GiB of cache hold 32k tokens
		{16384, 10 << 30, 8192, "free memory holds"}, // (10 GiB / 2 − 4 GiB) / 128 KiB = 8192 tokens
		{16384, 8 << 30, MinWindow, "free memory"},   // no room at all: the smallest window, and why
	} {
		got, why := WindowFor(m, c.want, c.mem)
		if got != c.got || (c.why == "" && why != "") || !strings.Contains(why, c.why) {
			t.Errorf("WindowFor(want %d, mem %d) = %d %q; want %d %q", c.want, c.mem, got, why, c.got, c.why)
		}
	}
	if got, _ := WindowFor(Model{Name: "small", ContextLength: 2048}, 0, 1<<40); got != 2048 {
		t.Errorf("a model trained for 2048: %d", got)
	}
}

func TestKVBytesPerToken(t *testing.T) {
	info := map[string]any{"llama.block_count": 32.0, "llama.embedding_length": 4096.0, "llama.attention.head_count": 32.0,
		"llama.attention.head_count_kv": 8.0, "llama.context_length": 131072.0}
	// K and V, 32 layers, 8 KV heads of 128, f16: 128 KiB.
	if got := kvBytesPerToken(info); got != 2*32*8*128*2 {
		t.Fatalf("kvBytesPerToken = %d", got)
	}
	if got := kvBytesPerToken(map[string]any{}); got != 0 {
		t.Fatalf("unknown shape: %d", got)
	}
}
