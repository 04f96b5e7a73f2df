package contract

import "strings"

// Rules that compare services with the same full name, and their methods by name.

func checkRPCNoDelete(p *pass) {
	p.servicePairs(func(cur, prev *service) {
		have := make(map[string]bool, len(cur.methods))
		for _, m := range cur.methods {
			have[m.proto.GetName()] = true
		}
		for _, m := range prev.methods {
			if !have[m.proto.GetName()] {
				p.report(locate(cur.file, cur.path), locate(prev.file, prev.path), cur.file.Path,
					"Previously present RPC %q on service %q was deleted.", m.proto.GetName(), cur.proto.GetName())
			}
		}
	})
}

// rpcStreaming builds the client and server streaming rules.
func rpcStreaming(side string, get func(*method) bool) func(*pass) {
	return func(p *pass) {
		p.methodPairs(func(cur, prev *method) {
			if get(prev) == get(cur) {
				return
			}
			from, to := "streaming", "unary"
			if get(cur) {
				from, to = to, from
			}
			p.report(locate(cur.file, cur.path), locate(prev.file, prev.path), cur.file.Path,
				"RPC %q on service %q changed from %s %s to %s %s.", cur.proto.GetName(), cur.svc.proto.GetName(), side, from, side, to)
		})
	}
}

func checkRPCSameIdempotencyLevel(p *pass) {
	const tag = 34 // MethodOptions.idempotency_level
	p.methodPairs(func(cur, prev *method) {
		pl, cl := prev.proto.GetOptions().GetIdempotencyLevel(), cur.proto.GetOptions().GetIdempotencyLevel()
		if pl == cl {
			return
		}
		p.report(locate(cur.file, cur.at(methodOptionsTag, tag)), locate(prev.file, prev.at(methodOptionsTag, tag)), cur.file.Path,
			`RPC %q on service %q changed option "idempotency_level" from %q to %q.`,
			cur.proto.GetName(), cur.svc.proto.GetName(), pl.String(), cl.String())
	})
}

// rpcSameType builds the request and response type rules.
func rpcSameType(what string, tag int32, get func(*method) string) func(*pass) {
	return func(p *pass) {
		p.methodPairs(func(cur, prev *method) {
			pt, ct := strings.TrimPrefix(get(prev), "."), strings.TrimPrefix(get(cur), ".")
			if pt == ct {
				return
			}
			p.report(locate(cur.file, cur.at(tag)), locate(prev.file, prev.at(tag)), cur.file.Path,
				"RPC %q on service %q changed %s type from %q to %q.", cur.proto.GetName(), cur.svc.proto.GetName(), what, pt, ct)
		})
	}
}

func (m *method) inputType() string  { return m.proto.GetInputType() }
func (m *method) outputType() string { return m.proto.GetOutputType() }
