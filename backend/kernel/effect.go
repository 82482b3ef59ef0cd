package kernel

import (
	"context"
	"errors"

	"github.com/ice-studio/ice-studio/backend/capability"
)

// The effect pipeline. Every effect a run has on the world — a file read,
// a listing or search, a staged write, a command, a network connection of
// a command, a model call, a memory write — is one small type that goes
// through rc.do, the single path
//
//	resolve → authorize → perform → record
//
// so a new kind of effect cannot forget a step:
//
//   - resolve finds what the effect will really touch (a path after its
//     links are resolved, opened beneath the root so the thing checked is
//     the thing used) and says what an approval card shows; a request that
//     cannot be resolved safely (it leads out of the workspace) is refused
//     and recorded as capability.denied, like any other refusal;
//   - authorize is the Enforcer's decision, recorded as capability.used
//     (naming the grant or rule), capability.denied or, while the user is
//     asked, capability.requested;
//   - perform carries the effect out;
//   - record appends the effect's event (with its contents in the blob
//     store), in the same transaction as the capability.used that allowed it.

// effect is one kind of effect.
type effect interface {
	// resolve returns the request to decide, as the effect will really
	// happen, and what an approval card shows (nil: nothing beyond the
	// request). A *refusal refuses the effect before any decision.
	resolve(ctx context.Context, rc *runCtx) (capability.Request, *EffectDetail, error)
	// perform carries the effect out once it is allowed; d is the
	// decision that allowed it. It returns the event to record (a zero
	// outcome records nothing more than the capability's use).
	perform(ctx context.Context, rc *runCtx, d decided) (outcome, error)
}

// closer is an effect holding something open between resolve and perform
// (the file it checked), released whatever the outcome.
type closer interface{ close() }

// outcome is the event an effect records.
type outcome struct {
	typ     string
	payload any
	blobs   [][]byte
}

// refusal is a request refused before it reaches the Enforcer, because
// what it names cannot be reached safely; it is recorded as
// capability.denied with the reason.
type refusal struct {
	kind, target, reason string
}

func (r *refusal) Error() string { return r.reason }

// refuse builds a refusal.
func refuse(kind, target, reason string) error {
	return &refusal{kind: kind, target: target, reason: reason}
}

// leadsOutside is the reason given for a path whose links lead out.
const leadsOutside = "it leads outside the workspace (through a symbolic link)"

// decided is an allowed request: the canonical request, the Enforcer's
// decision and, when it was recorded at once, the capability.used event.
type decided struct {
	req   capability.Request
	d     capability.Decision
	event string
}

// do runs one effect through the pipeline.
func (rc *runCtx) do(ctx context.Context, e effect) (outcome, error) {
	if c, ok := e.(closer); ok {
		defer c.close()
	}
	req, detail, err := e.resolve(ctx, rc)
	var r *refusal
	switch {
	case errors.As(err, &r):
		_, derr := rc.deny(ctx, r.kind, r.target, r.reason, capability.Decision{})
		return outcome{}, derr
	case err != nil:
		return outcome{}, err
	}
	dec, err := rc.authorize(ctx, req, detail, false)
	if err != nil {
		return outcome{}, err
	}
	out, err := e.perform(ctx, rc, dec)
	if err != nil {
		return outcome{}, err
	}
	if out.typ != "" {
		if err := rc.emit(ctx, out.typ, out.payload, out.blobs...); err != nil {
			return outcome{}, err
		}
	}
	return out, nil
}

// authOnly is an effect a kernel service performs and records itself
// after the decision (a model call records its inference events; a
// memory proposal its memory.proposed): the pipeline decides and records
// the use.
type authOnly struct {
	req capability.Request
}

func (a authOnly) resolve(context.Context, *runCtx) (capability.Request, *EffectDetail, error) {
	return a.req, detailOf(a.req), nil
}

func (authOnly) perform(context.Context, *runCtx, decided) (outcome, error) { return outcome{}, nil }
