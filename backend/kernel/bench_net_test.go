package kernel_test

import (
	"context"
	"testing"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// BenchmarkNetDecision is the kernel's side of one proxied connection: the
// net.http decision and its capability.used event, committed before the
// proxy goes on (ns/op per connection).
func BenchmarkNetDecision(b *testing.B) {
	p := allowAllPolicy()
	p.Rules = append([]capability.Rule{{Kind: capability.NetHTTP, Scope: capability.Scope{Host: "127.0.0.1:8080"}, Effect: capability.Allow}}, p.Rules...)
	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, p, 0)
	h := newCapsHarness(b, caps)
	var failed string
	info := h.start(kernel.StartRequest{Task: "bench", Profile: "agent", Budget: kernel.Budget{MaxSteps: b.N + 10}},
		steps(func(_ context.Context, env *kernel.Env) error {
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if d := kernel.NetDecide(env, "127.0.0.1", 8080); !d.Allowed || d.Event == "" {
					failed = d.Reason
					return nil
				}
			}
			b.StopTimer()
			return nil
		}))
	h.wait(info.ID)
	if failed != "" {
		b.Fatalf("refused: %s", failed)
	}
}
