package dnssec

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/flight"
	"github.com/miekg/dns"
)

// Querier fetches chain material (DS, DNSKEY and denial proofs). It must
// send the query with DO=1 and CD=1 (the validator wants to see bogus data
// itself) and return the response whatever its rcode; errors are transport
// failures. If it implements fmt.Stringer, String names the source in
// reasons, e.g. "resolver 127.0.0.1:5353".
type Querier interface {
	// Query asks for name and qtype with DO=1 and CD=1.
	Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)
}

// Validator validates answers back to trust anchors. The zero value
// validates against the IANA root anchors with time.Now. It is safe for
// concurrent use; it caches validated DS and DNSKEY sets (and proven
// absences of DS) per zone for their TTL, capped at one hour and at the
// signatures' expiry, in a bounded cache owned by the value. Failures are
// never cached. Set the fields before first use and do not copy a
// Validator after first use.
type Validator struct {
	// Anchors are DS or DNSKEY records, of any owner (a lab root or an
	// island of trust); nil means RootAnchors().
	Anchors []dns.RR
	// Now gives the time signature validity windows are checked against;
	// nil means time.Now.
	Now func() time.Time
	// CacheSize bounds the names kept in the cache; 0 means 1024.
	CacheSize int

	initOnce sync.Once
	anchors  map[string][]dns.RR // canonical owner -> anchors
	cache    cache
	flights  flight.Group[qkey, answer] // chain queries under way
}

// Result is the verdict on one response, with the broken link in the
// user's terms.
type Result struct {
	Verdict Verdict // secure, insecure, bogus or indeterminate
	// Zone is the signer zone the answer belongs to (or the zone proven
	// insecure, or the zone where the chain broke).
	Zone string
	// Reason names the broken link for Bogus and Indeterminate, e.g. "the
	// RRSIG over _dnsauth.example.com TXT expired at 2026-11-20T00:00:00Z";
	// for Insecure it says why the zone counts as unsigned.
	Reason string
}

func (v *Validator) init() {
	v.initOnce.Do(func() {
		src := v.Anchors
		if src == nil {
			src = RootAnchors()
		}
		v.anchors = make(map[string][]dns.RR)
		for _, rr := range src {
			if rr == nil || rr.Header() == nil {
				continue
			}
			switch rr.(type) {
			case *dns.DS, *dns.DNSKEY:
				n := canon(rr.Header().Name)
				v.anchors[n] = append(v.anchors[n], rr)
			}
		}
		v.cache.size = v.CacheSize
		if v.cache.size <= 0 {
			v.cache.size = defaultCacheSize
		}
	})
}

func (v *Validator) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// anchorFor returns the deepest anchor owner at or above name.
func (v *Validator) anchorFor(name string) (string, []dns.RR) {
	best := ""
	for owner := range v.anchors {
		if isSub(owner, name) && (best == "" || dns.CountLabel(owner) > dns.CountLabel(best)) {
			best = owner
		}
	}
	if best == "" {
		return "", nil
	}
	return best, v.anchors[best]
}

// Validate validates resp, the response to its question (resp was obtained
// with DO=1, e.g. from a recursive resolver with CD=1 or from an
// authoritative server), fetching missing chain links through q
// (concurrently for a cold chain). It validates every RRset in the answer
// section (CNAME/DNAME links and the final RRset, each with its own signer
// zone) and, for NXDOMAIN/NODATA, the NSEC or NSEC3 denial in the
// authority section (opt-out and wildcard proofs included); a wildcard
// expansion (RRSIG labels < owner labels) needs the proof that no closer
// name exists. TTLs in resp are capped in place by the RRSIG original TTL
// and the signature expiry. It returns the weakest verdict of all the
// RRsets that decided.
func (v *Validator) Validate(ctx context.Context, q Querier, resp *dns.Msg) Result {
	v.init()
	if resp == nil || len(resp.Question) != 1 {
		return Result{Verdict: Bogus, Reason: "the response does not carry exactly one question"}
	}
	if q == nil {
		return Result{Verdict: Indeterminate, Reason: "no querier to fetch the DNSSEC chain with"}
	}
	question := resp.Question[0]
	qname, qtype := canon(question.Name), question.Qtype
	if _, ok := dns.IsDomainName(qname); !ok {
		return Result{Verdict: Bogus, Reason: fmt.Sprintf("the question name %q is not a domain name", question.Name)}
	}
	if resp.Truncated {
		return Result{Verdict: Indeterminate, Zone: qname, Reason: fmt.Sprintf("the answer for %s %s was truncated", show(qname), typeName(qtype))}
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return Result{Verdict: Indeterminate, Zone: qname, Reason: fmt.Sprintf("the server answered %s for %s %s", rcodeName(resp.Rcode), show(qname), typeName(qtype))}
	}
	s := newSession(ctx, v, q)
	defer s.close()
	return s.validate(resp, qname, qtype)
}

func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return "rcode " + itoa(rc)
}

// session is the state of one Validate call.
type session struct {
	ctx    context.Context
	cancel context.CancelFunc
	v      *Validator
	q      Querier
	now    time.Time

	mu        sync.Mutex
	futures   map[qkey]*flight.Call[answer] // every chain query asked in the session
	verifies  int
	refreshed map[string]bool // zones whose cached keys were dropped by stale
}

func newSession(ctx context.Context, v *Validator, q Querier) *session {
	ctx, cancel := context.WithCancel(ctx)
	return &session{ctx: ctx, cancel: cancel, v: v, q: q, now: v.now(), futures: make(map[qkey]*flight.Call[answer])}
}

// close stops the speculative fetches nobody waited for.
func (s *session) close() { s.cancel() }

// source names where the data came from, for messages.
func (s *session) source() string {
	if st, ok := s.q.(fmt.Stringer); ok {
		if n := st.String(); n != "" {
			return n
		}
	}
	return "the resolver"
}

var errTooManyQueries = fmt.Errorf("more than %d chain queries for one answer", maxQueries)

// fetch starts (once per session) the chain query name/qtype.
func (s *session) fetch(name string, qtype uint16) *flight.Call[answer] {
	k := qkey{name, qtype}
	s.mu.Lock()
	if f, ok := s.futures[k]; ok {
		s.mu.Unlock()
		return f
	}
	f := flight.NewCall[answer]()
	s.futures[k] = f
	n := len(s.futures)
	s.mu.Unlock()
	if n > maxQueries {
		f.Finish(answer{err: errTooManyQueries})
		return f
	}
	go func() {
		var a answer
		a.msg, a.err = s.v.ask(s.ctx, s.q, name, qtype)
		// A DS set means a zone cut: fetch its keys without waiting for the walk.
		if qtype == dns.TypeDS && a.err == nil && hasType(a.msg.Answer, name, dns.TypeDS) {
			s.fetch(name, dns.TypeDNSKEY)
		}
		f.Finish(a)
	}()
	return f
}

func (s *session) wait(f *flight.Call[answer]) (*dns.Msg, error) {
	a, err := f.Wait(s.ctx)
	if err != nil {
		return nil, err
	}
	return a.msg, a.err
}

// get fetches name/qtype and turns failures into an Indeterminate result.
func (s *session) get(name string, qtype uint16) (*dns.Msg, *Result) {
	m, err := s.wait(s.fetch(name, qtype))
	if err != nil {
		return nil, &Result{Verdict: Indeterminate, Zone: name,
			Reason: fmt.Sprintf("could not fetch the %s of %s from %s: %v", typeName(qtype), show(name), s.source(), err)}
	}
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return nil, &Result{Verdict: Indeterminate, Zone: name,
			Reason: fmt.Sprintf("%s answered %s to the %s query for %s", s.source(), rcodeName(m.Rcode), typeName(qtype), show(name))}
	}
	if m.Truncated {
		return nil, &Result{Verdict: Indeterminate, Zone: name,
			Reason: fmt.Sprintf("%s sent a truncated answer to the %s query for %s", s.source(), typeName(qtype), show(name))}
	}
	return m, nil
}

func hasType(rrs []dns.RR, name string, t uint16) bool {
	for _, rr := range rrs {
		if h := rr.Header(); h.Rrtype == t && canon(h.Name) == name {
			return true
		}
	}
	return false
}

func hasRRSIG(rrs []dns.RR) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeRRSIG {
			return true
		}
	}
	return false
}
