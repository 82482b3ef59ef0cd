package mcp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// DefinitionHash is the sha256 (hex) of a tool's definition as the model
// is shown it: a canonical JSON of its name, description and input schema.
// The schema is re-encoded with sorted keys and no insignificant
// whitespace, so a server that merely reorders keys keeps its pins; any
// real change (a word of the description, a property, a default) does not.
func DefinitionHash(name, description string, inputSchema json.RawMessage) string {
	b, err := json.Marshal(struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}{name, description, canonicalJSON(inputSchema)})
	if err != nil {
		panic(fmt.Sprintf("mcp: marshal definition: %v", err)) // canonicalJSON returns valid JSON
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalJSON re-encodes raw with sorted object keys, numbers kept as
// written. Empty input is null; input that is not JSON is encoded as a
// JSON string of its bytes, so it still hashes (and changes) as it is.
func canonicalJSON(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		b, _ := json.Marshal(string(raw))
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(string(raw))
	}
	return b
}
