// DNS lookups over any Exchanger: TXT, CNAME and A/AAAA, with CNAME
// chains followed, NXDOMAIN kept apart from NODATA, and one Evidence
// record per query sent.

package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// Limits on what one lookup accepts. Larger answers are refused
// (ErrLookup), never cut: a cut answer could drop the matching value or
// keep a stale one.
const (
	maxCNAMEHops  = resolve.MaxChain // CNAME and DNAME links followed from the owner to the records
	maxTXTRecords = 100              // TXT records in one RRset
	maxTXTBytes   = 64 << 10         // all joined TXT values of one RRset together
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
	Values        []string
	TTL           uint32        // the lowest TTL of the final RRset
	Authenticated bool          // every response on the way had the AD bit
	DNSSEC        DNSSECVerdict // the weakest verdict of the responses on the way
	Evidence      []Evidence    // one per query sent, failed ones included
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
	go func() { defer wg.Done(); res6, err6 = lookupRRs(ctx, ex, host, dns.TypeAAAA) }()
	go func() { defer wg.Done(); res4, err4 = lookupRRs(ctx, ex, host, dns.TypeA) }()
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
	res, err := lookupRRs(ctx, ex, owner, dns.TypeTXT)
	a := dnsAnswer{TTL: res.ttl, Authenticated: res.ad, DNSSEC: res.dnssec, Evidence: res.ev}
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
	res, err := lookupRRs(ctx, ex, owner, dns.TypeCNAME)
	a := dnsAnswer{TTL: res.ttl, Authenticated: res.ad, DNSSEC: res.dnssec, Evidence: res.ev}
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
	n, escaped := 0, false
	for _, s := range parts {
		n += len(s)
		escaped = escaped || strings.IndexByte(s, '\\') >= 0
	}
	if !escaped {
		if len(parts) == 1 {
			return parts[0]
		}
		return strings.Join(parts, "")
	}
	var b strings.Builder
	b.Grow(n)
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

// resolved is what lookupRRs found: the final RRset and the evidence.
type resolved struct {
	rrs    []dns.RR
	ttl    uint32
	ad     bool
	dnssec DNSSECVerdict
	ev     []Evidence
}

// dnsPath is an Exchanger with the DNSSEC setting of one check attached:
// the validator (nil: off), where the chain comes from (nil: the
// Exchanger itself) and, for one authoritative server, recursion off.
type dnsPath struct {
	Exchanger
	val   *dnssec.Validator
	chain Exchanger
	noRec bool
}

// resolverFor returns the resolution layer for ex: a dnsPath's setting,
// or plain resolution without validation for any other Exchanger.
func resolverFor(ex Exchanger) resolve.Resolver {
	r := resolve.Resolver{Exchanger: ex}
	if p, ok := ex.(*dnsPath); ok {
		r.Exchanger, r.Validator, r.Chain, r.NoRecursion = p.Exchanger, p.val, p.chain, p.noRec
	}
	r.Server = serverName(r.Exchanger)
	return r
}

// lookupRRs queries owner for qtype through ex and follows CNAMEs and
// DNAMEs (except for qtype CNAME), as the resolution layer does. It
// returns a non-empty RRset owned by the last name of the chain, or an
// *Error: ErrNotFound (NXDOMAIN / NODATA in Seen), ErrLookup (error rcode,
// truncation, CNAME loop or too many hops), ErrDNSSECBogus,
// ErrDNSSECIndeterminate, or the transport's kind.
func lookupRRs(ctx context.Context, ex Exchanger, owner string, qtype uint16) (resolved, error) {
	rs := resolverFor(ex)
	a, err := rs.Lookup(ctx, dnsname.FQDN(owner), qtype)
	res := resolved{rrs: a.RRs, ttl: a.TTL, ad: a.AD, dnssec: a.DNSSEC, ev: evidenceOf(a.Exchanges)}
	if err == nil {
		return res, nil
	}
	e := fromResolve(err, serverName(ex))
	var re *resolve.Error
	if errors.As(err, &re) && re.Kind == resolve.NotFound {
		blameNegative(e, re, a, qtype)
	}
	return res, e
}

// blameNegative says in the user's terms which name lacks what: the name
// asked, or the name its CNAME points to.
func blameNegative(err error, re *resolve.Error, a resolve.Answer, qtype uint16) {
	var e *Error
	if !errors.As(err, &e) {
		return
	}
	target, typ, end := re.Name, dns.TypeToString[qtype], trimDot(a.Name)
	viaCNAME := len(a.Chain) > 0 && end != "" && !strings.EqualFold(end, target)
	switch {
	case re.NXDOMAIN && viaCNAME:
		e.Err = fmt.Errorf("%s is a CNAME to %s, which does not exist (NXDOMAIN)", target, end)
		e.Hint = fmt.Sprintf("point the CNAME at %s to a name that exists, or replace it with the record", target)
	case re.NXDOMAIN:
		e.Err = fmt.Errorf("%s does not exist (NXDOMAIN)", target)
	case viaCNAME:
		e.Err = fmt.Errorf("%s is a CNAME to %s, which has no %s record (NODATA)", target, end, typ)
		e.Hint = fmt.Sprintf("add the %s record at %s, where the CNAME at %s points, or replace the CNAME with the record", typ, end, target)
	default:
		e.Err = fmt.Errorf("%s has no %s record (NODATA)", target, typ)
	}
}

// evidenceOf turns the layer's records of queries into Evidence.
func evidenceOf(exs []resolve.Exchange) []Evidence {
	out := make([]Evidence, len(exs))
	for i, x := range exs {
		out[i] = Evidence{
			Protocol:      "dns",
			Query:         x.Question,
			Server:        x.Server,
			Rcode:         x.Rcode,
			Answer:        x.Answer,
			Authenticated: x.AD,
			DNSSEC:        x.DNSSEC,
			Shared:        x.Shared,
			Time:          x.Time,
			Duration:      x.Duration,
		}
		if x.Err != nil {
			out[i].Error = x.Err.Error()
			var e *Error
			if errors.As(x.Err, &e) && e.Server != "" && !strings.Contains(e.Server, ",") {
				out[i].Server = e.Server // the one server that failed
			}
		}
	}
	return out
}

// DNS hints for transport failures: the DNS server is to blame, not the
// applicant's web server.
const (
	hintDNSConnection = "the DNS server refused the connection or could not be reached: check the resolver address (or, in authoritative mode, the zone's NS records) and retry"
	hintDNSTimeout    = "the DNS server did not answer in time: check that the resolver (or the zone's name servers) answers from the CA's network, and retry"
)

// fromResolve maps the layer's failure onto an *Error. A transport
// failure that the Exchanger reported as an *Error keeps its kind.
func fromResolve(err error, server string) error {
	var re *resolve.Error
	if !errors.As(err, &re) {
		return err
	}
	var e *Error
	if te := (*Error)(nil); errors.As(re.Err, &te) && re.Kind != resolve.Bogus && re.Kind != resolve.Indeterminate {
		e = newError(te.Kind, re.Name, te.Err)
		if te.Err == nil {
			e.Err = te
		}
		e.Hint = cmp.Or(te.Hint, e.Hint)
		e.Server = cmp.Or(te.Server, re.Server, server)
		e.Seen = te.Seen
		return e
	}
	switch re.Kind {
	case resolve.NotFound:
		e = newError(ErrNotFound, re.Name, re.Err)
		e.Seen = []string{seenNODATA}
		if re.NXDOMAIN {
			e.Seen = []string{seenNXDOMAIN}
		}
	case resolve.Timeout:
		e = newError(ErrTimeout, re.Name, re.Err)
		e.Hint = hintDNSTimeout
	case resolve.Connection:
		e = newError(ErrConnection, re.Name, re.Err)
		e.Hint = hintDNSConnection
	case resolve.BadInput:
		e = newError(ErrBadInput, re.Name, re.Err)
	case resolve.Bogus:
		e = newError(ErrDNSSECBogus, re.Name, re.Err)
		e.Hint = dnssecHint(re.Reason, "the zone's DNSSEC is broken; every CA will refuse it: fix the signatures or the DS at the parent")
	case resolve.Indeterminate:
		e = newError(ErrDNSSECIndeterminate, re.Name, re.Err)
		e.Hint = dnssecHint(re.Reason, "the DNSSEC chain could not be fetched: use a DNSSEC-aware resolver and retry")
	default:
		e = newError(ErrLookup, re.Name, re.Err)
		if re.Rcode >= 0 {
			e.Seen = []string{resolve.RcodeString(re.Rcode)}
		}
	}
	e.Server = cmp.Or(re.Server, server)
	return e
}

// dnssecHint puts the broken link first, then what to do.
func dnssecHint(reason, what string) string {
	if reason == "" {
		return what
	}
	return reason + "; " + what
}

// query sends one question for name through the layer and records the
// evidence; the response's rcode is not judged (findZone needs NXDOMAIN).
func query(ctx context.Context, ex Exchanger, name string, qtype uint16) (*dns.Msg, Evidence, error) {
	rs := resolverFor(ex)
	r, x, err := rs.Query(ctx, name, qtype)
	ev := evidenceOf([]resolve.Exchange{x})[0]
	if err != nil {
		return nil, ev, fromResolve(err, serverName(ex))
	}
	return r, ev, nil
}

// serverName describes ex for evidence, if it can say.
func serverName(ex Exchanger) string {
	if p, ok := ex.(*dnsPath); ok {
		return serverName(p.Exchanger)
	}
	if s, ok := ex.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}

func trimDot(name string) string { return strings.TrimSuffix(name, ".") }
