package contract

import "sync"

// pairs holds the elements the two versions share, computed once per comparison and read by
// every rule: messages, enums and services by full name, fields by number within a message
// (and extensions by number within their extendee), methods by name within a service.
type pairs struct {
	cur, prev *index

	messagesOnce sync.Once
	messages     [][2]*message
	fieldsOnce   sync.Once
	fields       [][2]*field
	enumsOnce    sync.Once
	enums        [][2]*enum
	servicesOnce sync.Once
	services     [][2]*service
	methodsOnce  sync.Once
	methods      [][2]*method
}

func (ps *pairs) messagePairs() [][2]*message {
	ps.messagesOnce.Do(func() {
		for name, prev := range ps.prev.messages {
			if cur, ok := ps.cur.messages[name]; ok {
				ps.messages = append(ps.messages, [2]*message{cur, prev})
			}
		}
	})
	return ps.messages
}

func (ps *pairs) fieldPairs() [][2]*field {
	ps.fieldsOnce.Do(func() {
		for _, mp := range ps.messagePairs() {
			cur, prev := mp[0], mp[1]
			for _, pf := range prev.fields {
				if cf, ok := cur.byNumber[pf.proto.GetNumber()]; ok {
					ps.fields = append(ps.fields, [2]*field{cf, pf})
				}
			}
		}
		for extendee, prevByNum := range ps.prev.extensions {
			curByNum := ps.cur.extensions[extendee]
			for n, pf := range prevByNum {
				if cf, ok := curByNum[n]; ok {
					ps.fields = append(ps.fields, [2]*field{cf, pf})
				}
			}
		}
	})
	return ps.fields
}

func (ps *pairs) enumPairs() [][2]*enum {
	ps.enumsOnce.Do(func() {
		for name, prev := range ps.prev.enums {
			if cur, ok := ps.cur.enums[name]; ok {
				ps.enums = append(ps.enums, [2]*enum{cur, prev})
			}
		}
	})
	return ps.enums
}

func (ps *pairs) servicePairs() [][2]*service {
	ps.servicesOnce.Do(func() {
		for name, prev := range ps.prev.services {
			if cur, ok := ps.cur.services[name]; ok {
				ps.services = append(ps.services, [2]*service{cur, prev})
			}
		}
	})
	return ps.services
}

func (ps *pairs) methodPairs() [][2]*method {
	ps.methodsOnce.Do(func() {
		for _, sp := range ps.servicePairs() {
			cur, prev := sp[0], sp[1]
			have := make(map[string]*method, len(cur.methods))
			for _, m := range cur.methods {
				have[m.proto.GetName()] = m
			}
			for _, pm := range prev.methods {
				if cm, ok := have[pm.proto.GetName()]; ok {
					ps.methods = append(ps.methods, [2]*method{cm, pm})
				}
			}
		}
	})
	return ps.methods
}

func (p *pass) messagePairs(fn func(cur, prev *message)) {
	for _, mp := range p.pairs.messagePairs() {
		fn(mp[0], mp[1])
	}
}

func (p *pass) fieldPairs(fn func(cur, prev *field)) {
	for _, fp := range p.pairs.fieldPairs() {
		fn(fp[0], fp[1])
	}
}

func (p *pass) enumPairs(fn func(cur, prev *enum)) {
	for _, ep := range p.pairs.enumPairs() {
		fn(ep[0], ep[1])
	}
}

func (p *pass) servicePairs(fn func(cur, prev *service)) {
	for _, sp := range p.pairs.servicePairs() {
		fn(sp[0], sp[1])
	}
}

func (p *pass) methodPairs(fn func(cur, prev *method)) {
	for _, mp := range p.pairs.methodPairs() {
		fn(mp[0], mp[1])
	}
}
