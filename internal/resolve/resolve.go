package resolve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
)

// MaxChain bounds the CNAME and DNAME links one lookup follows from the
// name asked to its records. A longer chain is a Lookup failure (a loop,
// most likely), never a cut answer.
const MaxChain = 8

// DefaultUDPSize is the EDNS0 buffer size the resolver advertises: the
// DNS flag day 2020 value, which avoids IP fragmentation.
const DefaultUDPSize = 1232

// Exchanger sends one query and returns the response; any rcode is a
// response, errors are transport failures. verify.Exchanger and
// caa.Exchanger are this interface.
type Exchanger interface {
	// Exchange sends m and returns the response.
	Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error)
}

// ServerReporter is an Exchanger that also says which server answered
// ("ip:port"), for evidence. verify.DNSClient implements it.
type ServerReporter interface {
	// ExchangeWithServer is Exchange, also returning the server that answered.
	ExchangeWithServer(ctx context.Context, m *dns.Msg) (*dns.Msg, string, error)
}

// ValidatorSource is an Exchanger that keeps DNSSEC validators, and so
// their DS/DNSKEY caches, for as long as it lives: one per set of trust
// anchors. verify.DNSClient implements it; for other Exchangers each
// check validates with a validator of its own (a cold cache).
type ValidatorSource interface {
	// DNSSECValidator returns the validator kept for anchors.
	DNSSECValidator(anchors []dns.RR) *dnssec.Validator
}

// Resolver resolves names through one Exchanger with one policy: CNAME
// and DNAME chains followed up to MaxChain links, NXDOMAIN kept apart from
// NODATA, every response checked against its question and, when Validator
// is set, validated by DNSSEC. The zero value is not usable: Exchanger
// must be set.
type Resolver struct {
	Exchanger Exchanger // sends every query; required
	// NoRecursion clears RD: the authoritative mode asks each server of a
	// zone directly.
	NoRecursion bool
	// Validator validates every response; nil switches validation off,
	// and then only the resolver's AD bit is recorded.
	Validator *dnssec.Validator
	// Chain fetches the DNSSEC chain (DS, DNSKEY, denial proofs); nil
	// means Exchanger. The authoritative mode sets the recursive resolver.
	Chain Exchanger
	// Server names Exchanger in evidence when it does not report which
	// server answered (ServerReporter).
	Server string
	// Strict makes records of the type asked that the answer cannot
	// account for a Lookup failure: owned by a name off the chain, of a
	// class other than IN, or beside NXDOMAIN. CAA needs it (dropping a
	// record could widen permission); without it they are ignored, which
	// can only make a DCV check fail.
	Strict bool
}

// Exchange is the record of one query sent, failed ones included.
type Exchange struct {
	Question string         // "TXT _dnsauth.example.com."
	Server   string         // who answered, "ip:port" or a name
	Rcode    string         // "" when no response came
	Answer   []string       // the answer section, presentation form
	AD       bool           // the AD bit of the response
	DNSSEC   dnssec.Verdict // Unvalidated when validation is off
	Reason   string         // the broken link, for bogus and indeterminate
	Shared   bool           // the answer of a query asked once for several askers (Shared)
	Err      error          // the transport failure, if any
	Time     time.Time      // when the query was sent
	Duration time.Duration  // how long the answer took
}

// Answer is the outcome of a Lookup: the final RRset, the chain that led
// to it and one Exchange per query sent.
type Answer struct {
	Name      string         // owner of RRs: the name asked or the end of its chain (FQDN, lower case)
	Chain     []string       // names reached through CNAME/DNAME links, in order (FQDN, lower case)
	RRs       []dns.RR       // records of the type asked, class IN; empty on failure
	TTL       uint32         // the lowest TTL of RRs
	AD        bool           // every response used had the AD bit
	DNSSEC    dnssec.Verdict // the weakest verdict of the responses used
	Exchanges []Exchange     // one per query sent
}

// Error is a failed lookup. Err is the cause: the Exchanger's error for
// transport failures (so callers can recover their own error types).
type Error struct {
	Kind     Kind   // what went wrong
	Name     string // the name asked, without the trailing dot
	Server   string // the server whose response or failure decided, if known
	Rcode    int    // the response's rcode; -1 if none decided
	NXDOMAIN bool   // for NotFound: the name does not exist (else NODATA)
	Reason   string // for Bogus and Indeterminate: the broken link
	Err      error  // the cause
}

// Error reads "NAME: KIND: CAUSE".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Name, e.Kind)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Lookup resolves name (any case, with or without the trailing dot) for
// qtype. Chains are followed for every type but CNAME and DNAME; when a
// response ends on an alias without the records, its target is asked. It
// returns a non-empty RRset or an *Error; the Answer's Exchanges are
// filled either way.
func (r *Resolver) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	owner := dnsname.Canonical(name)
	target := strings.TrimSuffix(owner, ".")
	a := Answer{AD: true}
	var vs []dnssec.Verdict
	ch := chain{origin: owner, strict: r.Strict}
	cur := owner
	for {
		resp, ex, err := r.query(ctx, cur, qtype)
		a.Exchanges = append(a.Exchanges, ex)
		if err != nil {
			err.Name = target
			a.AD = false
			return a, err
		}
		a.AD = a.AD && resp.AuthenticatedData
		vs = append(vs, ex.DNSSEC)
		a.DNSSEC = dnssec.Weakest(vs...)
		fail := func(kind Kind, rcode int, cause error) (Answer, error) {
			return a, &Error{Kind: kind, Name: target, Server: ex.Server, Rcode: rcode, Err: cause}
		}
		last, rrs, ferr := ch.follow(cur, qtype, resp.Answer)
		if ferr != nil {
			return fail(Lookup, -1, ferr)
		}
		a.Name, a.Chain = last, ch.names
		if resp.Rcode == dns.RcodeNameError {
			if len(rrs) > 0 && r.Strict {
				// "No such name" beside the records: one of the two is
				// wrong, and dropping the records could widen permission.
				return fail(Lookup, resp.Rcode, fmt.Errorf("NXDOMAIN answer holds %s records", dns.TypeToString[qtype]))
			}
			e := &Error{Kind: NotFound, Name: target, Server: ex.Server, Rcode: resp.Rcode, NXDOMAIN: true,
				Err: fmt.Errorf("%s does not exist", last)}
			return a, e
		}
		if len(rrs) > 0 {
			a.RRs = rrs
			a.TTL = rrs[0].Header().Ttl
			for _, rr := range rrs[1:] {
				a.TTL = min(a.TTL, rr.Header().Ttl)
			}
			return a, nil
		}
		if last == cur {
			return a, &Error{Kind: NotFound, Name: target, Server: ex.Server, Rcode: resp.Rcode,
				Err: fmt.Errorf("%s has no %s record", cur, dns.TypeToString[qtype])}
		}
		cur = last // the response ends on an alias: ask for its target
	}
}

// Query sends one question and checks the response: a transport failure,
// a reply to another question, truncation, an rcode other than NOERROR
// and NXDOMAIN, and (when validating) a bogus or indeterminate verdict
// are *Errors. The response is returned as it came, TTLs capped by the
// validator.
func (r *Resolver) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, Exchange, error) {
	resp, ex, err := r.query(ctx, dns.Fqdn(name), qtype)
	if err != nil {
		err.Name = strings.TrimSuffix(dns.Fqdn(name), ".")
		return nil, ex, err
	}
	return resp, ex, nil
}

func (r *Resolver) query(ctx context.Context, name string, qtype uint16) (*dns.Msg, Exchange, *Error) {
	m := newQuestion(name, qtype, r.Validator != nil) // DO: send the signatures
	m.RecursionDesired = !r.NoRecursion
	if r.Validator != nil {
		m.CheckingDisabled = !r.NoRecursion
	} else {
		m.AuthenticatedData = true // ask for the AD bit (RFC 6840 section 5.7)
	}
	ex := Exchange{Question: dns.TypeToString[qtype] + " " + name, Server: r.Server, Time: time.Now().UTC()}
	var (
		resp   *dns.Msg
		err    error
		server string
	)
	if sr, ok := r.Exchanger.(SharedReporter); ok {
		resp, server, ex.Shared, err = sr.ExchangeShared(ctx, m)
	} else {
		resp, server, err = exchange(ctx, r.Exchanger, m)
	}
	if server != "" {
		ex.Server = server
	}
	ex.Duration = time.Since(ex.Time)
	if err == nil && resp == nil {
		err = errors.New("no response")
	}
	fail := func(kind Kind, rcode int, cause error) (*dns.Msg, Exchange, *Error) {
		ex.Err = cause
		return nil, ex, &Error{Kind: kind, Server: ex.Server, Rcode: rcode, Err: cause}
	}
	if err != nil {
		return fail(ClassifyNetErr(ctx, err), -1, err)
	}
	ex.Rcode = RcodeString(resp.Rcode)
	ex.AD = resp.AuthenticatedData
	if len(resp.Answer) > 0 {
		ex.Answer = make([]string, len(resp.Answer))
		for i, rr := range resp.Answer {
			ex.Answer[i] = rr.String()
		}
	}
	switch {
	case len(resp.Question) > 0 && !SameQuestion(m, resp):
		return fail(Lookup, -1, ErrQuestionMismatch)
	case resp.Truncated:
		return fail(Lookup, -1, errors.New("answer truncated"))
	case resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError:
		return fail(Lookup, resp.Rcode, fmt.Errorf("server answered %s", RcodeString(resp.Rcode)))
	}
	if r.Validator != nil {
		chainEx := r.Chain
		if chainEx == nil {
			chainEx = r.Exchanger
		}
		res := r.Validator.Validate(ctx, querier{chainEx}, resp)
		ex.DNSSEC, ex.Reason = res.Verdict, res.Reason
		switch res.Verdict {
		case dnssec.Secure, dnssec.Insecure:
		case dnssec.Indeterminate:
			e := &Error{Kind: Indeterminate, Server: ex.Server, Rcode: resp.Rcode, Reason: res.Reason, Err: errors.New(res.Reason)}
			ex.Err = e.Err
			return nil, ex, e
		default:
			e := &Error{Kind: Bogus, Server: ex.Server, Rcode: resp.Rcode, Reason: res.Reason, Err: errors.New(res.Reason)}
			ex.Err = e.Err
			return nil, ex, e
		}
	}
	return resp, ex, nil
}

// question is a query message with its one question and OPT record, so
// that a query costs one allocation rather than five.
type question struct {
	msg   dns.Msg
	q     [1]dns.Question
	opt   dns.OPT
	extra [1]dns.RR
}

// newQuestion is what Msg.SetQuestion and Msg.SetEdns0(DefaultUDPSize, do)
// make: a random ID, class IN, EDNS0.
func newQuestion(name string, qtype uint16, do bool) *dns.Msg {
	b := &question{q: [1]dns.Question{{Name: name, Qtype: qtype, Qclass: dns.ClassINET}}}
	b.opt.Hdr = dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}
	b.opt.SetUDPSize(DefaultUDPSize)
	if do {
		b.opt.SetDo()
	}
	b.extra[0] = &b.opt
	b.msg.Id = dns.Id()
	b.msg.Question, b.msg.Extra = b.q[:], b.extra[:]
	return &b.msg
}

// querier fetches DNSSEC chain material through an Exchanger: DO=1 and
// CD=1, so the validator sees bogus data itself.
type querier struct{ ex Exchanger }

func (q querier) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := newQuestion(dns.Fqdn(name), qtype, true)
	m.RecursionDesired = true
	m.CheckingDisabled = true
	r, err := q.ex.Exchange(ctx, m)
	if err == nil && r == nil {
		err = errors.New("no response")
	}
	if err != nil {
		return nil, err
	}
	if len(r.Question) > 0 && !SameQuestion(m, r) {
		return nil, ErrQuestionMismatch
	}
	return r, nil
}

// chain tracks the CNAME and DNAME links one lookup follows, across
// queries.
type chain struct {
	origin string   // the name asked first
	names  []string // the links followed, at most MaxChain
	strict bool
}

// has reports whether name is on the chain (a short list: no map).
func (ch *chain) has(name string) bool {
	return name == ch.origin || slices.Contains(ch.names, name)
}

// follow walks the links of answer from cur and returns the last name of
// the chain and the records of qtype owned by it (class IN). When strict,
// records of qtype owned by a name off the chain, or of another class,
// are an error: something is off, and dropping them could drop a
// restriction.
func (ch *chain) follow(cur string, qtype uint16, answer []dns.RR) (string, []dns.RR, error) {
	for qtype != dns.TypeCNAME && qtype != dns.TypeDNAME {
		next, err := nextLink(answer, cur)
		if err != nil {
			return "", nil, err
		}
		if next == "" {
			break
		}
		if ch.has(next) {
			return "", nil, fmt.Errorf("CNAME loop: %s is reached twice", next)
		}
		if len(ch.names) >= MaxChain {
			return "", nil, fmt.Errorf("more than %d CNAMEs from the name to its records", MaxChain)
		}
		ch.names = append(ch.names, next)
		cur = next
	}
	var rrs []dns.RR
	for _, rr := range answer {
		h := rr.Header()
		if h.Rrtype != qtype {
			continue
		}
		if h.Class != dns.ClassINET {
			if !ch.strict {
				continue
			}
			return "", nil, fmt.Errorf("answer holds a %s record of class %s, not IN", dns.TypeToString[qtype], dns.ClassToString[h.Class])
		}
		owner := dnsname.Canonical(h.Name)
		switch {
		case owner == cur:
			rrs = append(rrs, rr)
		case !ch.has(owner) && ch.strict:
			return "", nil, fmt.Errorf("answer holds %s records of %s, not on the chain of the name asked", dns.TypeToString[qtype], h.Name)
		}
	}
	return cur, rrs, nil
}

// nextLink returns where the answer's CNAME at cur leads, or the
// DNAME-substituted name when a DNAME owns an ancestor of cur (for a
// server that sent no synthesized CNAME); "" at the end of the chain.
func nextLink(answer []dns.RR, cur string) (string, error) {
	next := ""
	for _, rr := range answer {
		c, ok := rr.(*dns.CNAME)
		if !ok || dnsname.Canonical(c.Hdr.Name) != cur {
			continue
		}
		t := dnsname.Canonical(c.Target)
		if next != "" && next != t {
			return "", fmt.Errorf("%s has two different CNAMEs", cur)
		}
		next = t
	}
	if next != "" {
		return next, nil
	}
	for _, rr := range answer {
		d, ok := rr.(*dns.DNAME)
		if !ok {
			continue
		}
		owner := dnsname.Canonical(d.Hdr.Name)
		if owner != cur && dns.IsSubDomain(owner, cur) {
			t := dnsname.Canonical(strings.TrimSuffix(cur, owner) + dns.Fqdn(d.Target))
			if _, ok := dns.IsDomainName(t); !ok || len(t) > 255 {
				return "", fmt.Errorf("DNAME at %s makes %s too long a name", owner, cur)
			}
			return t, nil
		}
	}
	return "", nil
}
