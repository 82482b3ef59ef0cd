// Package tinymodel writes a tiny random-weight LLaMA model as GGUF (v3), so
// tests can run a real Ollama server without downloading weights. The same
// seed always gives the same bytes: the weights come from a fixed generator
// (splitmix64), not from math/rand, whose streams may change between Go
// releases.
//
// The model is what llama.cpp's "llama" architecture expects: an SPM
// (sentencepiece) vocabulary of <unk>, <s>, </s>, the 256 byte tokens, the
// printable ASCII characters, "▁" and a few hundred word pieces, and F16
// matrices with F32 norms. Its output head only scores word pieces: it never
// emits a control or byte token, so its answers are printable ASCII and end
// only when num_predict caps them.
//
// WriteToolCaller writes a second model of the same shape whose answer is
// always one given text (a tool call) and then </s> (see toolcaller.go).
package tinymodel

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// The model's shape: small enough that a CPU answers in milliseconds.
const (
	Architecture      = "llama"
	Name              = "ice-tiny"
	ContextLength     = 8192
	EmbeddingLength   = 64
	BlockCount        = 2
	HeadCount         = 4
	HeadCountKV       = 4
	FeedForwardLength = 128
	Alignment         = 32
)

// Special token ids, as llama.cpp's SPM vocabulary defaults them.
const (
	UnknownID = 0
	BOSID     = 1
	EOSID     = 2
)

// Token types of tokenizer.ggml.token_type (llama.cpp's llama_token_type).
const (
	TokenNormal  = 1
	TokenUnknown = 2
	TokenControl = 3
	TokenByte    = 6
)

// GGUF value and tensor types used here.
const (
	typeUint32  = 4
	typeInt32   = 5
	typeFloat32 = 6
	typeBool    = 7
	typeString  = 8
	typeArray   = 9

	tensorF32 = 0
	tensorF16 = 1
)

// fileTypeF16 is general.file_type "mostly F16"; Ollama shows it as the
// quantization level.
const fileTypeF16 = 1

// words become vocabulary pieces, with and without the "▁" that marks a
// word start, so common prompt text does not tokenise byte by byte.
var words = []string{
	"the", "and", "to", "of", "a", "in", "is", "it", "you", "that", "for", "on", "with", "as", "this", "be",
	"are", "or", "not", "can", "at", "by", "from", "an", "if", "do", "we", "will", "all", "one", "your",
	"file", "files", "read", "write", "name", "path", "paths", "arguments", "function", "functions", "type",
	"object", "string", "number", "integer", "boolean", "array", "description", "properties", "required",
	"tool", "tools", "user", "assistant", "system", "content", "role", "result", "error", "hello", "world",
	"workspace", "search", "list", "run", "command", "text", "line", "lines", "code", "test", "tests",
	"answer", "question", "call", "calls", "value", "true", "false", "null", "json", "go", "main", "package",
	"import", "return", "func", "use", "help", "please", "what", "how", "why", "which", "when", "where",
}

// Vocabulary returns the model's tokens with their scores and types, in id
// order.
func Vocabulary() (tokens []string, scores []float32, types []int32) {
	seen := map[string]bool{}
	add := func(tok string, score float32, typ int32) {
		if seen[tok] {
			return
		}
		seen[tok] = true
		tokens, scores, types = append(tokens, tok), append(scores, score), append(types, typ)
	}
	add("<unk>", 0, TokenUnknown)
	add("<s>", 0, TokenControl)
	add("</s>", 0, TokenControl)
	for b := 0; b < 256; b++ {
		add(fmt.Sprintf("<0x%02X>", b), 0, TokenByte)
	}
	add("▁", 0, TokenNormal)
	for c := byte('!'); c <= '~'; c++ {
		add(string(c), 0, TokenNormal)
	}
	// SPM merges adjacent pieces whose concatenation is in the vocabulary,
	// best score first, so every prefix of a piece must be a piece too;
	// longer pieces score higher so whole words win.
	for _, w := range words {
		for _, word := range []string{"▁" + w, w} {
			for i := len(word) - len(w) + 1; i <= len(word); i++ {
				add(word[:i], float32(len(word[:i]))-float32(len(tokens))/1e4, TokenNormal)
			}
		}
	}
	return tokens, scores, types
}

// ParameterCount returns the number of weights, as Ollama counts them for
// a model's parameter size.
func ParameterCount() uint64 {
	tokens, _, _ := Vocabulary()
	var n uint64
	for _, t := range tensorLayout(uint64(len(tokens))) {
		n += t.elems()
	}
	return n
}

// WriteGGUF writes the model with weights drawn from seed: the same seed
// gives the same bytes, another seed other weights.
func WriteGGUF(w io.Writer, seed int64) error {
	tokens, scores, types := Vocabulary()
	// The output head's rows of tokens that are not word pieces stay zero,
	// so those tokens never win the argmax.
	shape := func(t tensor, i uint64, v float32) float32 {
		if t.name == "output.weight" && types[i/t.dims[0]] != TokenNormal {
			return 0
		}
		return v
	}
	return write(w, Name, tokens, scores, types, seed, shape)
}

// write writes a GGUF of the model's shape with the given vocabulary. Each
// weight is drawn from seed (uniform in [-scale, scale), or 1 for norms)
// and then passed through shape with its tensor and index, which returns
// the value written: every weight draws from the generator, whatever
// shape keeps, so a model's bytes depend only on its seed and shape.
func write(w io.Writer, name string, tokens []string, scores []float32, types []int32, seed int64, shape func(t tensor, i uint64, v float32) float32) error {
	vocab := uint64(len(tokens))
	headDim := uint32(EmbeddingLength / HeadCount)

	var b []byte
	b = append(b, "GGUF"...)
	b = binary.LittleEndian.AppendUint32(b, 3)

	tensors := tensorLayout(vocab)
	kvs := []kv{
		{"general.architecture", str(Architecture)},
		{"general.name", str(name)},
		{"general.file_type", u32(fileTypeF16)},
		{"general.alignment", u32(Alignment)},
		{Architecture + ".vocab_size", u32(uint32(vocab))},
		{Architecture + ".context_length", u32(ContextLength)},
		{Architecture + ".embedding_length", u32(EmbeddingLength)},
		{Architecture + ".block_count", u32(BlockCount)},
		{Architecture + ".feed_forward_length", u32(FeedForwardLength)},
		{Architecture + ".attention.head_count", u32(HeadCount)},
		{Architecture + ".attention.head_count_kv", u32(HeadCountKV)},
		{Architecture + ".attention.layer_norm_rms_epsilon", f32(1e-5)},
		{Architecture + ".rope.dimension_count", u32(headDim)},
		{Architecture + ".rope.freq_base", f32(10000)},
		{"tokenizer.ggml.model", str("llama")},
		{"tokenizer.ggml.tokens", strs(tokens)},
		{"tokenizer.ggml.scores", f32s(scores)},
		{"tokenizer.ggml.token_type", i32s(types)},
		{"tokenizer.ggml.unknown_token_id", u32(UnknownID)},
		{"tokenizer.ggml.bos_token_id", u32(BOSID)},
		{"tokenizer.ggml.eos_token_id", u32(EOSID)},
		{"tokenizer.ggml.add_bos_token", boolean(true)},
		{"tokenizer.ggml.add_eos_token", boolean(false)},
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(tensors)))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(kvs)))
	for _, e := range kvs {
		b = appendString(b, e.key)
		b = e.value(b)
	}

	var offset uint64
	for i := range tensors {
		t := &tensors[i]
		t.offset = offset
		offset = align(offset + t.size())
		b = appendString(b, t.name)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.dims)))
		for _, d := range t.dims {
			b = binary.LittleEndian.AppendUint64(b, d)
		}
		b = binary.LittleEndian.AppendUint32(b, t.typ)
		b = binary.LittleEndian.AppendUint64(b, t.offset)
	}
	b = pad(b)

	rng := splitmix64(uint64(seed))
	for _, t := range tensors {
		b = t.fill(b, &rng, shape)
		b = pad(b)
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// tensor is one weight: its name, dims in ggml order (ne0, the contiguous
// one, first), type, and how its values are drawn.
type tensor struct {
	name   string
	dims   []uint64
	typ    uint32
	scale  float32 // values are uniform in [-scale, scale); 0: all ones (norms)
	offset uint64
}

func (t tensor) elems() uint64 {
	n := uint64(1)
	for _, d := range t.dims {
		n *= d
	}
	return n
}

func (t tensor) size() uint64 {
	if t.typ == tensorF16 {
		return 2 * t.elems()
	}
	return 4 * t.elems()
}

func tensorLayout(vocab uint64) []tensor {
	const e, ff = EmbeddingLength, FeedForwardLength
	lin := func(in uint64) float32 { return float32(math.Sqrt(3 / float64(in))) } // unit variance through a layer
	ts := []tensor{
		{name: "token_embd.weight", dims: []uint64{e, vocab}, typ: tensorF16, scale: 1},
		{name: "output_norm.weight", dims: []uint64{e}, typ: tensorF32},
		{name: "output.weight", dims: []uint64{e, vocab}, typ: tensorF16, scale: 4 * lin(e)},
	}
	for i := 0; i < BlockCount; i++ {
		blk := fmt.Sprintf("blk.%d.", i)
		ts = append(ts,
			tensor{name: blk + "attn_norm.weight", dims: []uint64{e}, typ: tensorF32},
			tensor{name: blk + "attn_q.weight", dims: []uint64{e, e}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "attn_k.weight", dims: []uint64{e, e / HeadCount * HeadCountKV}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "attn_v.weight", dims: []uint64{e, e / HeadCount * HeadCountKV}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "attn_output.weight", dims: []uint64{e, e}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "ffn_norm.weight", dims: []uint64{e}, typ: tensorF32},
			tensor{name: blk + "ffn_gate.weight", dims: []uint64{e, ff}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "ffn_up.weight", dims: []uint64{e, ff}, typ: tensorF16, scale: lin(e)},
			tensor{name: blk + "ffn_down.weight", dims: []uint64{ff, e}, typ: tensorF16, scale: lin(ff)},
		)
	}
	return ts
}

// fill appends the tensor's values: drawn from rng, then shaped.
func (t tensor) fill(b []byte, rng *splitmix64, shape func(t tensor, i uint64, v float32) float32) []byte {
	n := t.elems()
	for i := uint64(0); i < n; i++ {
		v := float32(1)
		if t.scale != 0 {
			v = t.scale * rng.uniform()
		}
		v = shape(t, i, v)
		if t.typ == tensorF16 {
			b = binary.LittleEndian.AppendUint16(b, float16(v))
		} else {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b
}

// splitmix64 is a small generator whose stream is fixed forever.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a value in [-1, 1).
func (s *splitmix64) uniform() float32 {
	return float32(float64(s.next()>>11)/(1<<53)*2 - 1)
}

// float16 converts to IEEE half precision, rounding to nearest even.
func float16(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23&0xff) - 127 + 15
	mant := bits & 0x7fffff
	switch {
	case exp >= 31:
		return sign | 0x7c00 // too large: infinity
	case exp <= 0: // a subnormal half, or zero
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		half := mant >> shift
		rem, mid := mant&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > mid || rem == mid && half&1 == 1 {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && half&1 == 1 {
		half++ // a carry into the exponent is still the right value
	}
	return sign | uint16(half)
}

// kv is one metadata entry; value appends its type and encoding.
type kv struct {
	key   string
	value func([]byte) []byte
}

func u32(v uint32) func([]byte) []byte {
	return func(b []byte) []byte {
		return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, typeUint32), v)
	}
}

func f32(v float32) func([]byte) []byte {
	return func(b []byte) []byte {
		return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, typeFloat32), math.Float32bits(v))
	}
}

func boolean(v bool) func([]byte) []byte {
	return func(b []byte) []byte {
		b = binary.LittleEndian.AppendUint32(b, typeBool)
		if v {
			return append(b, 1)
		}
		return append(b, 0)
	}
}

func str(v string) func([]byte) []byte {
	return func(b []byte) []byte { return appendString(binary.LittleEndian.AppendUint32(b, typeString), v) }
}

func array(b []byte, elem uint32, n int) []byte {
	b = binary.LittleEndian.AppendUint32(b, typeArray)
	b = binary.LittleEndian.AppendUint32(b, elem)
	return binary.LittleEndian.AppendUint64(b, uint64(n))
}

func strs(vs []string) func([]byte) []byte {
	return func(b []byte) []byte {
		b = array(b, typeString, len(vs))
		for _, v := range vs {
			b = appendString(b, v)
		}
		return b
	}
}

func f32s(vs []float32) func([]byte) []byte {
	return func(b []byte) []byte {
		b = array(b, typeFloat32, len(vs))
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
}

func i32s(vs []int32) func([]byte) []byte {
	return func(b []byte) []byte {
		b = array(b, typeInt32, len(vs))
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		return b
	}
}

func appendString(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint64(b, uint64(len(s))), s...)
}

func align(n uint64) uint64 { return (n + Alignment - 1) / Alignment * Alignment }

func pad(b []byte) []byte {
	return append(b, strings.Repeat("\x00", int(align(uint64(len(b)))-uint64(len(b))))...)
}
