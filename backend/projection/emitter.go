package projection

import (
	"context"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Emitter appends through the gate and folds the projections before it
// returns, so a caller reads its own writes from the read models.
type Emitter struct {
	Gate   *eventlog.Gate
	Runner *Runner
}

// Emit validates and appends drafts, then catches the projections up.
func (e *Emitter) Emit(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error) {
	evs, err := e.Gate.Emit(ctx, drafts...)
	if err != nil {
		return nil, err
	}
	if err := e.Runner.CatchUp(ctx); err != nil {
		return evs, err
	}
	return evs, nil
}

// Append validates and appends drafts without folding: for a burst of
// events whose read models nobody reads until a later Emit or CatchUp.
func (e *Emitter) Append(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error) {
	return e.Gate.Emit(ctx, drafts...)
}

// CatchUp folds everything appended so far.
func (e *Emitter) CatchUp(ctx context.Context) error { return e.Runner.CatchUp(ctx) }
