package resolve

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dcvkit/dcv/internal/flight"
	"github.com/miekg/dns"
)

// Bounds of a Shared memo.
const (
	maxSharedTTL     = 5 * time.Minute // no answer is shared for longer
	maxSharedEntries = 1 << 16         // default MaxEntries
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
	// MaxEntries bounds the questions kept at once; 0 means 65,536. When
	// full, expired answers are swept (at most once a second) before a
	// new question goes unkept.
	MaxEntries int
	Now        func() time.Time // clock of TTLs; nil means time.Now

	flights   flight.Group[sharedKey, sharedAnswer] // under way or kept
	lastSweep atomic.Int64                          // when expired answers were last swept, Unix ns
}

func (s *Shared) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Shared) limit() int {
	if s.MaxEntries > 0 {
		return s.MaxEntries
	}
	return maxSharedEntries
}

// sweep forgets the expired answers of a full memo, at most once a second:
// a memo that lives long (a verify.ZoneCache) would otherwise fill with
// answers no one asks again and keep nothing new.
func (s *Shared) sweep() {
	now := s.now()
	last := s.lastSweep.Load()
	if now.UnixNano()-last < int64(time.Second) || !s.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	s.flights.Sweep(func(a sharedAnswer) bool { return now.After(a.expires) })
}

// sharedKey is what makes two queries the same question.
type sharedKey struct {
	name                     string
	qtype, qclass, udpSize   uint16
	rd, ad, cd, do, hasEDNS0 bool
}

// sharedAnswer is the outcome of one flight and when it stops serving.
type sharedAnswer struct {
	resp    *dns.Msg
	server  string
	err     error
	expires time.Time // zero for an answer not kept
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
	if s.flights.Len() >= s.limit() {
		s.sweep()
	}
	c, leader := s.flights.Join(k, s.limit())
	if a, ended := c.Peek(); ended && s.now().After(a.expires) {
		s.flights.Forget(k, c) // stale: the first to see it starts a new flight
		c, leader = s.flights.Join(k, s.limit())
	}
	if leader {
		go s.fly(k, c, m.Copy())
	}
	a, err := c.Wait(ctx)
	if err != nil {
		return nil, "", !leader, err
	}
	if a.err != nil {
		return nil, a.server, !leader, a.err
	}
	r := a.resp.Copy() // nothing one asker does with its answer touches another's
	r.Id = m.Id
	return r, a.server, !leader, nil
}

// fly runs one shared query and decides how long its answer is kept.
func (s *Shared) fly(k sharedKey, c *flight.Call[sharedAnswer], m *dns.Msg) {
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
	var a sharedAnswer
	a.resp, a.server, a.err = exchange(ctx, s.Exchanger, m)
	if a.err == nil && a.resp == nil {
		a.err = errors.New("no response")
	}
	keep := a.err == nil &&
		(a.resp.Rcode == dns.RcodeSuccess || a.resp.Rcode == dns.RcodeNameError) && !a.resp.Truncated
	if keep {
		a.expires = s.now().Add(min(answerTTL(a.resp), maxSharedTTL))
	}
	c.Finish(a)
	if !keep {
		s.flights.Forget(k, c)
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
