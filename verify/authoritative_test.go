package verify_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const dnsTSOA = ` 300 IN SOA ns1.example.net. hostmaster.example.com. 1 7200 3600 1209600 300`

// dnsTRecursive is the resolver's view: example.com with three NS names
// on 127.0.0.2-4, and a cached TXT value.
func dnsTRecursive() *verifytest.Zone {
	return verifytest.NewZone().MustAdd(
		`example.com.`+dnsTSOA,
		`example.com. 300 IN NS ns1.example.net.`,
		`example.com. 300 IN NS NS2.example.net.`,
		`example.com. 300 IN NS ns3.example.org.`,
		`ns1.example.net. 300 IN A 127.0.0.2`,
		`ns2.example.net. 300 IN A 127.0.0.3`,
		`ns3.example.org. 300 IN A 127.0.0.4`,
		`_dnsauth.example.com. 300 IN TXT "cached"`,
	)
}

// dnsTAuthServers starts three authoritative servers on 127.0.0.2-4, one
// port, serving the given TXT values at _dnsauth.example.com.
func dnsTAuthServers(t *testing.T, values ...string) ([]*verifytest.DNSServer, string) {
	t.Helper()
	zones := make([]*verifytest.Zone, len(values))
	for i, v := range values {
		zones[i] = verifytest.NewZone().MustAdd(`example.com.`+dnsTSOA, `_dnsauth.example.com. 300 IN TXT "`+v+`"`)
	}
	servers, port, err := verifytest.NewDNSServers(zones...)
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	return servers, port
}

func TestAuthoritativeServersAndPerServerCheck(t *testing.T) {
	servers, port := dnsTAuthServers(t, "new", "new", "old")
	rec := dnsTRecursive()
	recSrv := dnsTServer(t, rec)
	client := &verify.DNSClient{Servers: []string{recSrv.Addr()}, Timeout: time.Second, AllowPrivate: true}

	zone, auth, ev, err := verify.AuthoritativeServers(dnsTCtx(), client, "_dnsauth.example.com", port)
	require.NoError(t, err)
	assert.Equal(t, "example.com", zone)
	assert.Equal(t, []verify.AuthServer{
		{NS: "ns1.example.net", Addr: "127.0.0.2:" + port},
		{NS: "ns2.example.net", Addr: "127.0.0.3:" + port},
		{NS: "ns3.example.org", Addr: "127.0.0.4:" + port},
	}, auth)
	// SOA x2 (owner, apex), NS, then AAAA+A per NS name.
	require.Len(t, ev, 2+1+6)
	assert.Equal(t, "SOA _dnsauth.example.com.", ev[0].Query)
	assert.Equal(t, "SOA example.com.", ev[1].Query)
	assert.Equal(t, "NS example.com.", ev[2].Query)
	assert.Equal(t, "AAAA ns1.example.net.", ev[3].Query)

	// Each authoritative server asked directly tells its own value; the
	// resolver's cached one is not seen.
	var got []string
	for _, a := range auth {
		ans, err := verify.LookupTXT(dnsTCtx(), verify.AtServer(client, a.Addr), "_dnsauth.example.com")
		require.NoError(t, err, a.Addr)
		got = append(got, ans.Values...)
		require.Len(t, ans.Evidence, 1)
		assert.Equal(t, a.Addr, ans.Evidence[0].Server)
	}
	assert.Equal(t, []string{"new", "new", "old"}, got)
	for _, s := range servers {
		assert.Equal(t, 1, s.UDPQueries(), s.Addr())
	}
}

func TestAuthoritativeSOAWalkFromDeepName(t *testing.T) {
	rec := dnsTRecursive().MustAdd(
		`www.example.com. 300 IN CNAME example.net.`, // its SOA answer is owned by example.net
		`example.net.`+dnsTSOA,
	)
	zone, _, ev, err := verify.AuthoritativeServers(dnsTCtx(), rec, "_dnsauth.a.b.WWW.example.com.", "")
	require.NoError(t, err)
	assert.Equal(t, "example.com", zone)
	var soa []string
	for _, e := range ev {
		if q, ok := strings.CutPrefix(e.Query, "SOA "); ok {
			soa = append(soa, q)
		}
	}
	assert.Equal(t, []string{"_dnsauth.a.b.www.example.com.", "a.b.www.example.com.", "b.www.example.com.", "www.example.com.", "example.com."}, soa)
}

func TestAuthoritativeSubZone(t *testing.T) {
	rec := dnsTRecursive().MustAdd(
		`sub.example.com.`+dnsTSOA,
		`sub.example.com. 300 IN NS ns9.example.net.`,
		`ns9.example.net. 300 IN A 127.0.0.9`,
		`ns9.example.net. 300 IN AAAA ::1`,
	)
	zone, auth, _, err := verify.AuthoritativeServers(dnsTCtx(), rec, "_dnsauth.sub.example.com", "")
	require.NoError(t, err)
	assert.Equal(t, "sub.example.com", zone)
	assert.Equal(t, []verify.AuthServer{{NS: "ns9.example.net", Addr: "[::1]:53"}, {NS: "ns9.example.net", Addr: "127.0.0.9:53"}}, auth, "IPv6 first, default port 53")
}

func TestAuthoritativeServersSkipsUnreachableNSAndDedups(t *testing.T) {
	rec := dnsTRecursive().MustAdd(
		`example.com. 300 IN NS gone.example.net.`,
		`example.com. 300 IN NS noaddr.example.net.`,
		`example.com. 300 IN NS alias.example.net.`,
		`noaddr.example.net. 300 IN TXT "x"`,
		`alias.example.net. 300 IN A 127.0.0.2`,
	)
	_, auth, _, err := verify.AuthoritativeServers(dnsTCtx(), rec, "example.com", "5300")
	require.NoError(t, err)
	assert.Equal(t, []verify.AuthServer{
		{NS: "alias.example.net", Addr: "127.0.0.2:5300"},
		{NS: "ns2.example.net", Addr: "127.0.0.3:5300"},
		{NS: "ns3.example.org", Addr: "127.0.0.4:5300"},
	}, auth, "names without addresses skipped; 127.0.0.2 listed once")
}

func TestAuthoritativeServersFailures(t *testing.T) {
	cases := map[string]struct {
		setup func(z *verifytest.Zone)
		kind  error
		want  string
	}{
		"SERVFAIL at a level": {func(z *verifytest.Zone) {
			z.SetRcode("b.www.example.com.", dns.TypeSOA, dns.RcodeServerFailure)
		}, verify.ErrLookup, "SERVFAIL"},
		"REFUSED at the apex": {func(z *verifytest.Zone) {
			z.SetRcode("example.com.", dns.TypeSOA, dns.RcodeRefused)
		}, verify.ErrLookup, "REFUSED"},
		"timeout at a level": {func(z *verifytest.Zone) {
			z.Drop("www.example.com.", dns.TypeSOA)
		}, verify.ErrTimeout, "timed out"},
		"no NS": {func(z *verifytest.Zone) {
			z.Remove("example.com.", dns.TypeNS)
		}, verify.ErrLookup, "no NS records"},
		"NS SERVFAIL": {func(z *verifytest.Zone) {
			z.SetRcode("example.com.", dns.TypeNS, dns.RcodeServerFailure)
		}, verify.ErrLookup, "SERVFAIL"},
		"NS address lookup fails": {func(z *verifytest.Zone) {
			z.SetRcode("ns2.example.net.", dns.TypeAAAA, dns.RcodeServerFailure)
		}, verify.ErrLookup, "SERVFAIL"},
		"no NS has an address": {func(z *verifytest.Zone) {
			for _, n := range []string{"ns1.example.net.", "ns2.example.net.", "ns3.example.org."} {
				z.Remove(n, dns.TypeANY)
			}
		}, verify.ErrLookup, "no NS name"},
		"no SOA at all": {func(z *verifytest.Zone) {
			z.Remove("example.com.", dns.TypeSOA)
		}, verify.ErrLookup, "no zone apex"},
	}
	for name, tc := range cases {
		rec := dnsTRecursive()
		tc.setup(rec)
		ctx, cancel := context.WithTimeout(dnsTCtx(), 100*time.Millisecond)
		_, auth, ev, err := verify.AuthoritativeServers(ctx, rec, "_dnsauth.a.b.www.example.com", "")
		cancel()
		require.ErrorIs(t, err, tc.kind, name)
		assert.Contains(t, err.Error(), tc.want, name)
		assert.Nil(t, auth, name)
		assert.NotEmpty(t, ev, name)
	}
}

// dnsTServerFunc adapts a function to ServerExchanger.
type dnsTServerFunc func(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error)

func (f dnsTServerFunc) ExchangeServer(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	return f(ctx, m, server)
}

func TestAtServer(t *testing.T) {
	var gotRD []bool
	var gotServer string
	aa := true
	sx := dnsTServerFunc(func(_ context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
		gotRD = append(gotRD, m.RecursionDesired)
		gotServer = server
		r := new(dns.Msg).SetReply(m)
		r.Authoritative = aa
		r.Answer = []dns.RR{dnsTRR(`a.example.com. 60 IN TXT "v"`)}
		return r, nil
	})
	ex := verify.AtServer(sx, "192.0.2.53:53")
	assert.Equal(t, "192.0.2.53:53", verify.ServerName(ex))

	m := txtQuery("a.example.com.")
	m.RecursionDesired = true
	r, err := ex.Exchange(dnsTCtx(), m)
	require.NoError(t, err)
	assert.Len(t, r.Answer, 1)
	assert.Equal(t, []bool{false}, gotRD, "recursion off")
	assert.True(t, m.RecursionDesired, "the caller's message is not changed")
	assert.Equal(t, "192.0.2.53:53", gotServer)

	// A NOERROR or NXDOMAIN answer without authority is refused.
	aa = false
	_, err = ex.Exchange(dnsTCtx(), m)
	require.ErrorIs(t, err, verify.ErrLookup)
	assert.Contains(t, err.Error(), "AA=0")
	_, err = verify.LookupTXT(dnsTCtx(), ex, "a.example.com")
	require.ErrorIs(t, err, verify.ErrLookup)

	_, err = ex.Exchange(dnsTCtx(), nil)
	require.ErrorIs(t, err, verify.ErrBadInput)

	failing := verify.AtServer(dnsTServerFunc(func(context.Context, *dns.Msg, string) (*dns.Msg, error) {
		return nil, verify.NewError(verify.ErrConnection, "x", errors.New("refused"))
	}), "192.0.2.53:53")
	_, err = verify.LookupTXT(dnsTCtx(), failing, "a.example.com")
	require.ErrorIs(t, err, verify.ErrConnection)
}

func TestAtServerOverLoopbackNoAnswer(t *testing.T) {
	// An authoritative server without the record answers NXDOMAIN with
	// authority: "not found", distinct from a failure.
	servers, _ := dnsTAuthServers(t, "v")
	c := dnsTClient()
	_, err := verify.LookupTXT(dnsTCtx(), verify.AtServer(c, servers[0].Addr()), "_dnsauth.www.example.com")
	assert.True(t, verify.IsNXDOMAIN(err), "%v", err)
	host, _, _ := net.SplitHostPort(servers[0].Addr())
	assert.Equal(t, "127.0.0.2", host)
}

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

// delegatingResolver is the resolver's view of example.com: two NS names
// on 192.0.2.1-2, and a cached TXT value.
func delegatingResolver() *verifytest.Zone {
	return verifytest.NewZone().MustAdd(
		`example.com.`+dnsTSOA,
		`example.com. 300 IN NS ns1.example.net.`,
		`example.com. 300 IN NS ns2.example.net.`,
		`ns1.example.net. 300 IN A 192.0.2.1`,
		`ns2.example.net. 300 IN A 192.0.2.2`,
		`_dnsauth.example.com. 300 IN TXT "v"`, // the resolver's cache says yes
	)
}

// authServerZone is one authoritative server's example.com, with the TXT
// value at _dnsauth unless value is "".
func authServerZone(value string) *verifytest.Zone {
	z := verifytest.NewZone().MustAdd(`example.com.` + dnsTSOA)
	if value != "" {
		z.MustAdd(`_dnsauth.example.com. 300 IN TXT "` + value + `"`)
	}
	return z
}

// In authoritative mode a server that fails (timeout, SERVFAIL, lame,
// unreachable) leaves AuthAll undecided and one without the value makes it
// not verified; AuthAny needs one server that serves the value.
func TestAuthoritativePolicyOverFailingServers(t *testing.T) {
	const owner = "_dnsauth.example.com"
	good := authServerZone("v")
	dropped := authServerZone("v")
	dropped.Drop(owner+".", dns.TypeTXT)
	servfail := authServerZone("v")
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
		{"one server has no record", authServerZone(""), verify.AuthAll, verify.NotVerified},
		{"one server has another value", authServerZone("old"), verify.AuthAll, verify.NotVerified},
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
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: delegatingResolver(), Authoritative: &verify.AuthOptions{Servers: an, Policy: tc.policy}}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			r, err := v.VerifyTXT(ctx, owner, "v")
			assert.Equal(t, tc.outcome, r.Outcome, "%v", err)
		})
	}

	t.Run("AuthAny, every server lame", func(t *testing.T) {
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: delegatingResolver(), Authoritative: &verify.AuthOptions{Servers: authNet{"192.0.2.1:53": lame, "192.0.2.2:53": lame}, Policy: verify.AuthAny}}
		r, err := v.VerifyTXT(context.Background(), owner, "v")
		require.Error(t, err)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("NS without addresses", func(t *testing.T) {
		rec := verifytest.NewZone().MustAdd(`example.com.`+dnsTSOA, `example.com. 300 IN NS ns1.example.net.`, `example.net.`+dnsTSOA)
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: rec, Authoritative: &verify.AuthOptions{Servers: authNet{}, Policy: verify.AuthAny}}
		r, err := v.VerifyTXT(context.Background(), owner, "v")
		require.ErrorIs(t, err, verify.ErrLookup)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
}
