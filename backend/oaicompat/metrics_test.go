package oaicompat

import (
	"testing"
	"time"
)

// TestMetricsWithinTotal: the answer's duration is scaled up from the
// stream (the first piece's token is not in it), which for a quick first
// piece and few tokens came out longer than the whole request; the parts
// must stay within the whole, as Ollama's do.
func TestMetricsWithinTotal(t *testing.T) {
	start := time.Unix(100, 0)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	for _, c := range []struct {
		first, last, end, eval int
	}{
		{first: 1, last: 10, end: 10, eval: 3}, // 9 ms × 3/2 > 10 ms
		{first: 2, last: 14, end: 15, eval: 2},
		{first: 5, last: 20, end: 21, eval: 100},
	} {
		m := metrics(start, at(c.first), at(c.last), at(c.end), 7, c.eval)
		if m.TotalDuration != at(c.end).Sub(start) || m.EvalDuration <= 0 || m.PromptEvalDuration < 0 ||
			m.PromptEvalDuration+m.EvalDuration > m.TotalDuration {
			t.Errorf("%+v: metrics %+v: prompt and answer must fit in the total", c, m)
		}
	}
}
