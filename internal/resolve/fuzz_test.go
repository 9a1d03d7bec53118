package resolve_test

import (
	"context"
	"testing"

	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// FuzzLookup answers every query with the fuzzed message (its question
// set to the one asked, so the interpretation is reached, or left as it
// came) and checks that the layer never panics and never returns an empty
// success or records of another type.
func FuzzLookup(f *testing.F) {
	seed := func(rrs ...string) {
		m := new(dns.Msg).SetQuestion("a.example.", dns.TypeTXT)
		m.Response = true
		for _, s := range rrs {
			rr, err := dns.NewRR(s)
			if err != nil {
				f.Fatal(err)
			}
			m.Answer = append(m.Answer, rr)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	seed(`a.example. 60 IN TXT "v"`)
	seed(`a.example. 60 IN CNAME b.example.`, `b.example. 60 IN TXT "v"`)
	seed(`example. 60 IN DNAME other.`, `a.other. 60 IN CAA 0 issue "ca"`)
	seed(`a.example. 60 IN CNAME a.example.`)
	f.Add([]byte{0, 0, 0x81, 0x83, 0, 0, 0, 0, 0, 0, 0, 0}, false)

	f.Fuzz(func(t *testing.T, data []byte, fixQuestion bool) {
		base := new(dns.Msg)
		if base.Unpack(data) != nil {
			return
		}
		ex := exFunc(func(m *dns.Msg) (*dns.Msg, error) {
			r := base.Copy()
			r.Id = m.Id
			if fixQuestion && len(r.Question) > 0 {
				r.Question = []dns.Question{m.Question[0]}
			}
			return r, nil
		})
		for _, qtype := range []uint16{dns.TypeTXT, dns.TypeCAA, dns.TypeCNAME, dns.TypeA} {
			for _, strict := range []bool{false, true} {
				a, err := (&resolve.Resolver{Exchanger: ex, Strict: strict}).Lookup(context.Background(), "a.example", qtype)
				if err != nil {
					continue
				}
				if len(a.RRs) == 0 {
					t.Fatalf("%s: success without records", dns.TypeToString[qtype])
				}
				for _, rr := range a.RRs {
					if rr.Header().Rrtype != qtype || rr.Header().Class != dns.ClassINET {
						t.Fatalf("%s: answer holds %s", dns.TypeToString[qtype], rr)
					}
				}
				if len(a.Chain) > resolve.MaxChain {
					t.Fatalf("chain of %d links", len(a.Chain))
				}
			}
		}
	})
}
