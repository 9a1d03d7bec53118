package verify_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/verify"
)

// dnsTWireTXT builds a response to "x.example. TXT" holding one TXT record
// per raw value, each split into character-strings of at most 255 bytes.
func dnsTWireTXT(raws ...string) []byte {
	msg := []byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, byte(len(raws)), 0, 0, 0, 0}
	msg = append(msg, 1, 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 16, 0, 1)
	for _, raw := range raws {
		var rdata []byte
		for first := true; first || raw != ""; first = false {
			n := min(len(raw), 255)
			rdata = append(rdata, byte(n))
			rdata = append(rdata, raw[:n]...)
			raw = raw[n:]
		}
		msg = append(msg, 0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 0)
		msg = binary.BigEndian.AppendUint16(msg, uint16(len(rdata)))
		msg = append(msg, rdata...)
	}
	return msg
}

// FuzzTXTJoin checks that the values read from the wire are exactly the
// bytes published, whatever they hold (quotes, backslashes, NUL, non-UTF-8,
// digits after a backslash), however they are split.
func FuzzTXTJoin(f *testing.F) {
	f.Add("abc", "def")
	f.Add(`a"b\c`, "\x00\xff\\065")
	f.Add("", "\\")
	f.Add(string(make([]byte, 600)), "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a)+len(b) > 30000 {
			return
		}
		m := new(dns.Msg)
		if err := m.Unpack(dnsTWireTXT(a, b)); err != nil {
			t.Fatalf("unpack: %v", err)
		}
		values, err := verify.TxtValues(m.Answer)
		if err != nil {
			t.Fatal(err)
		}
		if len(values) != 2 || values[0] != a || values[1] != b {
			t.Fatalf("got %q, want %q", values, []string{a, b})
		}
	})
}

// FuzzDNSResponse feeds arbitrary bytes as the resolver's answer to every
// lookup: no panic, no endless loop, and never an empty success.
func FuzzDNSResponse(f *testing.F) {
	seed := func(m *dns.Msg) {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	q := new(dns.Msg).SetQuestion("a.b.example.com.", dns.TypeTXT)
	r := new(dns.Msg).SetReply(q)
	r.Answer = []dns.RR{dnsTRR(`a.b.example.com. 60 IN TXT "v" "w"`)}
	seed(r)
	r = new(dns.Msg).SetReply(q)
	r.Answer = []dns.RR{dnsTRR(`a.b.example.com. 60 IN CNAME a.b.example.com.`)}
	seed(r)
	r = new(dns.Msg).SetReply(q)
	r.Answer = []dns.RR{dnsTRR(`a.b.example.com. 60 IN CNAME c.example.com.`), dnsTRR(`c.example.com. 60 IN A 192.0.2.1`),
		dnsTRR(`a.b.example.com. 60 IN SOA ns.example.com. h.example.com. 1 2 3 4 5`), dnsTRR(`a.b.example.com. 60 IN NS ns.example.com.`)}
	seed(r)
	seed(new(dns.Msg).SetRcode(q, dns.RcodeNameError))
	f.Add(dnsTWireTXT("x"))
	f.Add([]byte{0, 0, 0x81, 0x80, 0, 0, 0, 1})

	f.Fuzz(func(t *testing.T, data []byte) {
		base := new(dns.Msg)
		if err := base.Unpack(data); err != nil {
			return
		}
		// Answer each query with the fuzzed message, its question set to
		// the one asked so the interpretation is reached.
		ex := dnsTFunc(func(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
			r := base.Copy()
			r.Id = m.Id
			if len(r.Question) > 0 {
				r.Question = []dns.Question{m.Question[0]}
			}
			r.AuthenticatedData = base.AuthenticatedData
			return r, nil
		})
		ctx := context.Background()
		if a, err := verify.LookupTXT(ctx, ex, "a.b.example.com"); err == nil && len(a.Values) == 0 {
			t.Fatal("TXT: empty success")
		}
		if a, err := verify.LookupCNAME(ctx, ex, "a.b.example.com"); err == nil && len(a.Values) == 0 {
			t.Fatal("CNAME: empty success")
		}
		if ips, _, err := verify.LookupIP(ctx, ex, "a.b.example.com"); err == nil && len(ips) == 0 {
			t.Fatal("IP: empty success")
		}
		if _, s, _, err := verify.AuthoritativeServers(ctx, ex, "a.b.example.com", ""); err == nil && len(s) == 0 {
			t.Fatal("authoritative: no servers without an error")
		}
		// The raw message, question as it came.
		raw := dnsTFunc(func(context.Context, *dns.Msg) (*dns.Msg, error) { return base.Copy(), nil })
		if a, err := verify.LookupTXT(ctx, raw, "a.b.example.com"); err == nil && len(a.Values) == 0 {
			t.Fatal("TXT (raw): empty success")
		}
	})
}
