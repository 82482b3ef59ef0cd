package ollama

// Memory is the machine's main memory in bytes (0: unknown).
type Memory struct {
	Total     int64 `json:"total"`
	Available int64 `json:"available"`
}

// Fit verdicts.
const (
	FitOK      = "fits"    // weights and cache take at most three quarters of the free memory
	FitTight   = "tight"   // more than that, or more than is free now but less than all of it
	FitNo      = "wont"    // more than the machine has
	FitUnknown = "unknown" // the machine's memory or the model's size is not known
)

// Fit is whether a model, with the KV cache of a context window, fits in
// the machine's memory, with the numbers that say so.
type Fit struct {
	Verdict string `json:"verdict"`
	// Window is the context (tokens) the cache is counted for.
	Window int `json:"window"`
	// Weights is the model's size; KVCache what Window tokens of cache take
	// (0 when the model does not say its shape); Need their sum.
	Weights int64 `json:"weights"`
	KVCache int64 `json:"kvCache"`
	Need    int64 `json:"need"`
	// Total and Available are the machine's memory; Available counts what
	// the model takes already when it is loaded as free for it (never more
	// than Total).
	Total     int64 `json:"total"`
	Available int64 `json:"available"`
}

// FitIn estimates whether m fits in mem with a window-token context; held
// is the RAM the model takes already when it is loaded (0 otherwise).
func FitIn(m Model, window int, mem Memory, held int64) Fit {
	f := Fit{Verdict: FitUnknown, Window: window, Weights: m.Size, Total: mem.Total}
	if m.KVBytesPerToken > 0 && window > 0 {
		f.KVCache = m.KVBytesPerToken * int64(window)
	}
	f.Need = f.Weights + f.KVCache
	if mem.Available > 0 {
		f.Available = mem.Available + held
		if mem.Total > 0 {
			f.Available = min(f.Available, mem.Total)
		}
	}
	switch {
	case mem.Total <= 0 || m.Size <= 0:
	case f.Need > mem.Total:
		f.Verdict = FitNo
	case f.Available > 0 && f.Need*4 <= f.Available*3:
		f.Verdict = FitOK
	default:
		f.Verdict = FitTight
	}
	return f
}
