package caa

import (
	"context"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// relevantSet is the RRset that governs a name, and where it came from.
type relevantSet struct {
	name    string // level whose answer was non-empty; "" if none anywhere
	target  string // end of the CNAME chain at name, if any
	rrs     []*dns.CAA
	records []string // rrs in presentation form
	ttl     uint32
	ad      bool          // every answer consulted, up to and including name's, had AD
	dnssec  DNSSECVerdict // the weakest verdict of those answers
	from    *sharedLevel  // the batch's lookup of name, when shared
}

// levelResult is the answer for one level: its CAA records (empty for
// NXDOMAIN / NODATA) or why there is no usable answer.
type levelResult struct {
	rrs     []*dns.CAA
	records []string // rrs in presentation form, made once per answer
	target  string
	ad      bool
	dnssec  DNSSECVerdict
	nx      bool // the name does not exist (NXDOMAIN)
	err     error
}

// levels returns name and its ancestors down to and including the TLD:
// the names RFC 8659 section 3 climbs, root excluded.
func levels(name string) []string {
	return dnsname.Parents(name, name[strings.LastIndexByte(name, '.')+1:])
}

// relevant queries every level of name at once and returns the first
// non-empty RRset from the bottom. A failure at or below that level is an
// error; answers above it are not waited for. Levels b shares are read
// from its flights, the others asked here.
func relevant(ctx context.Context, r *resolve.Resolver, name string, b *batch) (relevantSet, error) {
	names := levels(name)
	own := len(names)
	if b != nil {
		own = b.shared(names) // started before the own levels are asked
	}
	ad := true
	var (
		verdict DNSSECVerdict
		out     relevantSet
		err     error
	)
	found := false
	decide := func(i int, res levelResult) bool {
		n := names[i]
		if res.err != nil {
			err = res.err
			return true
		}
		ad = ad && res.ad
		verdict = dnssec.Weakest(verdict, res.dnssec)
		if res.nx && i == len(names)-1 {
			// A removed or made-up top-level domain is never "no CAA
			// records, unrestricted".
			err = &LookupError{Name: n, Rcode: dns.RcodeNameError,
				Err: fmt.Errorf("the top-level domain %s does not exist", n)}
			return true
		}
		if len(res.rrs) == 0 {
			return false
		}
		ttl := res.rrs[0].Hdr.Ttl
		for _, rr := range res.rrs[1:] {
			ttl = min(ttl, rr.Hdr.Ttl)
		}
		out = relevantSet{name: n, target: res.target, rrs: res.rrs, records: res.records,
			ttl: ttl, ad: ad, dnssec: verdict}
		found = true
		return true
	}
	done := false
	resolve.Levels(ctx, names[:own], func(ctx context.Context, n string) levelResult {
		return query(ctx, r, n)
	}, func(i int, res levelResult) bool {
		done = decide(i, res)
		return done
	})
	for i := own; !done && i < len(names); i++ {
		done = decide(i, b.wait(ctx, names[i]))
		if found {
			out.from = b.flights[names[i]]
		}
	}
	if err != nil {
		return relevantSet{}, err
	}
	if !found {
		out = relevantSet{ad: ad, dnssec: verdict}
	}
	return out, nil
}

// query asks for the CAA RRset at name through the resolution layer (CNAME
// and DNAME chains followed; RFC 8659 section 3) and interprets the
// answer: NXDOMAIN and NODATA are an empty level, anything else that is
// not an RRset is a *LookupError.
func query(ctx context.Context, r *resolve.Resolver, name string) levelResult {
	a, err := r.Lookup(ctx, name, dns.TypeCAA)
	re, _ := err.(*resolve.Error) // Lookup's only kind of error
	if re != nil && re.Kind == resolve.NotFound {
		return levelResult{ad: a.AD, dnssec: a.DNSSEC, nx: re.NXDOMAIN}
	}
	if err != nil {
		le := &LookupError{Name: name, Rcode: -1, Err: err}
		if re != nil {
			le.Rcode = re.Rcode
			switch re.Kind {
			case resolve.Bogus:
				le.DNSSEC, le.Reason = DNSSECBogus, re.Reason
			case resolve.Indeterminate:
				le.DNSSEC, le.Reason = DNSSECIndeterminate, re.Reason
			}
		}
		return levelResult{err: le}
	}
	res := levelResult{ad: a.AD, dnssec: a.DNSSEC}
	for _, rr := range a.RRs {
		if c, ok := rr.(*dns.CAA); ok {
			res.rrs = append(res.rrs, c)
			res.records = append(res.records, strings.ReplaceAll(c.String(), "\t", " "))
		}
	}
	if len(a.Chain) > 0 {
		res.target = strings.TrimSuffix(a.Name, ".")
	}
	return res
}
