package ollama_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// TestAgainstARealServer runs the provider's error paths against a real
// Ollama server when ICE_OLLAMA_TEST_HOST names one (e.g. one started by
// the test setup from `go install github.com/ollama/ollama@v0.6.5`).
func TestAgainstARealServer(t *testing.T) {
	host := os.Getenv("ICE_OLLAMA_TEST_HOST")
	if host == "" {
		t.Skip("ICE_OLLAMA_TEST_HOST is not set")
	}
	u, err := url.Parse(host)
	if err != nil {
		t.Fatal(err)
	}
	p := ollama.New(u, nil)
	ctx := context.Background()
	if _, err := p.Version(ctx); err != nil {
		t.Fatalf("Version: %v", err)
	}
	if _, err := p.Models(ctx); err != nil {
		t.Errorf("Models: %v", err)
	}
	const missing = "ice-studio-no-such-model"
	if _, err := p.Show(ctx, missing); !errors.Is(err, ollama.ErrModelMissing) {
		t.Errorf("Show(missing) = %v", err)
	}
	if _, err := p.Embed(ctx, missing, []string{"x"}); !errors.Is(err, ollama.ErrModelMissing) {
		t.Errorf("Embed(missing) = %v", err)
	}
	if _, err := p.Chat(ctx, &api.ChatRequest{Model: missing, Messages: []api.Message{{Role: "user", Content: "hi"}}}, nil); !errors.Is(err, ollama.ErrModelMissing) {
		t.Errorf("Chat(missing) = %v", err)
	}
}
