package kernel

import "github.com/ice-studio/ice-studio/backend/netproxy"

// NetDecide asks the kernel, as its proxy does for a command's connection,
// whether the run may connect to host:port (tests and benchmarks).
func NetDecide(env *Env, host string, port int) netproxy.Decision {
	return env.rc.netDecider(env.ctx)(env.ctx, host, port)
}
