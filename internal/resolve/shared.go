package resolve

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Bounds of a Shared memo.
const (
	maxSharedTTL     = 5 * time.Minute // no answer is shared for longer
	maxSharedEntries = 1 << 16         // questions kept at once; beyond, new ones are not kept
	defaultFlightTTL = 10 * time.Second
)

// SharedReporter is an Exchanger that says which server answered and
// whether the answer was shared with other askers (asked once for them).
// Shared implements it; the Resolver records it in the Exchange.
type SharedReporter interface {
	// ExchangeShared is Exchange, also returning the server that answered
	// and whether the answer was shared.
	ExchangeShared(ctx context.Context, m *dns.Msg) (r *dns.Msg, server string, shared bool, err error)
}

// Shared asks each question once for every caller that asks it while the
// answer is fresh: one flight per question (concurrent askers wait for
// it), the answer kept for its TTL (the lowest of its records, at most 5
// minutes), a failure or an error rcode never kept beyond its flight. Each
// asker gets its own copy. Flights run under Ctx and Timeout, not the
// first asker's context, so one asker giving up fails no other. It is
// meant to live for one batch of checks (an order); it keeps no state
// beyond the value. The zero value is not usable: Exchanger must be set.
type Shared struct {
	Exchanger Exchanger       // sends the one query of each flight; required
	Ctx       context.Context // bounds every flight; nil means context.Background()
	Timeout   time.Duration   // bound on one flight; 0 means 10 s
	// Share, if set, says which questions are worth sharing (asked by
	// more than one check); the others go straight to Exchanger, with no
	// flight and nothing kept. Nil shares every question.
	Share func(q dns.Question) bool

	mu      sync.Mutex
	entries map[sharedKey]*sharedEntry
}

// sharedKey is what makes two queries the same question.
type sharedKey struct {
	name                     string
	qtype, qclass, udpSize   uint16
	rd, ad, cd, do, hasEDNS0 bool
}

type sharedEntry struct {
	done    chan struct{}
	resp    *dns.Msg
	server  string
	err     error
	expires time.Time
}

func keyOf(m *dns.Msg) sharedKey {
	q := m.Question[0]
	k := sharedKey{name: strings.ToLower(q.Name), qtype: q.Qtype, qclass: q.Qclass,
		rd: m.RecursionDesired, ad: m.AuthenticatedData, cd: m.CheckingDisabled}
	if opt := m.IsEdns0(); opt != nil {
		k.do, k.udpSize, k.hasEDNS0 = opt.Do(), opt.UDPSize(), true
	}
	return k
}

// Exchange answers m, from a shared flight when it can.
func (s *Shared) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	r, _, _, err := s.ExchangeShared(ctx, m)
	return r, err
}

// ExchangeWithServer answers m and names the server that answered.
func (s *Shared) ExchangeWithServer(ctx context.Context, m *dns.Msg) (*dns.Msg, string, error) {
	r, server, _, err := s.ExchangeShared(ctx, m)
	return r, server, err
}

// ExchangeShared answers m and says whether the answer came from a flight
// another asker started (shared).
func (s *Shared) ExchangeShared(ctx context.Context, m *dns.Msg) (*dns.Msg, string, bool, error) {
	if m == nil || len(m.Question) != 1 || s.Share != nil && !s.Share(m.Question[0]) {
		r, server, err := exchange(ctx, s.Exchanger, m)
		return r, server, false, err
	}
	k := keyOf(m)
	s.mu.Lock()
	if s.entries == nil {
		s.entries = make(map[sharedKey]*sharedEntry)
	}
	e, shared := s.entries[k]
	if shared {
		select {
		case <-e.done:
			if time.Now().After(e.expires) {
				delete(s.entries, k)
				shared = false
			}
		default:
		}
	}
	if !shared {
		e = &sharedEntry{done: make(chan struct{})}
		if len(s.entries) < maxSharedEntries {
			s.entries[k] = e
		}
		go s.fly(k, e, m.Copy())
	}
	s.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, "", shared, ctx.Err()
	}
	if e.err != nil {
		return nil, e.server, shared, e.err
	}
	r := e.resp.Copy() // nothing one asker does with its answer touches another's
	r.Id = m.Id
	return r, e.server, shared, nil
}

// fly runs one shared query and decides how long its answer is kept.
func (s *Shared) fly(k sharedKey, e *sharedEntry, m *dns.Msg) {
	ctx := s.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	t := s.Timeout
	if t <= 0 {
		t = defaultFlightTTL
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	e.resp, e.server, e.err = exchange(ctx, s.Exchanger, m)
	keep := e.err == nil && e.resp != nil &&
		(e.resp.Rcode == dns.RcodeSuccess || e.resp.Rcode == dns.RcodeNameError) && !e.resp.Truncated
	if keep {
		e.expires = time.Now().Add(min(answerTTL(e.resp), maxSharedTTL))
	}
	close(e.done)
	if !keep {
		s.mu.Lock()
		if s.entries[k] == e {
			delete(s.entries, k)
		}
		s.mu.Unlock()
	}
}

// answerTTL is the lowest TTL of the records of r (answer and authority,
// an SOA's by RFC 2308), 0 for a response without records: a negative
// answer without an SOA is not kept.
func answerTTL(r *dns.Msg) time.Duration {
	var ttl uint32
	first := true
	for _, sec := range [][]dns.RR{r.Answer, r.Ns} {
		for _, rr := range sec {
			t := rr.Header().Ttl
			if soa, ok := rr.(*dns.SOA); ok {
				t = min(t, soa.Minttl) // the negative TTL (RFC 2308 section 5)
			}
			if first || t < ttl {
				ttl, first = t, false
			}
		}
	}
	if ttl&(1<<31) != 0 { // RFC 2181 section 8: such a TTL means zero
		ttl = 0
	}
	return time.Duration(ttl) * time.Second
}

// exchange sends m through ex, learning the server when ex says it.
func exchange(ctx context.Context, ex Exchanger, m *dns.Msg) (*dns.Msg, string, error) {
	if sr, ok := ex.(ServerReporter); ok {
		return sr.ExchangeWithServer(ctx, m)
	}
	r, err := ex.Exchange(ctx, m)
	return r, "", err
}
