package verifytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// maxCNAMEHops bounds how many CNAMEs one answer follows, like a resolver's
// chain limit.
const maxCNAMEHops = 16

// key identifies a name and type; name is canonical (lower case, fully
// qualified).
type key struct {
	name  string
	qtype uint16
}

// Zone is an in-memory set of records that answers queries like a
// recursive resolver: it follows CNAMEs, expands wildcards, tells NXDOMAIN
// from NODATA (empty non-terminals included) and puts the SOA in the
// authority section of negative answers. Faults can be injected per name
// and type. The zero value is not usable; call NewZone. Safe for
// concurrent use.
type Zone struct {
	mu      sync.Mutex
	names   map[string][]dns.RR // canonical owner -> its records, all types
	rcodes  map[key]int
	drops   map[key]bool
	truncs  map[key]bool
	delay   time.Duration
	ad      bool
	queries map[key]int
	total   int
	gen     int      // bumped on every change of names
	signed  *signing // set by Sign
}

// NewZone returns an empty zone. Add records with Add or MustAdd
// (zone-file lines), inject faults with SetRcode, Drop, SetTruncate and
// SetDelay, and pass it wherever a verify.Exchanger is accepted.
func NewZone() *Zone {
	return &Zone{
		names:   make(map[string][]dns.RR),
		rcodes:  make(map[key]int),
		drops:   make(map[key]bool),
		truncs:  make(map[key]bool),
		queries: make(map[key]int),
	}
}

func keyOf(name string, qtype uint16) key {
	return key{name: dns.CanonicalName(name), qtype: qtype}
}

// Add parses zone-file lines such as `_dnsauth.example.com. 300 IN TXT "abc"`
// and adds them. Names without a trailing dot are taken as fully
// qualified. Either every line is added or, on the first bad line, none.
func (z *Zone) Add(rrs ...string) error {
	parsed := make([]dns.RR, 0, len(rrs))
	for _, s := range rrs {
		rr, err := dns.NewRR(s)
		if err != nil {
			return fmt.Errorf("verifytest: bad record %q: %w", s, err)
		}
		if rr == nil {
			return fmt.Errorf("verifytest: no record in %q", s)
		}
		parsed = append(parsed, rr)
	}
	z.AddRR(parsed...)
	return nil
}

// MustAdd is Add for tests: it panics on a bad line and returns z so calls
// chain: verifytest.NewZone().MustAdd(...).
func (z *Zone) MustAdd(rrs ...string) *Zone {
	if err := z.Add(rrs...); err != nil {
		panic(err)
	}
	return z
}

// AddRR adds copies of rrs; nil entries and exact duplicates are ignored.
func (z *Zone) AddRR(rrs ...dns.RR) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.gen++
	for _, rr := range rrs {
		if rr == nil || rr.Header() == nil {
			continue
		}
		rr = dns.Copy(rr)
		rr.Header().Name = dns.Fqdn(rr.Header().Name)
		name := dns.CanonicalName(rr.Header().Name)
		dup := false
		for _, old := range z.names[name] {
			if dns.IsDuplicate(old, rr) {
				dup = true
				break
			}
		}
		if !dup {
			z.names[name] = append(z.names[name], rr)
		}
	}
}

// Remove deletes the records of qtype at name; dns.TypeANY deletes all of
// them, after which the name no longer exists (unless names below it do).
func (z *Zone) Remove(name string, qtype uint16) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.gen++
	n := dns.CanonicalName(name)
	var kept []dns.RR
	if qtype != dns.TypeANY {
		for _, rr := range z.names[n] {
			if rr.Header().Rrtype != qtype {
				kept = append(kept, rr)
			}
		}
	}
	if len(kept) == 0 {
		delete(z.names, n)
		return
	}
	z.names[n] = kept
}

// SetRcode makes queries for name and qtype (dns.TypeANY: every type)
// answer with rcode and no records, e.g. dns.RcodeServerFailure or
// dns.RcodeRefused. dns.RcodeSuccess removes the override. It also applies
// when name is reached through a CNAME, as a resolver would fail then too.
func (z *Zone) SetRcode(name string, qtype uint16, rcode int) {
	z.mu.Lock()
	defer z.mu.Unlock()
	k := keyOf(name, qtype)
	if rcode == dns.RcodeSuccess {
		delete(z.rcodes, k)
		return
	}
	z.rcodes[k] = rcode
}

// Drop makes queries for name and qtype (dns.TypeANY: every type) go
// unanswered, simulating a timeout. Also applies when name is reached
// through a CNAME.
func (z *Zone) Drop(name string, qtype uint16) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.drops[keyOf(name, qtype)] = true
}

// SetTruncate makes UDP answers for name and qtype (dns.TypeANY: every
// type) carry the TC bit and no records, so a client must retry over TCP.
// TCP and Exchange get the full answer.
func (z *Zone) SetTruncate(name string, qtype uint16) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.truncs[keyOf(name, qtype)] = true
}

// Heal removes the faults set by SetRcode, Drop and SetTruncate for name
// and qtype; dns.TypeANY removes every fault at name.
func (z *Zone) Heal(name string, qtype uint16) {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := dns.CanonicalName(name)
	for _, m := range []map[key]bool{z.drops, z.truncs} {
		for k := range m {
			if k.name == n && (qtype == dns.TypeANY || k.qtype == qtype) {
				delete(m, k)
			}
		}
	}
	for k := range z.rcodes {
		if k.name == n && (qtype == dns.TypeANY || k.qtype == qtype) {
			delete(z.rcodes, k)
		}
	}
}

// SetDelay adds latency d to every query (0 removes it).
func (z *Zone) SetDelay(d time.Duration) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.delay = d
}

// SetAuthenticated sets or clears the AD (DNSSEC authenticated data) bit on
// answers. Injected faults (SetRcode) never carry it.
func (z *Zone) SetAuthenticated(ad bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.ad = ad
}

// Queries reports how many queries for name and qtype the zone has seen,
// in memory and through any DNSServer. qtype dns.TypeANY sums every type at
// name. Names reached only through a CNAME are not counted.
func (z *Zone) Queries(name string, qtype uint16) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	k := keyOf(name, qtype)
	if qtype != dns.TypeANY {
		return z.queries[k]
	}
	n := 0
	for q, c := range z.queries {
		if q.name == k.name {
			n += c
		}
	}
	return n
}

// TotalQueries reports how many queries the zone has seen, malformed ones
// included.
func (z *Zone) TotalQueries() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.total
}

// errNilQuery is returned by Exchange for a nil message.
var errNilQuery = errors.New("verifytest: nil query")

// Exchange answers m in memory. The zone's delay honours ctx. A dropped
// query blocks until ctx is done and returns ctx.Err(), so callers must
// pass a context with a deadline when they use Drop. SetTruncate does not
// apply (there is no UDP here).
func (z *Zone) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if m == nil {
		return nil, errNilQuery
	}
	r, dropped, err := z.respond(ctx, m, false)
	if err != nil {
		return nil, err
	}
	if dropped {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return r, nil
}

// respond counts m, waits the delay and resolves it. dropped means no
// reply must be sent. udp applies SetTruncate.
func (z *Zone) respond(ctx context.Context, m *dns.Msg, udp bool) (r *dns.Msg, dropped bool, err error) {
	z.mu.Lock()
	z.total++
	if len(m.Question) == 1 {
		z.queries[keyOf(m.Question[0].Name, m.Question[0].Qtype)]++
	}
	delay := z.delay
	z.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}

	z.mu.Lock()
	defer z.mu.Unlock()
	r, dropped = z.resolve(m, udp)
	return r, dropped, nil
}
