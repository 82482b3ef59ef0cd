package oaicompat_test

import (
	"context"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/oaicompat"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// BenchmarkStreamTokens: streaming tokens/s of a 256-token answer from
// the same real Ollama (v0.6.5) and model, through the OpenAI-compatible
// client on its /v1 beside Ollama's native client on /api/chat. Each
// iteration times both, one after the other, warm, from the first token
// to the last.
func BenchmarkStreamTokens(b *testing.B) {
	srv := realollama.Start(b)
	oai, err := oaicompat.New(oaicompat.Config{BaseURL: srv.Host + "/v1"})
	if err != nil {
		b.Fatal(err)
	}
	native := ollama.New(srv.URL(), nil)
	req := func() *api.ChatRequest {
		return &api.ChatRequest{Model: srv.Model, Messages: []api.Message{{Role: "user", Content: "Tell me a story."}},
			Options: map[string]any{"num_predict": 256, "seed": 42, "temperature": 0}}
	}
	ctx := context.Background()
	// stream times one answer from its first token to its last.
	stream := func(c agent.Chatter) (int, time.Duration) {
		chunks := 0
		var first time.Time
		if _, err := c.Chat(ctx, req(), func(r api.ChatResponse) {
			if r.Message.Content != "" {
				if chunks == 0 {
					first = time.Now()
				}
				chunks++
			}
		}); err != nil {
			b.Fatal(err)
		}
		if chunks < 2 {
			b.Fatalf("%d chunks streamed", chunks)
		}
		return chunks - 1, time.Since(first)
	}
	stream(oai) // warm: the model is loaded
	stream(native)
	var ot, nt int
	var od, nd time.Duration
	for range b.N {
		n, d := stream(oai)
		ot, od = ot+n, od+d
		n, d = stream(native)
		nt, nd = nt+n, nd+d
	}
	b.ReportMetric(float64(ot)/od.Seconds(), "openai-tokens/s")
	b.ReportMetric(float64(nt)/nd.Seconds(), "native-tokens/s")
	b.ReportMetric((float64(ot)/od.Seconds())/(float64(nt)/nd.Seconds()), "ratio")
}
