package tinymodel

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ToolCallerName is the tool caller's general.name.
const ToolCallerName = "ice-toolcaller"

// The tool caller's network is a bigram model: the blocks' attention output
// and FFN down projections are zero, so the residual stream reaching the
// output head is the current token's embedding and the next token depends
// on the current one alone. Two embedding dimensions carry the answer:
// every token but the call has 1 in callDim, the call has 1 in endDim; the
// output head reads callDim into the call's row and endDim into </s>'s and
// has no other weights. After RMS normalisation the marked dimension is
// about 7, so the winner scores about 7 × headWeight = 29 and every other
// token 0: greedy decoding answers the call, then </s>, whatever the
// prompt, and no penalty or rounding can change that.
const (
	callDim    = 0
	endDim     = 1
	headWeight = 4
	// embedNoise scales the random rest of the embeddings: the blocks
	// still compute on distinct, random inputs (their result is thrown
	// away), and the marked dimension dominates each token's norm.
	embedNoise = 0.1
)

// ErrBadCall is a tool caller's answer that cannot be one token.
var ErrBadCall = errors.New("the tool caller's answer cannot be a token of its own")

// ToolCallerVocabulary returns the tool caller's vocabulary: Vocabulary()
// and then call as one more normal token, the last. A space in call is
// stored as "▁", as SPM pieces spell it, so the token reads back as call.
//
// The call token is never produced from prompt text: llama.cpp's SPM
// tokenizer only merges two adjacent symbols (single characters or
// pieces) into a piece, and no two of those spell the whole call
// (ToolCallerVocabulary refuses a call for which two do); and, being normal rather than
// user-defined or control, it is not matched in the text as a special
// token.
func ToolCallerVocabulary(call string) (tokens []string, scores []float32, types []int32, err error) {
	tokens, scores, types = Vocabulary()
	if call == "" {
		return nil, nil, nil, fmt.Errorf("%w: it is empty", ErrBadCall)
	}
	piece := strings.ReplaceAll(call, " ", "▁")
	for _, t := range tokens {
		if t == piece {
			return nil, nil, nil, fmt.Errorf("%w: %q is already a piece of the vocabulary", ErrBadCall, call)
		}
	}
	if reachable(tokens, piece) {
		return nil, nil, nil, fmt.Errorf("%w: the tokenizer could build %q from prompt text", ErrBadCall, call)
	}
	return append(tokens, piece), append(scores, 0), append(types, TokenNormal), nil
}

// reachable reports whether SPM tokenisation of text with the vocabulary
// tokens could yield piece: some split of piece into two parts has both
// parts a token or a single character.
func reachable(tokens []string, piece string) bool {
	known := make(map[string]bool, len(tokens))
	for _, t := range tokens {
		known[t] = true
	}
	symbol := func(s string) bool { return known[s] || len([]rune(s)) == 1 }
	for i := range piece {
		if i > 0 && symbol(piece[:i]) && symbol(piece[i:]) {
			return true
		}
	}
	return false
}

// WriteToolCaller writes a model whose answer to any prompt is exactly
// call, as one token, then </s>: with greedy decoding (temperature 0) and
// a template that can parse it, Ollama returns it as a native tool call,
// e.g. call `{"name":"read_file","arguments":{"path":"README.md"}}`. Its
// other weights are drawn from seed as WriteGGUF draws them; the same seed
// and call give the same bytes.
func WriteToolCaller(w io.Writer, seed int64, call string) error {
	tokens, scores, types, err := ToolCallerVocabulary(call)
	if err != nil {
		return err
	}
	callID := uint64(len(tokens) - 1)
	shape := func(t tensor, i uint64, v float32) float32 {
		switch {
		case t.name == "token_embd.weight":
			tok, dim := i/t.dims[0], i%t.dims[0]
			switch dim {
			case callDim:
				return b2f(tok != callID)
			case endDim:
				return b2f(tok == callID)
			}
			return embedNoise * v
		case t.name == "output.weight":
			tok, dim := i/t.dims[0], i%t.dims[0]
			if tok == callID && dim == callDim || tok == EOSID && dim == endDim {
				return headWeight
			}
			return 0
		case strings.HasSuffix(t.name, ".attn_output.weight"), strings.HasSuffix(t.name, ".ffn_down.weight"):
			return 0
		}
		return v
	}
	return write(w, ToolCallerName, tokens, scores, types, seed, shape)
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}
