package eventlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"testing"
)

// canonicalByEncoding is the definition isCanonicalPayload must agree with.
func canonicalByEncoding(raw []byte) bool {
	c, err := CanonicalJSON(raw)
	return err == nil && bytes.Equal(c, raw)
}

var canonicalCases = []string{
	`{}`, `{"a":1}`, `{"a":1,"b":2}`, `{"b":1,"a":2}`, `{"a":1,"a":2}`, `{"a":1,"a":1}`,
	`{ "a":1}`, `{"a": 1}`, `{"a":1} `, "{\"a\":1}\n", `{"a":1}{}`, `[]`, `"x"`, `1`, `null`, ``, `{`, `{"a"}`, `{"a":}`,
	`{"a":[]}`, `{"a":[1,2,3]}`, `{"a":[1, 2]}`, `{"a":[1,]}`, `{"a":{"c":{},"b":[]}}`, `{"a":{"b":{},"c":[]}}`,
	`{"n":0}`, `{"n":-0}`, `{"n":01}`, `{"n":1.0}`, `{"n":1.}`, `{"n":.5}`, `{"n":1e5}`, `{"n":1E+05}`, `{"n":-1.25e-3}`, `{"n":1e}`, `{"n":+1}`, `{"n":-}`,
	`{"t":true,"f":false,"z":null}`, `{"t":tru}`, `{"t":True}`,
	`{"s":"a\nb"}`, `{"s":"a\"b\\c"}`, `{"s":"\b\f\r\t"}`, `{"s":"\/"}`, `{"s":"\u0001"}`, `{"s":"\u0041"}`, `{"s":"\u00e9"}`, `{"s":"é"}`,
	`{"s":"<>&"}`, `{"s":"\u003c"}`, `{"s":"\u2028"}`, "{\"s\":\"\u2028\"}", "{\"s\":\"a\x01b\"}", "{\"s\":\"\xff\"}", "{\"s\":\"\xef\xbf\xbd\"}",
	"{\"s\":\"\x7f\"}", `{"s":"\x"}`, `{"s":"abc}`, `{"s\n":1}`, `{"a\"":1,"a":2}`, `{"a":1,"a\"":2}`, `{"\u0061":1}`,
	`{"é":1,"z":2}`, `{"z":1,"é":2}`, `{"A":1,"a":2}`, `{"a":1,"A":2}`, `{"":1}`, `{"":1,"":2}`,
	`{"deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	`{"path":"backend/eventlog/sqlite.go","hash":"9f86","size":1234,"op":"modified"}`,
	`{"hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","op":"modified","path":"backend/eventlog/sqlite.go","size":1234}`,
}

// TestIsCanonicalPayload: the fast check agrees with re-encoding on every
// case, and when it decides alone it is never wrong.
func TestIsCanonicalPayload(t *testing.T) {
	for _, c := range canonicalCases {
		raw := []byte(c)
		want := canonicalByEncoding(raw)
		if got := isCanonicalPayload(raw); got != want {
			t.Errorf("isCanonicalPayload(%q) = %v, CanonicalJSON says %v", c, got, want)
		}
		if plainCanonical(raw) && !want {
			t.Errorf("plainCanonical(%q) = true for a payload that is not canonical", c)
		}
	}
	// The common payloads are decided without re-encoding.
	for _, c := range []string{`{}`, `{"a":[1,2,3],"b":{"c":"x\ny"},"d":-1.5e3,"e":true}`, canonicalCases[len(canonicalCases)-1]} {
		if !plainCanonical([]byte(c)) {
			t.Errorf("plainCanonical(%q) = false, want it decided by the fast pass", c)
		}
	}
}

// TestPlainCanonicalMutations mutates canonical payloads byte by byte: the
// fast pass must never call a non-canonical result canonical.
func TestPlainCanonicalMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 42))
	alphabet := []byte("{}[]\",:\\ \n0123456789-+.eEabtfnrlsu\x01\x7f\xc3\xa9\xe2\x80\xa8")
	var seeds [][]byte
	for _, c := range canonicalCases {
		if canonicalByEncoding([]byte(c)) {
			seeds = append(seeds, []byte(c))
		}
	}
	decided := 0
	for range 50_000 {
		m := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(m) + 1)
			switch rng.IntN(3) {
			case 0: // insert
				m = append(m[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, m[i:]...)...)
			case 1: // replace
				if i < len(m) {
					m[i] = alphabet[rng.IntN(len(alphabet))]
				}
			default: // delete
				if i < len(m) {
					m = append(m[:i], m[i+1:]...)
				}
			}
		}
		if plainCanonical(m) {
			decided++
			if !canonicalByEncoding(m) {
				t.Fatalf("plainCanonical(%q) = true, but CanonicalJSON gives another encoding", m)
			}
		}
	}
	if decided == 0 {
		t.Fatal("no mutation was decided by the fast pass: the test checks nothing")
	}
}

// FuzzPlainCanonical: the fast pass never accepts what CanonicalJSON would
// change (go test -fuzz FuzzPlainCanonical).
func FuzzPlainCanonical(f *testing.F) {
	for _, c := range canonicalCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if plainCanonical(raw) && !canonicalByEncoding(raw) {
			t.Fatalf("plainCanonical(%q) = true, but CanonicalJSON gives another encoding", raw)
		}
	})
}

// computeHashStreaming is ComputeHash as first written (each field written
// to the hash in turn): the one-buffer version must hash the same bytes.
func computeHashStreaming(e *Event) []byte {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	put := func(b []byte) {
		n := binary.PutUvarint(buf[:], uint64(len(b)))
		h.Write(buf[:n])
		h.Write(b)
	}
	putInt := func(v int64) { put([]byte(strconv.FormatInt(v, 10))) }
	put([]byte(hashDomain))
	putInt(e.Seq)
	put([]byte(e.ID))
	put([]byte(e.Stream))
	putInt(e.Version)
	put([]byte(e.Type))
	putInt(int64(e.Schema))
	put([]byte(e.Origin))
	putInt(e.At)
	put([]byte(e.Workspace))
	put([]byte(e.Run))
	put([]byte(e.Causation))
	put([]byte(e.Correlation))
	put(e.Payload)
	put(e.PrevHash)
	return h.Sum(nil)
}

func TestComputeHashMatchesStreaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	for i := range 500 {
		size := []int{0, 1, 127, 128, 300, 20_000}[i%6]
		e := Event{Seq: rng.Int64(), ID: text(36), Stream: text(size), Version: rng.Int64N(1000) - 5, Type: text(12),
			Schema: rng.IntN(3), Origin: text(8), At: rng.Int64(), Workspace: text(size / 2), Run: text(36),
			Causation: text(36 * (i % 2)), Correlation: text(10), Payload: []byte(text(size)), PrevHash: []byte(text(32 * (i % 3)))}
		if got, want := ComputeHash(&e), computeHashStreaming(&e); !bytes.Equal(got, want) {
			t.Fatalf("ComputeHash(event %d, fields of %d bytes) = %x, the streaming encoding gives %x", i, size, got, want)
		}
	}
}
