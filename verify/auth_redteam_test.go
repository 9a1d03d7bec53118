package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// authNet is an in-memory set of authoritative servers: addr -> zone,
// or an exchanger that misbehaves.
type authNet map[string]verify.Exchanger

func (n authNet) ExchangeServer(ctx context.Context, m *dns.Msg, addr string) (*dns.Msg, error) {
	ex, ok := n[addr]
	if !ok {
		return nil, &verify.Error{Kind: verify.ErrConnection, Target: addr}
	}
	return ex.Exchange(ctx, m)
}

const rtSOA = ` 300 IN SOA ns1.example.net. hostmaster.example.com. 1 7200 3600 1209600 300`

func rtRecursive() *verifytest.Zone {
	return verifytest.NewZone().MustAdd(
		`example.com.`+rtSOA,
		`example.com. 300 IN NS ns1.example.net.`,
		`example.com. 300 IN NS ns2.example.net.`,
		`ns1.example.net. 300 IN A 192.0.2.1`,
		`ns2.example.net. 300 IN A 192.0.2.2`,
		`_dnsauth.example.com. 300 IN TXT "v"`, // the resolver's cache says yes
	)
}

func rtAuthZone(value string) *verifytest.Zone {
	z := verifytest.NewZone().MustAdd(`example.com.` + rtSOA)
	if value != "" {
		z.MustAdd(`_dnsauth.example.com. 300 IN TXT "` + value + `"`)
	}
	return z
}

func TestRedteamAuthoritative(t *testing.T) {
	const owner = "_dnsauth.example.com"
	good := rtAuthZone("v")
	dropped := rtAuthZone("v")
	dropped.Drop(owner+".", dns.TypeTXT)
	servfail := rtAuthZone("v")
	servfail.SetRcode(owner+".", dns.TypeTXT, dns.RcodeServerFailure)
	lame := craft(func(q *dns.Msg) *dns.Msg { // answers, but without AA
		m := reply(q, dns.RcodeSuccess, false, rr(t, owner+`. 60 IN TXT "v"`))
		m.Authoritative = false
		return m
	})
	cases := []struct {
		name    string
		second  verify.Exchanger
		policy  verify.AuthPolicy
		outcome verify.Outcome
	}{
		{"one server times out", dropped, verify.AuthAll, verify.Undecided},
		{"one server SERVFAIL", servfail, verify.AuthAll, verify.Undecided},
		{"lame delegation", lame, verify.AuthAll, verify.Undecided},
		{"one server unreachable", nil, verify.AuthAll, verify.Undecided},
		{"one server has no record", rtAuthZone(""), verify.AuthAll, verify.NotVerified},
		{"one server has another value", rtAuthZone("old"), verify.AuthAll, verify.NotVerified},
		// AuthAny: one authoritative server that serves the value is
		// enough, whatever the others say (documented on AuthAny).
		{"AuthAny, other SERVFAIL", servfail, verify.AuthAny, verify.Verified},
		{"AuthAny, other times out", dropped, verify.AuthAny, verify.Verified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			an := authNet{"192.0.2.1:53": good}
			if tc.second != nil {
				an["192.0.2.2:53"] = tc.second
			}
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rtRecursive(), Authoritative: &verify.AuthOptions{Servers: an, Policy: tc.policy}}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			r, err := v.VerifyTXT(ctx, owner, "v")
			assert.Equal(t, tc.outcome, r.Outcome, "%v", err)
		})
	}

	t.Run("AuthAny, every server lame", func(t *testing.T) {
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rtRecursive(), Authoritative: &verify.AuthOptions{Servers: authNet{"192.0.2.1:53": lame, "192.0.2.2:53": lame}, Policy: verify.AuthAny}}
		r, err := v.VerifyTXT(context.Background(), owner, "v")
		require.Error(t, err)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("NS without addresses", func(t *testing.T) {
		rec := verifytest.NewZone().MustAdd(`example.com.`+rtSOA, `example.com. 300 IN NS ns1.example.net.`, `example.net.`+rtSOA)
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec, Authoritative: &verify.AuthOptions{Servers: authNet{}, Policy: verify.AuthAny}}
		r, err := v.VerifyTXT(context.Background(), owner, "v")
		require.ErrorIs(t, err, verify.ErrLookup)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
}
