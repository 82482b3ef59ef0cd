package eventlogtest

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Rewrite changes the payload of the event at seq in the log file at path
// (change edits it, decoded) and re-hashes the chain from there, as a
// process running as the user can. Like a thorough forger it also fixes
// the hashes that later log.anchored events name, so the log alone still
// verifies and only a witness kept elsewhere tells. The file must not be
// open for writing elsewhere.
func Rewrite(tb testing.TB, path string, seq int64, change func(map[string]any)) {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	evs := All(tb, s, eventlog.Query{})
	s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	canonical := func(v any) []byte {
		b, err := json.Marshal(v)
		if err == nil {
			b, err = eventlog.CanonicalJSON(b)
		}
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	var prev []byte
	for i := range evs {
		e := &evs[i]
		if e.Seq == seq {
			var p map[string]any
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				tb.Fatal(err)
			}
			change(p)
			e.Payload = canonical(p)
		}
		if e.Type == eventlog.LogAnchored && e.Seq > seq {
			var a eventlog.AnchoredPayload
			if err := json.Unmarshal(e.Payload, &a); err != nil {
				tb.Fatal(err)
			}
			a.Hash = hex.EncodeToString(evs[a.Seq-1].Hash)
			e.Payload = canonical(a)
		}
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = eventlog.ComputeHash(e)
			if _, err := db.Exec(`UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Payload, e.PrevHash, e.Hash, e.Seq); err != nil {
				tb.Fatal(err)
			}
		}
		prev = e.Hash
	}
}
