package ollama

import "context"

// Running is a model the server holds in memory now (from /api/ps).
type Running struct {
	Name string `json:"name"`
	// Size is the memory it takes in all; VRAM the part of it on the GPU
	// (the rest, Size-VRAM, is in RAM).
	Size int64 `json:"size"`
	VRAM int64 `json:"vram"`
	// ExpiresAt is when the server unloads it unless it is used (unix ms; 0 unknown).
	ExpiresAt     int64 `json:"expiresAt"`
	ContextLength int   `json:"contextLength,omitempty"`
}

// RAM is the part of a loaded model held in main memory.
func (r Running) RAM() int64 { return max(0, r.Size-r.VRAM) }

// Running lists the models loaded now.
func (p *Provider) Running(ctx context.Context) ([]Running, error) {
	pr, err := p.client.ListRunning(ctx)
	if err != nil {
		return nil, p.classify(err, "")
	}
	out := make([]Running, 0, len(pr.Models))
	for _, m := range pr.Models {
		r := Running{Name: m.Name, Size: m.Size, VRAM: m.SizeVRAM, ContextLength: m.ContextLength}
		if r.Name == "" {
			r.Name = m.Model
		}
		if !m.ExpiresAt.IsZero() {
			r.ExpiresAt = m.ExpiresAt.UnixMilli()
		}
		out = append(out, r)
	}
	return out, nil
}
