package tinymodel_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/ollama/ollama/fs/ggml"

	"github.com/ice-studio/ice-studio/backend/internal/tinymodel"
)

func mustWrite(tb testing.TB, seed int64) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := tinymodel.WriteGGUF(&b, seed); err != nil {
		tb.Fatalf("WriteGGUF(%d): %v", seed, err)
	}
	return b.Bytes()
}

func TestWriteGGUFIsDeterministic(t *testing.T) {
	a, b, c := mustWrite(t, 7), mustWrite(t, 7), mustWrite(t, 8)
	if !bytes.Equal(a, b) {
		t.Error("WriteGGUF(7) twice gave different bytes")
	}
	if len(a) != len(c) {
		t.Fatalf("WriteGGUF(7) is %d bytes, WriteGGUF(8) %d: only the weights should differ", len(a), len(c))
	}
	if bytes.Equal(a, c) {
		t.Error("WriteGGUF(7) and WriteGGUF(8) gave the same bytes")
	}
}

// TestWriteGGUFParsesBack reads the file with a reader written from the
// GGUF v3 spec, independent of the writer.
func TestWriteGGUFParsesBack(t *testing.T) {
	raw := mustWrite(t, 1)
	f, err := parseGGUF(raw)
	if err != nil {
		t.Fatalf("parse the written GGUF: %v", err)
	}
	if f.version != 3 {
		t.Errorf("version = %d, want 3", f.version)
	}

	tokens, _, types := tinymodel.Vocabulary()
	vocab := uint64(len(tokens))
	for key, want := range map[string]any{
		"general.architecture":                   "llama",
		"general.file_type":                      uint32(1),
		"general.alignment":                      uint32(tinymodel.Alignment),
		"llama.context_length":                   uint32(tinymodel.ContextLength),
		"llama.embedding_length":                 uint32(tinymodel.EmbeddingLength),
		"llama.block_count":                      uint32(tinymodel.BlockCount),
		"llama.feed_forward_length":              uint32(tinymodel.FeedForwardLength),
		"llama.attention.head_count":             uint32(tinymodel.HeadCount),
		"llama.attention.head_count_kv":          uint32(tinymodel.HeadCountKV),
		"llama.attention.layer_norm_rms_epsilon": float32(1e-5),
		"llama.rope.dimension_count":             uint32(tinymodel.EmbeddingLength / tinymodel.HeadCount),
		"llama.vocab_size":                       uint32(vocab),
		"tokenizer.ggml.model":                   "llama",
		"tokenizer.ggml.bos_token_id":            uint32(tinymodel.BOSID),
		"tokenizer.ggml.eos_token_id":            uint32(tinymodel.EOSID),
		"tokenizer.ggml.unknown_token_id":        uint32(tinymodel.UnknownID),
	} {
		if got, ok := f.kv[key]; !ok {
			t.Errorf("metadata %s is missing", key)
		} else if got != want {
			t.Errorf("metadata %s = %#v, want %#v", key, got, want)
		}
	}
	gotTokens, _ := f.kv["tokenizer.ggml.tokens"].([]any)
	gotScores, _ := f.kv["tokenizer.ggml.scores"].([]any)
	gotTypes, _ := f.kv["tokenizer.ggml.token_type"].([]any)
	if uint64(len(gotTokens)) != vocab || uint64(len(gotScores)) != vocab || uint64(len(gotTypes)) != vocab {
		t.Fatalf("tokens/scores/types have %d/%d/%d entries, want %d each", len(gotTokens), len(gotScores), len(gotTypes), vocab)
	}
	seen := map[string]bool{}
	for i, tok := range gotTokens {
		s := tok.(string)
		if seen[s] {
			t.Errorf("token %q appears twice (llama.cpp requires unique tokens)", s)
		}
		seen[s] = true
		if _, ok := gotScores[i].(float32); !ok {
			t.Fatalf("score %d is %T, want float32", i, gotScores[i])
		}
		if gotTypes[i] != types[i] {
			t.Errorf("token_type[%d] = %v, want %v", i, gotTypes[i], types[i])
		}
	}
	for i, want := range []string{"<unk>", "<s>", "</s>"} {
		if gotTokens[i] != want {
			t.Errorf("token %d = %q, want %q", i, gotTokens[i], want)
		}
	}
	for b := 0; b < 256; b++ {
		if tok := fmt.Sprintf("<0x%02X>", b); !seen[tok] {
			t.Errorf("byte token %s is missing: SPM byte fallback needs all 256", tok)
		}
	}
	for _, tok := range []string{"▁", "▁the", "▁file", "name"} {
		if !seen[tok] {
			t.Errorf("piece %q is missing", tok)
		}
	}

	e, ff := uint64(tinymodel.EmbeddingLength), uint64(tinymodel.FeedForwardLength)
	want := map[string][]uint64{
		"token_embd.weight":  {e, vocab},
		"output_norm.weight": {e},
		"output.weight":      {e, vocab},
	}
	for i := 0; i < tinymodel.BlockCount; i++ {
		for name, dims := range map[string][]uint64{
			"attn_norm": {e}, "attn_q": {e, e}, "attn_k": {e, e}, "attn_v": {e, e}, "attn_output": {e, e},
			"ffn_norm": {e}, "ffn_gate": {e, ff}, "ffn_up": {e, ff}, "ffn_down": {ff, e},
		} {
			want[fmt.Sprintf("blk.%d.%s.weight", i, name)] = dims
		}
	}
	if len(f.tensors) != len(want) {
		t.Errorf("%d tensors, want %d", len(f.tensors), len(want))
	}
	if f.dataStart%tinymodel.Alignment != 0 {
		t.Errorf("tensor data starts at %d, not a multiple of %d", f.dataStart, tinymodel.Alignment)
	}
	end := uint64(0)
	for _, ti := range f.tensors {
		if fmt.Sprint(ti.dims) != fmt.Sprint(want[ti.name]) {
			t.Errorf("tensor %s has dims %v, want %v", ti.name, ti.dims, want[ti.name])
		}
		wantType := uint32(1) // F16 matrices
		if len(ti.dims) == 1 {
			wantType = 0 // F32 norms
		}
		if ti.typ != wantType {
			t.Errorf("tensor %s has type %d, want %d", ti.name, ti.typ, wantType)
		}
		if ti.offset%tinymodel.Alignment != 0 {
			t.Errorf("tensor %s at offset %d, not aligned to %d", ti.name, ti.offset, tinymodel.Alignment)
		}
		if ti.offset < end {
			t.Errorf("tensor %s at offset %d overlaps the previous one, which ends at %d", ti.name, ti.offset, end)
		}
		end = ti.offset + ti.size()
	}
	if got, min := uint64(len(raw)), f.dataStart+end; got < min || got >= min+tinymodel.Alignment {
		t.Errorf("file is %d bytes, want the tensor data's end %d padded to %d", got, min, tinymodel.Alignment)
	}

	// Norms are ones; the output head scores only normal tokens.
	norm := f.tensor(t, raw, "output_norm.weight")
	if v := math.Float32frombits(binary.LittleEndian.Uint32(norm)); v != 1 {
		t.Errorf("output_norm.weight[0] = %v, want 1", v)
	}
	head := f.tensor(t, raw, "output.weight")
	rowBytes := int(e) * 2
	for id, typ := range types {
		row := head[id*rowBytes : (id+1)*rowBytes]
		zero := bytes.Count(row, []byte{0}) == len(row)
		if (typ == tinymodel.TokenNormal) == zero {
			t.Errorf("output.weight row of token %d (%q, type %d): all zero = %v", id, tokens[id], typ, zero)
		}
	}
	embd := f.tensor(t, raw, "token_embd.weight")
	if bytes.Count(embd, []byte{0}) > len(embd)/4 {
		t.Errorf("token_embd.weight is mostly zero bytes: the weights are not random")
	}
}

// TestOllamaDecodesIt checks the file with Ollama's own GGUF decoder, which
// reads metadata by type: an integer written with another width would read
// as missing.
func TestOllamaDecodesIt(t *testing.T) {
	raw := mustWrite(t, 1)
	g, err := ggml.Decode(bytes.NewReader(raw), -1)
	if err != nil {
		t.Fatalf("ggml.Decode: %v", err)
	}
	kv := g.KV()
	tokens, _, _ := tinymodel.Vocabulary()
	checks := []struct {
		what      string
		got, want any
	}{
		{"Architecture", kv.Architecture(), "llama"},
		{"FileType", kv.FileType().String(), "F16"},
		{"BlockCount", kv.BlockCount(), uint64(tinymodel.BlockCount)},
		{"EmbeddingLength", kv.EmbeddingLength(), uint64(tinymodel.EmbeddingLength)},
		{"HeadCountMax", kv.HeadCountMax(), uint64(tinymodel.HeadCount)},
		{"HeadCountKVMax", kv.HeadCountKVMax(), uint64(tinymodel.HeadCountKV)},
		{"ContextLength", kv.ContextLength(), uint64(tinymodel.ContextLength)},
		{"tokens", len(kv.Strings("tokenizer.ggml.tokens")), len(tokens)},
		{"tensors", len(g.Tensors().Items()), 3 + 9*tinymodel.BlockCount},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("Ollama reads %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if got, want := kv.ParameterCount(), tinymodel.ParameterCount(); got != want {
		t.Errorf("Ollama counts %d parameters, ParameterCount() = %d", got, want)
	}
}

// gguf is a parsed GGUF file: metadata values by key (arrays as []any) and
// tensor infos.
type gguf struct {
	version   uint32
	kv        map[string]any
	tensors   []tensorInfo
	dataStart uint64
}

type tensorInfo struct {
	name   string
	dims   []uint64
	typ    uint32
	offset uint64
}

func (ti tensorInfo) size() uint64 {
	n := uint64(map[uint32]uint64{0: 4, 1: 2}[ti.typ])
	for _, d := range ti.dims {
		n *= d
	}
	return n
}

func (f *gguf) tensor(tb testing.TB, raw []byte, name string) []byte {
	tb.Helper()
	for _, ti := range f.tensors {
		if ti.name == name {
			start := f.dataStart + ti.offset
			return raw[start : start+ti.size()]
		}
	}
	tb.Fatalf("no tensor %s", name)
	return nil
}

func parseGGUF(raw []byte) (*gguf, error) {
	r := &reader{b: raw}
	if magic := string(r.bytes(4)); magic != "GGUF" {
		return nil, fmt.Errorf("magic %q", magic)
	}
	f := &gguf{version: r.u32(), kv: map[string]any{}}
	nTensors, nKV := r.u64(), r.u64()
	for i := uint64(0); i < nKV && r.err == nil; i++ {
		key := r.str()
		f.kv[key] = r.value(r.u32())
	}
	for i := uint64(0); i < nTensors && r.err == nil; i++ {
		ti := tensorInfo{name: r.str()}
		nDims := r.u32()
		for d := uint32(0); d < nDims; d++ {
			ti.dims = append(ti.dims, r.u64())
		}
		ti.typ, ti.offset = r.u32(), r.u64()
		f.tensors = append(f.tensors, ti)
	}
	align := uint64(32)
	if a, ok := f.kv["general.alignment"].(uint32); ok {
		align = uint64(a)
	}
	f.dataStart = (uint64(r.off) + align - 1) / align * align
	if r.err == nil && bytes.Count(raw[r.off:f.dataStart], []byte{0}) != int(f.dataStart)-r.off {
		return nil, fmt.Errorf("the padding before the tensor data is not zeros")
	}
	return f, r.err
}

// reader decodes little-endian GGUF values, remembering the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.b) {
		if r.err == nil {
			r.err = io.ErrUnexpectedEOF
		}
		return make([]byte, max(n, 0))
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.bytes(8)) }
func (r *reader) str() string { return string(r.bytes(int(r.u64()))) }

func (r *reader) value(typ uint32) any {
	switch typ {
	case 0:
		return r.bytes(1)[0]
	case 4:
		return r.u32()
	case 5:
		return int32(r.u32())
	case 6:
		return math.Float32frombits(r.u32())
	case 7:
		return r.bytes(1)[0] != 0
	case 8:
		return r.str()
	case 9:
		elem, n := r.u32(), r.u64()
		var vs []any
		for i := uint64(0); i < n && r.err == nil; i++ {
			vs = append(vs, r.value(elem))
		}
		return vs
	case 10:
		return r.u64()
	}
	if r.err == nil {
		r.err = fmt.Errorf("unknown value type %d at byte %d", typ, r.off)
	}
	return nil
}

const call = `{"name":"read_file","arguments":{"path":"README.md"}}`

func mustWriteToolCaller(tb testing.TB, seed int64, call string) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := tinymodel.WriteToolCaller(&b, seed, call); err != nil {
		tb.Fatalf("WriteToolCaller(%d, %q): %v", seed, call, err)
	}
	return b.Bytes()
}

func TestWriteToolCallerIsDeterministic(t *testing.T) {
	a, b := mustWriteToolCaller(t, 7, call), mustWriteToolCaller(t, 7, call)
	if !bytes.Equal(a, b) {
		t.Error("WriteToolCaller(7, call) twice gave different bytes")
	}
	if c := mustWriteToolCaller(t, 8, call); bytes.Equal(a, c) {
		t.Error("WriteToolCaller with seeds 7 and 8 gave the same bytes")
	}
	if c := mustWriteToolCaller(t, 7, `{"name":"list_dir","arguments":{}}`); bytes.Equal(a, c) {
		t.Error("WriteToolCaller with two calls gave the same bytes")
	}
	if bytes.Equal(a, mustWrite(t, 7)) {
		t.Error("WriteToolCaller(7) and WriteGGUF(7) gave the same bytes")
	}
}

func TestToolCallerVocabulary(t *testing.T) {
	base, _, _ := tinymodel.Vocabulary()
	tokens, scores, types, err := tinymodel.ToolCallerVocabulary("call me maybe")
	if err != nil {
		t.Fatalf("ToolCallerVocabulary(%q): %v", "call me maybe", err)
	}
	if len(tokens) != len(base)+1 || len(scores) != len(tokens) || len(types) != len(tokens) {
		t.Fatalf("ToolCallerVocabulary: %d/%d/%d tokens/scores/types, want %d each", len(tokens), len(scores), len(types), len(base)+1)
	}
	if got := tokens[len(tokens)-1]; got != "call▁me▁maybe" || types[len(types)-1] != tinymodel.TokenNormal {
		t.Errorf("the call token is %q of type %d, want %q (spaces as SPM spells them) of type %d",
			got, types[len(types)-1], "call▁me▁maybe", tinymodel.TokenNormal)
	}
	for _, c := range []struct{ call, why string }{
		{"", "empty"},
		{"the", "already a piece"},
		{"ab", "two characters the tokenizer merges"},
		{"▁file", "already a piece"},
		{"the▁file", "two pieces the tokenizer merges"},
	} {
		if _, _, _, err := tinymodel.ToolCallerVocabulary(c.call); !errors.Is(err, tinymodel.ErrBadCall) {
			t.Errorf("ToolCallerVocabulary(%q) (%s) = %v, want ErrBadCall", c.call, c.why, err)
		}
	}
	if err := tinymodel.WriteToolCaller(io.Discard, 1, ""); !errors.Is(err, tinymodel.ErrBadCall) {
		t.Errorf("WriteToolCaller with an empty call = %v, want ErrBadCall", err)
	}
}

// TestWriteToolCallerParsesBack reads the tool caller back and runs its
// network by hand: the blocks add nothing to the residual stream, so the
// next token is the output head applied to the normalised embedding of the
// current one, and it must be the call after every token but the call,
// and </s> after the call.
func TestWriteToolCallerParsesBack(t *testing.T) {
	raw := mustWriteToolCaller(t, 1, call)
	f, err := parseGGUF(raw)
	if err != nil {
		t.Fatalf("parse the written GGUF: %v", err)
	}
	tokens, _, types, err := tinymodel.ToolCallerVocabulary(call)
	if err != nil {
		t.Fatal(err)
	}
	callID := len(tokens) - 1
	if f.version != 3 || f.kv["general.name"] != tinymodel.ToolCallerName || f.kv["llama.vocab_size"] != uint32(len(tokens)) {
		t.Errorf("version %d, name %v, vocab_size %v; want 3, %s, %d", f.version, f.kv["general.name"], f.kv["llama.vocab_size"], tinymodel.ToolCallerName, len(tokens))
	}
	gotTokens, _ := f.kv["tokenizer.ggml.tokens"].([]any)
	gotTypes, _ := f.kv["tokenizer.ggml.token_type"].([]any)
	if len(gotTokens) != len(tokens) || len(gotTypes) != len(tokens) {
		t.Fatalf("%d tokens and %d types, want %d", len(gotTokens), len(gotTypes), len(tokens))
	}
	if gotTokens[callID] != call || gotTypes[callID] != int32(tinymodel.TokenNormal) {
		t.Errorf("last token %q of type %v, want the call %q, a normal token", gotTokens[callID], gotTypes[callID], call)
	}
	seen := map[string]bool{}
	for _, tok := range gotTokens {
		if seen[tok.(string)] {
			t.Errorf("token %q appears twice", tok)
		}
		seen[tok.(string)] = true
	}
	for b := 0; b < 256; b++ {
		if tok := fmt.Sprintf("<0x%02X>", b); !seen[tok] {
			t.Errorf("byte token %s is missing", tok)
		}
	}

	e := tinymodel.EmbeddingLength
	for _, ti := range f.tensors {
		data := f.tensor(t, raw, ti.name)
		zero := bytes.Count(data, []byte{0}) == len(data)
		if strings.HasSuffix(ti.name, ".attn_output.weight") || strings.HasSuffix(ti.name, ".ffn_down.weight") {
			if !zero {
				t.Errorf("%s is not all zero: the block adds to the residual stream", ti.name)
			}
		} else if zero {
			t.Errorf("%s is all zero", ti.name)
		}
		if want := map[uint32]uint32{1: 0, 2: 1}[uint32(len(ti.dims))]; ti.typ != want {
			t.Errorf("tensor %s has type %d, want %d", ti.name, ti.typ, want)
		}
	}
	embd, head := halfs(f.tensor(t, raw, "token_embd.weight")), halfs(f.tensor(t, raw, "output.weight"))
	if len(embd) != e*len(tokens) || len(head) != e*len(tokens) {
		t.Fatalf("token_embd has %d values, output %d; want %d each", len(embd), len(head), e*len(tokens))
	}
	for tok := range tokens {
		x := embd[tok*e : (tok+1)*e]
		var ss float64
		for _, v := range x {
			ss += v * v
		}
		scale := 1 / math.Sqrt(ss/float64(e)+1e-5) // RMS norm; output_norm is ones
		best, second, bestID := math.Inf(-1), math.Inf(-1), -1
		for id := range tokens {
			var logit float64
			for d, w := range head[id*e : (id+1)*e] {
				logit += w * x[d] * scale
			}
			switch {
			case logit > best:
				best, second, bestID = logit, best, id
			case logit > second:
				second = logit
			}
		}
		want := callID
		if tok == callID {
			want = tinymodel.EOSID
		}
		if bestID != want || best-second < 20 {
			t.Errorf("after token %d (%q) the network picks %d (%q) by %.1f over the next, want %d (%q) by 20 or more",
				tok, tokens[tok], bestID, tokens[bestID], best-second, want, tokens[want])
		}
	}
	if types[tinymodel.EOSID] != tinymodel.TokenControl {
		t.Errorf("</s> is of type %d, want control", types[tinymodel.EOSID])
	}

	// Ollama's own decoder reads it too.
	g, err := ggml.Decode(bytes.NewReader(raw), -1)
	if err != nil {
		t.Fatalf("ggml.Decode: %v", err)
	}
	if kv := g.KV(); kv.Architecture() != "llama" || len(kv.Strings("tokenizer.ggml.tokens")) != len(tokens) {
		t.Errorf("Ollama reads architecture %q and %d tokens, want llama and %d", kv.Architecture(), len(kv.Strings("tokenizer.ggml.tokens")), len(tokens))
	}
}

// halfs decodes little-endian IEEE half-precision values.
func halfs(b []byte) []float64 {
	out := make([]float64, len(b)/2)
	for i := range out {
		h := binary.LittleEndian.Uint16(b[2*i:])
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp, mant := int(h>>10&0x1f), float64(h&0x3ff)
		switch exp {
		case 0:
			out[i] = sign * mant / 1024 * math.Pow(2, -14)
		case 31:
			out[i] = math.NaN()
		default:
			out[i] = sign * (1 + mant/1024) * math.Pow(2, float64(exp-15))
		}
	}
	return out
}
