package kernel

import (
	"context"
	"errors"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/netproxy"
)

// A command's network connections. The sandbox has no network device but
// loopback; the kernel's proxy (package netproxy) is its only way out, and
// every connection it is asked for is an effect of the run: a net.http
// decision on its host and port, recorded at once (capability.used naming
// the grant or rule, capability.denied, or capability.requested while the
// connection waits for the user) so the command's record can name each
// decision's event.

// netEffect is one connection a command asks the proxy for.
type netEffect struct {
	host string
	port int
}

func (e netEffect) resolve(context.Context, *runCtx) (capability.Request, *EffectDetail, error) {
	req := capability.Request{Kind: capability.NetHTTP, Host: e.host, Port: e.port}
	return req, &EffectDetail{Host: req.Target()}, nil
}

func (netEffect) perform(context.Context, *runCtx, decided) (outcome, error) { return outcome{}, nil }

// netDecider answers the proxy for the command running under ctx.
func (rc *runCtx) netDecider(ctx context.Context) netproxy.Decider {
	return func(cctx context.Context, host string, port int) netproxy.Decision {
		// The connection waits while the user is asked; the command
		// ending, or the run, ends the wait.
		dctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(cctx, cancel)
		defer stop()
		e := netEffect{host: host, port: port}
		req, detail, _ := e.resolve(dctx, rc)
		dec, err := rc.authorize(dctx, req, detail, true)
		if err == nil {
			return netproxy.Decision{Allowed: true, Event: dec.event, Reason: dec.d.Reason}
		}
		var d *DeniedError
		if errors.As(err, &d) {
			return netproxy.Decision{Event: dec.event, Reason: d.Reason}
		}
		return netproxy.Decision{Event: dec.event, Reason: err.Error()}
	}
}
