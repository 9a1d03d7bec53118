package caa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/miekg/dns"
)

// maxChain bounds the CNAMEs one answer may chain through; a longer chain
// without a final answer is treated as a failed lookup (a loop, most
// likely), as resolvers do.
const maxChain = 16

// relevantSet is the RRset that governs a name, and where it came from.
type relevantSet struct {
	name   string // level whose answer was non-empty; "" if none anywhere
	target string // end of the CNAME chain at name, if any
	rrs    []*dns.CAA
	ttl    uint32
	ad     bool // every answer consulted, up to and including name's, had AD
}

// levelResult is the answer for one level: its CAA records (empty for
// NXDOMAIN / NODATA) or why there is no usable answer.
type levelResult struct {
	rrs    []*dns.CAA
	target string
	ad     bool
	nx     bool // the name does not exist (NXDOMAIN)
	err    error
}

// levels returns name and its ancestors down to and including the TLD:
// the names RFC 8659 section 3 climbs, root excluded.
func levels(name string) []string {
	return dnsname.Parents(name, name[strings.LastIndexByte(name, '.')+1:])
}

// relevant queries every level of name at once and returns the first
// non-empty RRset from the bottom. A failure at or below that level is an
// error; answers above it are not waited for.
func relevant(ctx context.Context, ex Exchanger, name string) (relevantSet, error) {
	names := levels(name)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	results := make([]chan levelResult, len(names))
	for i, n := range names {
		results[i] = make(chan levelResult, 1)
		wg.Go(func() { results[i] <- query(ctx, ex, n) })
	}

	ad := true
	for i, n := range names {
		r := <-results[i]
		if r.err != nil {
			return relevantSet{}, r.err
		}
		ad = ad && r.ad
		if r.nx && i == len(names)-1 {
			// A removed or made-up top-level domain is never "no CAA
			// records, unrestricted".
			return relevantSet{}, &LookupError{Name: n, Rcode: dns.RcodeNameError,
				Err: fmt.Errorf("the top-level domain %s does not exist", n)}
		}
		if len(r.rrs) == 0 {
			continue
		}
		ttl := r.rrs[0].Hdr.Ttl
		for _, rr := range r.rrs[1:] {
			ttl = min(ttl, rr.Hdr.Ttl)
		}
		return relevantSet{name: n, target: r.target, rrs: r.rrs, ttl: ttl, ad: ad}, nil
	}
	return relevantSet{ad: ad}, nil
}

// query asks for the CAA RRset at name and interprets the answer.
func query(ctx context.Context, ex Exchanger, name string) levelResult {
	fail := func(rcode int, err error) levelResult {
		return levelResult{err: &LookupError{Name: name, Rcode: rcode, Err: err}}
	}
	qname := dnsname.FQDN(name)
	m := new(dns.Msg)
	m.SetQuestion(qname, dns.TypeCAA)
	m.RecursionDesired = true
	m.AuthenticatedData = true // ask for the AD bit (RFC 6840 section 5.7)

	resp, err := ex.Exchange(ctx, m)
	switch {
	case err != nil:
		return fail(-1, err)
	case resp == nil:
		return fail(-1, errors.New("no response"))
	case resp.Truncated:
		return fail(-1, errors.New("truncated answer: the resolver client must retry over TCP"))
	case len(resp.Question) > 0 && (resp.Question[0].Qtype != dns.TypeCAA ||
		!strings.EqualFold(resp.Question[0].Name, qname)):
		return fail(-1, errors.New("answer to another question"))
	case resp.Rcode == dns.RcodeNameError:
		for _, rr := range resp.Answer {
			if _, ok := rr.(*dns.CAA); ok {
				// "No such name" beside CAA records: one of the two is
				// wrong, and dropping the records would widen permission.
				return fail(resp.Rcode, errors.New("NXDOMAIN answer holds CAA records"))
			}
		}
		return levelResult{ad: resp.AuthenticatedData, nx: true}
	case resp.Rcode != dns.RcodeSuccess:
		return fail(resp.Rcode, nil)
	}

	// Follow the CNAME (or DNAME) chain the resolver put in the answer;
	// the CAA records at its end are this name's (RFC 8659 section 3).
	cur := dns.CanonicalName(qname)
	chain := map[string]bool{cur: true}
	hops := 0
	for {
		next := nextInChain(resp.Answer, cur)
		if next == "" {
			break
		}
		if chain[next] {
			return fail(-1, errors.New("CNAME loop at "+next))
		}
		if hops++; hops > maxChain {
			return fail(-1, errors.New("CNAME chain too long"))
		}
		chain[next] = true
		cur = next
	}
	var rrs []*dns.CAA
	for _, rr := range resp.Answer {
		c, ok := rr.(*dns.CAA)
		if !ok {
			continue
		}
		if c.Hdr.Class != dns.ClassINET {
			return fail(-1, fmt.Errorf("answer holds a CAA record of class %s, not IN", dns.ClassToString[c.Hdr.Class]))
		}
		if !chain[dns.CanonicalName(c.Hdr.Name)] {
			// Not for the name asked nor its aliases: something is off,
			// and dropping a restriction would widen permission.
			return fail(-1, errors.New("answer holds CAA records of "+c.Hdr.Name+", not on the CNAME chain of the name asked"))
		}
		rrs = append(rrs, c)
	}
	if len(rrs) == 0 && hops >= maxChain {
		return fail(-1, errors.New("CNAME chain too long"))
	}
	r := levelResult{rrs: rrs, ad: resp.AuthenticatedData}
	if hops > 0 {
		r.target = strings.TrimSuffix(cur, ".")
	}
	return r
}

// nextInChain returns where the answer's CNAME at cur leads, or the
// DNAME-substituted name when a DNAME owns an ancestor of cur (for a
// resolver that sent no synthesized CNAME); "" at the end of the chain.
func nextInChain(answer []dns.RR, cur string) string {
	for _, rr := range answer {
		if c, ok := rr.(*dns.CNAME); ok && dns.CanonicalName(c.Hdr.Name) == cur {
			return dns.CanonicalName(c.Target)
		}
	}
	for _, rr := range answer {
		d, ok := rr.(*dns.DNAME)
		if !ok {
			continue
		}
		owner := dns.CanonicalName(d.Hdr.Name)
		if owner != cur && dns.IsSubDomain(owner, cur) {
			return dns.CanonicalName(strings.TrimSuffix(cur, owner) + dns.Fqdn(d.Target))
		}
	}
	return ""
}
