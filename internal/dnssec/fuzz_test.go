package dnssec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
)

// FuzzValidate feeds arbitrary responses to a validator whose chain comes
// from the signed lab hierarchy. It must never panic, and it may call an
// answer secure only if the answer carries signatures and every record in
// it is one the hierarchy really serves.
func FuzzValidate(f *testing.F) {
	h := testLab(f)
	seeds := []struct {
		name  string
		qtype uint16
	}{
		{"_dnsauth.example.com.", dns.TypeTXT}, {"nosuch.example.com.", dns.TypeTXT},
		{"www.example.com.", dns.TypeTXT}, {"a.wild.example.com.", dns.TypeTXT},
		{"nosuch.nsec3.org.", dns.TypeTXT}, {"a.wild.nsec3.org.", dns.TypeTXT},
		{"to-insecure.example.com.", dns.TypeA}, {"www.alias.example.com.", dns.TypeA},
		{"www.badds.com.", dns.TypeA}, {"nosuch.com.", dns.TypeTXT}, {"example.com.", dns.TypeDS},
	}
	for _, s := range seeds {
		m, err := h.Resolve(s.name, s.qtype, true)
		if err != nil {
			f.Fatal(err)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	v := newValidator(h)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return
		}
		r := v.Validate(context.Background(), h, m)
		if r.Verdict != dnssec.Secure {
			return
		}
		signed := false
		for _, rr := range append(append([]dns.RR(nil), m.Answer...), m.Ns...) {
			signed = signed || rr.Header().Rrtype == dns.TypeRRSIG
		}
		if !signed {
			t.Fatalf("an answer without any RRSIG was called secure: %v", m)
		}
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == dns.TypeRRSIG {
				continue
			}
			real, err := h.Resolve(rr.Header().Name, rr.Header().Rrtype, true)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, x := range real.Answer {
				found = found || (dns.IsDuplicate(x, rr) && strings.EqualFold(x.Header().Name, rr.Header().Name))
			}
			if !found {
				t.Fatalf("secure, but %v is not served by the zone", rr)
			}
		}
	})
}

// FuzzParseAnchors: never a panic; whatever is accepted is DS or DNSKEY.
func FuzzParseAnchors(f *testing.F) {
	f.Add(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n")
	f.Add("; comment\nlab. IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n")
	f.Add("$INCLUDE /etc/passwd\n")
	f.Add("x. IN A 1.2.3.4\n")
	f.Fuzz(func(t *testing.T, in string) {
		rrs, err := dnssec.ParseAnchors(strings.NewReader(in))
		if err != nil {
			return
		}
		if len(rrs) == 0 {
			t.Fatal("no anchors and no error")
		}
		for _, rr := range rrs {
			switch rr.(type) {
			case *dns.DS, *dns.DNSKEY:
			default:
				t.Fatalf("accepted %T", rr)
			}
		}
	})
}
