// DNS lookups over any Exchanger: TXT, CNAME and A/AAAA, with CNAME
// chains followed, NXDOMAIN kept apart from NODATA, and one Evidence
// record per query sent.

package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

// Limits on what one lookup accepts. Larger answers are refused
// (ErrLookup), never cut: a cut answer could drop the matching value or
// keep a stale one.
const (
	maxCNAMEHops  = 8        // CNAMEs followed from the owner to the records
	maxTXTRecords = 100      // TXT records in one RRset
	maxTXTBytes   = 64 << 10 // all joined TXT values of one RRset together
)

// Negative answers, as they appear in Error.Seen for ErrNotFound.
const (
	seenNXDOMAIN = "NXDOMAIN"
	seenNODATA   = "NODATA"
)

// IsNXDOMAIN reports whether err is a "record not found" error because the
// name does not exist at all (NXDOMAIN).
func IsNXDOMAIN(err error) bool { return isNegative(err, seenNXDOMAIN) }

// IsNODATA reports whether err is a "record not found" error because the
// name exists but has no record of the type asked (NODATA).
func IsNODATA(err error) bool { return isNegative(err, seenNODATA) }

func isNegative(err error, what string) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == ErrNotFound && slices.Contains(e.Seen, what)
}

// dnsAnswer is the result of one lookup.
type dnsAnswer struct {
	// Values: TXT, one string per record with its character-strings
	// joined; CNAME, the lower-case target with a trailing dot; A/AAAA,
	// the addresses.
	Values   []string
	TTL      uint32     // the lowest TTL of the final RRset
	AD       bool       // every response on the way was DNSSEC-authenticated
	Evidence []Evidence // one per query sent, failed ones included
}

// lookupIP returns the addresses of host, AAAA first then A; the two are
// queried concurrently. One family without addresses (NXDOMAIN or NODATA)
// is fine; neither is ErrNotFound. Any other failure of either family is
// an error: the caller must see the whole address set or none of it.
func lookupIP(ctx context.Context, ex Exchanger, host string) ([]netip.Addr, []Evidence, error) {
	var (
		wg         sync.WaitGroup
		res4, res6 resolved
		err4, err6 error
	)
	wg.Add(2)
	go func() { defer wg.Done(); res6, err6 = resolve(ctx, ex, host, dns.TypeAAAA) }()
	go func() { defer wg.Done(); res4, err4 = resolve(ctx, ex, host, dns.TypeA) }()
	wg.Wait()
	ev := append(res6.ev, res4.ev...)

	for _, err := range []error{err6, err4} {
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, ev, err
		}
	}
	if err6 != nil && err4 != nil {
		e := newError(ErrNotFound, trimDot(host), errors.New("no A or AAAA record (NODATA)"))
		e.Seen = []string{seenNODATA}
		if IsNXDOMAIN(err6) && IsNXDOMAIN(err4) {
			e.Err = fmt.Errorf("%s does not exist (NXDOMAIN)", trimDot(host))
			e.Seen = []string{seenNXDOMAIN}
		}
		e.Hint = "add an A or AAAA record for " + trimDot(host)
		e.Server = serverName(ex)
		return nil, ev, e
	}
	var addrs []netip.Addr
	for _, rr := range append(res6.rrs, res4.rrs...) {
		var ip []byte
		switch v := rr.(type) {
		case *dns.AAAA:
			ip = v.AAAA
		case *dns.A:
			ip = v.A
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			if _, isA := rr.(*dns.A); isA {
				a = a.Unmap()
			}
			if !slices.Contains(addrs, a) {
				addrs = append(addrs, a)
			}
		}
	}
	if len(addrs) == 0 {
		e := newError(ErrLookup, trimDot(host), errors.New("address records hold no valid address"))
		e.Server = serverName(ex)
		return nil, ev, e
	}
	return addrs, ev, nil
}

// lookupTXT returns the TXT records at owner, following CNAMEs.
func lookupTXT(ctx context.Context, ex Exchanger, owner string) (dnsAnswer, error) {
	res, err := resolve(ctx, ex, owner, dns.TypeTXT)
	a := dnsAnswer{TTL: res.ttl, AD: res.ad, Evidence: res.ev}
	if err != nil {
		return a, err
	}
	a.Values, err = txtValues(res.rrs)
	if err != nil {
		e := newError(ErrLookup, trimDot(owner), err)
		e.Server = serverName(ex)
		return dnsAnswer{Evidence: res.ev}, e
	}
	return a, nil
}

// lookupCNAME returns the CNAME at owner itself (one hop, not chased).
func lookupCNAME(ctx context.Context, ex Exchanger, owner string) (dnsAnswer, error) {
	res, err := resolve(ctx, ex, owner, dns.TypeCNAME)
	a := dnsAnswer{TTL: res.ttl, AD: res.ad, Evidence: res.ev}
	if err != nil {
		return a, err
	}
	for _, rr := range res.rrs {
		if c, ok := rr.(*dns.CNAME); ok {
			a.Values = append(a.Values, dns.CanonicalName(c.Target))
		}
	}
	return a, nil
}

// txtValues joins the character-strings of each TXT record, unescaped to
// the bytes on the wire, within the limits above.
func txtValues(rrs []dns.RR) ([]string, error) {
	if len(rrs) > maxTXTRecords {
		return nil, fmt.Errorf("%d TXT records, more than the limit of %d", len(rrs), maxTXTRecords)
	}
	var out []string
	total := 0
	for _, rr := range rrs {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		v := joinTXT(t.Txt)
		total += len(v)
		if total > maxTXTBytes {
			return nil, fmt.Errorf("TXT records hold more than %d bytes", maxTXTBytes)
		}
		out = append(out, v)
	}
	return out, nil
}

// joinTXT concatenates character-strings as miekg/dns holds them
// (presentation escapes: \" \\ \DDD) back into the raw bytes.
func joinTXT(parts []string) string {
	var b strings.Builder
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '\\' || i+1 >= len(s) {
				b.WriteByte(c)
				continue
			}
			i++
			if i+2 < len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
				n := int(s[i]-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')
				b.WriteByte(byte(n))
				i += 2
				continue
			}
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// resolved is what resolve found: the final RRset and the evidence.
type resolved struct {
	rrs []dns.RR
	ttl uint32
	ad  bool
	ev  []Evidence
}

// resolve queries owner for qtype through ex and follows CNAMEs (except
// for qtype CNAME), re-querying the last name of a chain that ends without
// the records. It returns a non-empty RRset owned by the last name of the
// chain, or an *Error: ErrNotFound (NXDOMAIN / NODATA in Seen), ErrLookup
// (error rcode, truncation, CNAME loop or too many hops), or the
// transport's kind.
func resolve(ctx context.Context, ex Exchanger, owner string, qtype uint16) (resolved, error) {
	name := dns.CanonicalName(dnsname.FQDN(owner))
	target := trimDot(name)
	server := serverName(ex)
	var res resolved
	ad := true
	ch := chain{seen: map[string]bool{name: true}}
	cur := name
	for {
		r, ev, err := query(ctx, ex, cur, qtype)
		res.ev = append(res.ev, ev)
		if err != nil {
			return res, transportError(ctx, err, target, server)
		}
		ad = ad && r.AuthenticatedData
		if err := answerError(r, cur, qtype, target, server); err != nil {
			return res, err
		}
		last, rrs, err := ch.follow(cur, qtype, r.Answer)
		if err != nil {
			e := newError(ErrLookup, target, err)
			e.Server = server
			return res, e
		}
		if len(rrs) > 0 {
			res.rrs, res.ad = rrs, ad
			res.ttl = rrs[0].Header().Ttl
			for _, rr := range rrs {
				res.ttl = min(res.ttl, rr.Header().Ttl)
			}
			return res, nil
		}
		if last == cur {
			typ := dns.TypeToString[qtype]
			e := newError(ErrNotFound, target, fmt.Errorf("%s has no %s record (NODATA)", target, typ))
			if cur != name {
				e.Err = fmt.Errorf("%s is a CNAME to %s, which has no %s record (NODATA)", target, trimDot(cur), typ)
				e.Hint = fmt.Sprintf("add the %s record at %s, where the CNAME at %s points, or replace the CNAME with the record", typ, trimDot(cur), target)
			}
			e.Seen, e.Server = []string{seenNODATA}, server
			return res, e
		}
		cur = last // the chain ends on a CNAME: ask for its target
	}
}

// chain tracks the CNAMEs followed by one lookup, across queries.
type chain struct {
	seen map[string]bool
	hops int
}

// follow walks the CNAMEs of answer from cur and returns the last name of
// the chain and the records of qtype owned by it.
func (ch *chain) follow(cur string, qtype uint16, answer []dns.RR) (string, []dns.RR, error) {
	for qtype != dns.TypeCNAME {
		next := ""
		for _, rr := range answer {
			c, ok := rr.(*dns.CNAME)
			if !ok || !strings.EqualFold(c.Hdr.Name, cur) {
				continue
			}
			t := dns.CanonicalName(c.Target)
			if next != "" && next != t {
				return "", nil, fmt.Errorf("%s has two different CNAMEs", cur)
			}
			next = t
		}
		if next == "" {
			break
		}
		ch.hops++
		if ch.hops > maxCNAMEHops {
			return "", nil, fmt.Errorf("more than %d CNAMEs from the name to its records", maxCNAMEHops)
		}
		if ch.seen[next] {
			return "", nil, fmt.Errorf("CNAME loop: %s is reached twice", next)
		}
		ch.seen[next] = true
		cur = next
	}
	var rrs []dns.RR
	for _, rr := range answer {
		h := rr.Header()
		if h.Rrtype == qtype && h.Class == dns.ClassINET && strings.EqualFold(h.Name, cur) {
			rrs = append(rrs, rr)
		}
	}
	return cur, rrs, nil
}

// query sends one question for name and records the evidence.
func query(ctx context.Context, ex Exchanger, name string, qtype uint16) (*dns.Msg, Evidence, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.CheckingDisabled = false
	ev := Evidence{
		Protocol: "dns",
		Query:    dns.TypeToString[qtype] + " " + name,
		Server:   serverName(ex),
		Time:     time.Now().UTC(),
	}
	r, err := ex.Exchange(ctx, m)
	ev.Duration = time.Since(ev.Time)
	if err == nil && r == nil {
		err = errors.New("no response")
	}
	if err != nil {
		ev.Error = err.Error()
		return nil, ev, err
	}
	ev.Rcode = rcodeString(r.Rcode)
	ev.Authenticated = r.AuthenticatedData
	for _, rr := range r.Answer {
		ev.Answer = append(ev.Answer, rr.String())
	}
	return r, ev, nil
}

// answerError turns a response that cannot carry the answer into an
// *Error: NXDOMAIN is ErrNotFound, other error rcodes, truncation and a
// reply to another question are ErrLookup.
func answerError(r *dns.Msg, name string, qtype uint16, target, server string) error {
	fail := func(kind error, seen []string, cause error) *Error {
		e := newError(kind, target, cause)
		e.Seen, e.Server = seen, server
		return e
	}
	if len(r.Question) > 0 {
		q := r.Question[0]
		if len(r.Question) != 1 || q.Qtype != qtype || !strings.EqualFold(q.Name, name) {
			return fail(ErrLookup, nil, errQuestionMismatch)
		}
	}
	switch {
	case r.Rcode == dns.RcodeNameError:
		if end := cnameEnd(r.Answer, name); !strings.EqualFold(trimDot(end), target) {
			e := fail(ErrNotFound, []string{seenNXDOMAIN}, fmt.Errorf("%s is a CNAME to %s, which does not exist (NXDOMAIN)", target, trimDot(end)))
			e.Hint = fmt.Sprintf("point the CNAME at %s to a name that exists, or replace it with the record", target)
			return e
		}
		return fail(ErrNotFound, []string{seenNXDOMAIN}, fmt.Errorf("%s does not exist (NXDOMAIN)", target))
	case r.Rcode != dns.RcodeSuccess:
		rc := rcodeString(r.Rcode)
		return fail(ErrLookup, []string{rc}, fmt.Errorf("server answered %s", rc))
	case r.Truncated:
		return fail(ErrLookup, nil, errors.New("answer truncated"))
	}
	return nil
}

// transportError makes an *Error for a failed exchange, keeping the kind
// and server of an *Error from the Exchanger.
func transportError(ctx context.Context, err error, target, server string) error {
	var e *Error
	if errors.As(err, &e) {
		out := newError(e.Kind, target, e.Err)
		out.Server = server
		if e.Server != "" {
			out.Server = e.Server
		}
		if e.Err == nil {
			out.Err = err
		}
		return out
	}
	out := newError(classifyNetErr(ctx, err), target, err)
	out.Server = server
	return out
}

func rcodeString(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// serverName describes ex for evidence, if it can say.
func serverName(ex Exchanger) string {
	if s, ok := ex.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}

func trimDot(name string) string { return strings.TrimSuffix(name, ".") }

// cnameEnd follows the CNAMEs of answer from name and returns the last
// name reached (name itself without a CNAME); loops stop it.
func cnameEnd(answer []dns.RR, name string) string {
	for hops := 0; hops <= len(answer); hops++ {
		next := ""
		for _, rr := range answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
				next = c.Target
				break
			}
		}
		if next == "" {
			break
		}
		name = next
	}
	return name
}
