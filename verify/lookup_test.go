package verify_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// dnsTFunc adapts a function to Exchanger.
type dnsTFunc func(ctx context.Context, m *dns.Msg) (*dns.Msg, error)

func (f dnsTFunc) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) { return f(ctx, m) }

// dnsTNamed gives an Exchanger a name for evidence.
type dnsTNamed struct {
	verify.Exchanger
	name string
}

func (n dnsTNamed) String() string { return n.name }

// dnsTFirstHop wraps ex so an answer that starts with a CNAME keeps only
// that CNAME, as resolvers that do not chase out of zone answer: the
// lookup must re-query the target itself.
func dnsTFirstHop(ex verify.Exchanger) verify.Exchanger {
	return dnsTFunc(func(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
		r, err := ex.Exchange(ctx, m)
		if err == nil && len(r.Answer) > 0 {
			if _, ok := r.Answer[0].(*dns.CNAME); ok {
				r.Answer = r.Answer[:1]
			}
		}
		return r, err
	})
}

func dnsTCtx() context.Context { return context.Background() }

func TestLookupTXT(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "abc"`,
		`_dnsauth.example.com. 60 IN TXT "part1" "part2" "part3"`,
		`_dnsauth.example.com. 600 IN TXT "quote\"back\\slash\009tab"`,
	)
	a, err := verify.LookupTXT(dnsTCtx(), dnsTNamed{z, "zone"}, "_dnsauth.example.com")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"abc", "part1part2part3", "quote\"back\\slash\ttab"}, a.Values)
	assert.EqualValues(t, 60, a.TTL, "the lowest TTL of the RRset")
	assert.False(t, a.Authenticated)
	require.Len(t, a.Evidence, 1)
	ev := a.Evidence[0]
	assert.Equal(t, "dns", ev.Protocol)
	assert.Equal(t, "TXT _dnsauth.example.com.", ev.Query)
	assert.Equal(t, "zone", ev.Server)
	assert.Equal(t, "NOERROR", ev.Rcode)
	assert.Len(t, ev.Answer, 3)
	assert.False(t, ev.Time.IsZero())
	assert.Empty(t, ev.Error)
	assert.Equal(t, 1, z.Queries("_dnsauth.example.com.", dns.TypeTXT))

	// The owner may come with a trailing dot and in any case.
	a, err = verify.LookupTXT(dnsTCtx(), z, "_DNSAUTH.Example.com.")
	require.NoError(t, err)
	assert.Len(t, a.Values, 3)
}

func TestLookupTXTOverLoopback(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v1" "v2"`)
	z.SetAuthenticated(true)
	s := dnsTServer(t, z)
	a, err := verify.LookupTXT(dnsTCtx(), dnsTClient(s.Addr()), "_dnsauth.example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"v1v2"}, a.Values)
	assert.True(t, a.Authenticated)
	require.Len(t, a.Evidence, 1)
	assert.Equal(t, s.Addr(), a.Evidence[0].Server)
	assert.True(t, a.Evidence[0].Authenticated)
	assert.Positive(t, a.Evidence[0].Duration)
}

func TestLookupTXTLargeRRsetOverLoopback(t *testing.T) {
	z := verifytest.NewZone()
	want := make([]string, 30)
	for i := range want {
		want[i] = fmt.Sprintf("%02d%s", i, strings.Repeat("v", 200))
		z.MustAdd(fmt.Sprintf(`example.com. 300 IN TXT "%s"`, want[i]))
	}
	s := dnsTServer(t, z)
	a, err := verify.LookupTXT(dnsTCtx(), dnsTClient(s.Addr()), "example.com")
	require.NoError(t, err)
	assert.ElementsMatch(t, want, a.Values)
	assert.Equal(t, 1, s.TCPQueries())
}

func TestLookupNXDOMAINvsNODATA(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. 300 IN SOA ns1.example.com. h.example.com. 1 7200 3600 1209600 300`,
		`www.example.com. 300 IN A 192.0.2.1`,
		`_x.deep.example.com. 300 IN TXT "y"`,
	)
	_, err := verify.LookupTXT(dnsTCtx(), z, "_dnsauth.example.com")
	require.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNXDOMAIN(err))
	assert.False(t, verify.IsNODATA(err))
	assert.Equal(t, verify.NotVerified, verify.OutcomeOf(err))
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"NXDOMAIN"}, e.Seen)
	assert.Equal(t, "_dnsauth.example.com", e.Target)

	a, err := verify.LookupTXT(dnsTCtx(), z, "www.example.com")
	require.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNODATA(err))
	assert.False(t, verify.IsNXDOMAIN(err))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"NODATA"}, e.Seen)
	assert.Empty(t, a.Values, "never an empty success")
	require.Len(t, a.Evidence, 1)
	assert.Equal(t, "NOERROR", a.Evidence[0].Rcode)

	// An empty non-terminal is NODATA too.
	_, err = verify.LookupTXT(dnsTCtx(), z, "deep.example.com")
	assert.True(t, verify.IsNODATA(err))

	assert.False(t, verify.IsNXDOMAIN(nil))
	assert.False(t, verify.IsNODATA(verify.ErrNotFound))
}

func TestLookupErrorRcodes(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "v"`)
	for rc, name := range map[int]string{
		dns.RcodeServerFailure:  "SERVFAIL",
		dns.RcodeRefused:        "REFUSED",
		dns.RcodeFormatError:    "FORMERR",
		dns.RcodeNotImplemented: "NOTIMP",
	} {
		z.SetRcode("a.example.com.", dns.TypeTXT, rc)
		a, err := verify.LookupTXT(dnsTCtx(), dnsTNamed{z, "resolver-1"}, "a.example.com")
		require.ErrorIs(t, err, verify.ErrLookup, name)
		assert.Equal(t, verify.Undecided, verify.OutcomeOf(err))
		var e *verify.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, []string{name}, e.Seen)
		assert.Equal(t, "resolver-1", e.Server)
		assert.Contains(t, err.Error(), name)
		require.Len(t, a.Evidence, 1)
		assert.Equal(t, name, a.Evidence[0].Rcode)
	}
}

func TestLookupTimeout(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN TXT "v"`)
	z.Drop("a.example.com.", dns.TypeTXT)
	ctx, cancel := context.WithTimeout(dnsTCtx(), 50*time.Millisecond)
	defer cancel()
	a, err := verify.LookupTXT(ctx, z, "a.example.com")
	require.ErrorIs(t, err, verify.ErrTimeout)
	require.Len(t, a.Evidence, 1)
	assert.NotEmpty(t, a.Evidence[0].Error)
	assert.Empty(t, a.Evidence[0].Rcode)

	// Through the network client: the server's address in the error.
	s := dnsTServer(t, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: 30 * time.Millisecond, Attempts: 1}
	_, err = verify.LookupTXT(dnsTCtx(), c, "a.example.com")
	require.ErrorIs(t, err, verify.ErrTimeout)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, s.Addr(), e.Server)
	assert.Equal(t, "a.example.com", e.Target)
}

func TestLookupCNAMEChainFollowed(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN CNAME Hop1.Example.NET.`,
		`hop1.example.net. 200 IN CNAME hop2.example.org.`,
		`hop2.example.org. 100 IN TXT "final"`,
		`hop2.example.org. 150 IN TXT "other"`,
	)
	a, err := verify.LookupTXT(dnsTCtx(), z, "_dnsauth.example.com")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"final", "other"}, a.Values)
	assert.EqualValues(t, 100, a.TTL)
	assert.Len(t, a.Evidence, 1, "the resolver chased the chain in one answer")

	// A resolver that stops at the first CNAME: the lookup asks again.
	a, err = verify.LookupTXT(dnsTCtx(), dnsTFirstHop(z), "_dnsauth.example.com")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"final", "other"}, a.Values)
	require.Len(t, a.Evidence, 3)
	assert.Equal(t, "TXT hop1.example.net.", a.Evidence[1].Query)
	assert.Equal(t, "TXT hop2.example.org.", a.Evidence[2].Query)
}

func TestLookupCNAMEOnlyFinalOwnerCounts(t *testing.T) {
	// A TXT owned by a name not at the end of the chain is ignored.
	ex := dnsTFunc(func(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
		r := new(dns.Msg).SetReply(m)
		r.Answer = []dns.RR{
			dnsTRR(`_dnsauth.example.com. 60 IN CNAME t.example.net.`),
			dnsTRR(`_dnsauth.example.com. 60 IN TXT "injected"`),
			dnsTRR(`elsewhere.example.org. 60 IN TXT "unrelated"`),
			dnsTRR(`t.example.net. 60 IN TXT "real"`),
		}
		return r, nil
	})
	a, err := verify.LookupTXT(dnsTCtx(), ex, "_dnsauth.example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"real"}, a.Values)
}

func TestLookupCNAMELoop(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`a.example.com. 300 IN CNAME b.example.com.`,
		`b.example.com. 300 IN CNAME c.example.com.`,
		`c.example.com. 300 IN CNAME A.example.com.`,
	)
	for _, ex := range []verify.Exchanger{z, dnsTFirstHop(z)} {
		a, err := verify.LookupTXT(dnsTCtx(), ex, "a.example.com")
		require.ErrorIs(t, err, verify.ErrLookup)
		assert.Contains(t, err.Error(), "CNAME loop")
		assert.Empty(t, a.Values)
		assert.LessOrEqual(t, len(a.Evidence), 4)
	}
}

func TestLookupCNAMEHopLimit(t *testing.T) {
	chain := func(n int) *verifytest.Zone {
		z := verifytest.NewZone()
		for i := range n {
			z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN CNAME h%d.example.com.`, i, i+1))
		}
		return z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN TXT "end"`, n))
	}
	for _, wrap := range []func(verify.Exchanger) verify.Exchanger{func(e verify.Exchanger) verify.Exchanger { return e }, dnsTFirstHop} {
		a, err := verify.LookupTXT(dnsTCtx(), wrap(chain(verify.MaxCNAMEHops)), "h0.example.com")
		require.NoError(t, err)
		assert.Equal(t, []string{"end"}, a.Values)

		_, err = verify.LookupTXT(dnsTCtx(), wrap(chain(verify.MaxCNAMEHops+1)), "h0.example.com")
		require.ErrorIs(t, err, verify.ErrLookup)
		assert.Contains(t, err.Error(), "more than 8 CNAMEs")
	}
}

func TestLookupCNAMEChainEndsNowhere(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.net. 300 IN SOA ns.example.net. h.example.net. 1 7200 3600 1209600 300`,
		`a.example.com. 300 IN CNAME gone.example.net.`,
		`b.example.com. 300 IN CNAME www.example.net.`,
		`www.example.net. 300 IN A 192.0.2.1`,
	)
	for _, ex := range []verify.Exchanger{z, dnsTFirstHop(z)} {
		_, err := verify.LookupTXT(dnsTCtx(), ex, "a.example.com")
		assert.True(t, verify.IsNXDOMAIN(err), "%v", err)
		_, err = verify.LookupTXT(dnsTCtx(), ex, "b.example.com")
		assert.True(t, verify.IsNODATA(err), "%v", err)
	}
	// A failure at the chain's target is a failure of the lookup.
	z.SetRcode("www.example.net.", dns.TypeTXT, dns.RcodeServerFailure)
	_, err := verify.LookupTXT(dnsTCtx(), dnsTFirstHop(z), "b.example.com")
	require.ErrorIs(t, err, verify.ErrLookup)
}

func TestLookupCNAME(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`_4547fddc7118ac1b676c964534f2db10.example.com. 3600 IN CNAME AAAA.BBBB.ssl.com.`,
		`aaaa.bbbb.ssl.com. 300 IN CNAME further.ssl.com.`,
		`txt.example.com. 300 IN TXT "x"`,
	)
	a, err := verify.LookupCNAME(dnsTCtx(), z, "_4547fddc7118ac1b676c964534f2db10.example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"aaaa.bbbb.ssl.com."}, a.Values, "one hop, lower case, trailing dot")
	assert.EqualValues(t, 3600, a.TTL)
	assert.Equal(t, 0, z.Queries("aaaa.bbbb.ssl.com.", dns.TypeANY), "the target is not chased")
	require.Len(t, a.Evidence, 1)
	assert.Equal(t, "CNAME _4547fddc7118ac1b676c964534f2db10.example.com.", a.Evidence[0].Query)

	_, err = verify.LookupCNAME(dnsTCtx(), z, "txt.example.com")
	assert.True(t, verify.IsNODATA(err))
	_, err = verify.LookupCNAME(dnsTCtx(), z, "none.example.com")
	assert.True(t, verify.IsNXDOMAIN(err))
}

func TestLookupIP(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`both.example.com. 300 IN A 192.0.2.1`,
		`both.example.com. 300 IN A 192.0.2.2`,
		`both.example.com. 300 IN AAAA 2001:db8::1`,
		`v4.example.com. 300 IN A 192.0.2.4`,
		`v6.example.com. 300 IN AAAA 2001:db8::6`,
		`alias.example.com. 300 IN CNAME both.example.com.`,
		`txt.example.com. 300 IN TXT "x"`,
	)
	addrs, ev, err := verify.LookupIP(dnsTCtx(), z, "both.example.com")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
	}, addrs, "AAAA first")
	require.Len(t, ev, 2)
	assert.Equal(t, "AAAA both.example.com.", ev[0].Query)
	assert.Equal(t, "A both.example.com.", ev[1].Query)
	assert.True(t, addrs[1].Is4(), "A records are plain IPv4, not mapped")

	addrs, _, err = verify.LookupIP(dnsTCtx(), z, "v4.example.com")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("192.0.2.4")}, addrs)
	addrs, _, err = verify.LookupIP(dnsTCtx(), z, "v6.example.com")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("2001:db8::6")}, addrs)
	addrs, _, err = verify.LookupIP(dnsTCtx(), z, "alias.example.com")
	require.NoError(t, err)
	assert.Len(t, addrs, 3)

	_, ev, err = verify.LookupIP(dnsTCtx(), z, "txt.example.com")
	require.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNODATA(err))
	assert.Len(t, ev, 2)
	_, _, err = verify.LookupIP(dnsTCtx(), z, "none.example.com")
	require.ErrorIs(t, err, verify.ErrNotFound)
	assert.True(t, verify.IsNXDOMAIN(err))

	// A failure of one family fails the lookup: the caller must see every
	// address or none.
	z.SetRcode("both.example.com.", dns.TypeAAAA, dns.RcodeServerFailure)
	addrs, ev, err = verify.LookupIP(dnsTCtx(), z, "both.example.com")
	require.ErrorIs(t, err, verify.ErrLookup)
	assert.Nil(t, addrs)
	assert.Len(t, ev, 2)
}

func TestLookupIPOverLoopback(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`h.example.com. 300 IN A 192.0.2.9`, `h.example.com. 300 IN AAAA 2001:db8::9`)
	s := dnsTServer(t, z)
	addrs, ev, err := verify.LookupIP(dnsTCtx(), dnsTClient(s.Addr()), "h.example.com")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("2001:db8::9"), netip.MustParseAddr("192.0.2.9")}, addrs)
	assert.Len(t, ev, 2)
	assert.Equal(t, 2, s.UDPQueries())
}

func TestLookupRefusesOddAnswers(t *testing.T) {
	reply := func(edit func(r *dns.Msg)) verify.Exchanger {
		return dnsTFunc(func(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
			r := new(dns.Msg).SetReply(m)
			edit(r)
			return r, nil
		})
	}
	cases := map[string]struct {
		ex   verify.Exchanger
		want string
	}{
		"truncated": {reply(func(r *dns.Msg) { r.Truncated = true }), "truncated"},
		"other question": {reply(func(r *dns.Msg) {
			r.Question[0].Name = "evil.example."
		}), "question"},
		"two CNAMEs": {reply(func(r *dns.Msg) {
			r.Answer = []dns.RR{dnsTRR(`a.example.com. 60 IN CNAME x.example.net.`), dnsTRR(`a.example.com. 60 IN CNAME y.example.net.`)}
		}), "two different CNAMEs"},
		"nil reply": {dnsTFunc(func(context.Context, *dns.Msg) (*dns.Msg, error) { return nil, nil }), "no response"},
		"too many records": {reply(func(r *dns.Msg) {
			for i := range verify.MaxTXTRecords + 1 {
				r.Answer = append(r.Answer, dnsTRR(fmt.Sprintf(`a.example.com. 60 IN TXT "%d"`, i)))
			}
		}), "more than the limit"},
		"too many bytes": {reply(func(r *dns.Msg) {
			long := strings.Repeat(`"`+strings.Repeat("z", 255)+`" `, 40)
			for i := range 8 {
				r.Answer = append(r.Answer, dnsTRR(fmt.Sprintf(`a.example.com. 60 IN TXT "%d" %s`, i, long)))
			}
		}), "more than 65536 bytes"},
	}
	for name, tc := range cases {
		a, err := verify.LookupTXT(dnsTCtx(), tc.ex, "a.example.com")
		require.ErrorIs(t, err, verify.ErrLookup, name)
		assert.Contains(t, err.Error(), tc.want, name)
		assert.Empty(t, a.Values, name)
	}
}

func TestLookupKeepsTransportErrorKind(t *testing.T) {
	ex := dnsTFunc(func(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
		e := verify.NewError(verify.ErrConnection, "ignored", fmt.Errorf("dial: refused"))
		e.Server = "192.0.2.53:53"
		return nil, e
	})
	a, err := verify.LookupTXT(dnsTCtx(), ex, "a.example.com")
	require.ErrorIs(t, err, verify.ErrConnection)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "a.example.com", e.Target)
	assert.Equal(t, "192.0.2.53:53", e.Server)
	assert.Contains(t, a.Evidence[0].Error, "refused")
}

func TestLookupQueryFlags(t *testing.T) {
	var got *dns.Msg
	ex := dnsTFunc(func(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
		got = m.Copy()
		return new(dns.Msg).SetRcode(m, dns.RcodeNameError), nil
	})
	_, err := verify.LookupTXT(dnsTCtx(), ex, "a.example.com")
	require.ErrorIs(t, err, verify.ErrNotFound)
	require.NotNil(t, got)
	assert.True(t, got.RecursionDesired)
	assert.False(t, got.CheckingDisabled)
	assert.Equal(t, "a.example.com.", got.Question[0].Name)
}

func TestJoinTXT(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:         "plain",
		`a\"b`:          `a"b`,
		`back\\slash`:   `back\slash`,
		`nul\000x`:      "nul\x00x",
		`hi\255`:        "hi\xff",
		`trailing\`:     `trailing\`,
		`short\12`:      "short12",
		`\065\066\067`:  "ABC",
		`utf8-\195\169`: "utf8-é",
	} {
		assert.Equal(t, want, verify.JoinTXT([]string{in}), in)
	}
	assert.Equal(t, "abc", verify.JoinTXT([]string{"a", "", "bc"}))
}

func dnsTRR(s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return rr
}

// craft is an Exchanger that answers every query with what build makes of it.
type craft func(q *dns.Msg) *dns.Msg

func (f craft) Exchange(_ context.Context, q *dns.Msg) (*dns.Msg, error) { return f(q), nil }

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	require.NoError(t, err)
	return r
}

// reply answers q with the given records, rcode and flags.
func reply(q *dns.Msg, rcode int, tc bool, rrs ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Rcode = rcode
	m.Truncated = tc
	m.Answer = rrs
	return m
}

// Only a clean answer (NOERROR, not truncated) with an IN TXT record owned
// by the name, or the end of its CNAME chain, can match.
func TestVerifyTXTRefusesAnswersThatDoNotProveTheRecord(t *testing.T) {
	ctx := context.Background()
	const owner = "_dnsauth.example.com"
	cases := []struct {
		name string
		ex   verify.Exchanger
		kind error
	}{
		{"matching TXT owned by another name", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.evil.test. 60 IN TXT "v"`))
		}), verify.ErrNotFound},
		{"matching TXT owned by another name beside a wrong one", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "w"`), rr(t, `_dnsauth.evil.test. 60 IN TXT "v"`))
		}), verify.ErrMismatch},
		{"matching TXT in class CH", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 CH TXT "v"`))
		}), verify.ErrNotFound},
		{"right TXT with SERVFAIL", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeServerFailure, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"right TXT with NXDOMAIN", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeNameError, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrNotFound},
		{"right TXT with TC bit", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, true, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"right TXT for another question", craft(func(q *dns.Msg) *dns.Msg {
			m := reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
			m.Question[0].Name = "_dnsauth.evil.test."
			return m
		}), verify.ErrLookup},
		{"right TXT answering a CNAME question type", craft(func(q *dns.Msg) *dns.Msg {
			m := reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
			m.Question[0].Qtype = dns.TypeA
			return m
		}), verify.ErrLookup},
		{"CNAME loop", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN CNAME a.example.com.`), rr(t, `a.example.com. 60 IN CNAME _dnsauth.example.com.`))
		}), verify.ErrLookup},
		{"two CNAMEs at the owner", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN CNAME a.example.com.`), rr(t, `_dnsauth.example.com. 60 IN CNAME b.example.com.`),
				rr(t, `a.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"value with trailing space", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v "`))
		}), verify.ErrMismatch},
		{"value in other case", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "V"`))
		}), verify.ErrMismatch},
		{"nil response", dnsTFunc(func(context.Context, *dns.Msg) (*dns.Msg, error) { return nil, nil }), verify.ErrLookup},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: tc.ex}
			r, err := v.VerifyTXT(ctx, owner, "v")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
}

// Judgement calls: these pass, and should. A CNAME at the owner is
// followed (BR 3.2.2.4.7 lets the applicant delegate the record, as
// every resolver does), and a wildcard TXT is how the zone owner chose
// to answer every name.
func TestVerifyTXTAcceptsDelegationWildcardsAndEscapes(t *testing.T) {
	ctx := context.Background()
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 60 IN CNAME x.dcv-delegate.test.`,
		`x.dcv-delegate.test. 60 IN TXT "v"`,
		`*.wild.example.org. 60 IN TXT "w"`,
	)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z}
	_, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	assert.NoError(t, err)
	_, err = v.VerifyTXT(ctx, "_dnsauth.wild.example.org", "w")
	assert.NoError(t, err)

	// Escapes are the bytes on the wire: a quote and a backslash.
	tx := &dns.TXT{Hdr: dns.RR_Header{Name: "_q.example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{`a\"b\\c\065`}}
	z.AddRR(tx)
	_, err = v.VerifyTXT(ctx, "_q.example.com", `a"b\cA`)
	assert.NoError(t, err)
	_, err = v.VerifyTXT(ctx, "_q.example.com", `a\"b\\c\065`)
	assert.ErrorIs(t, err, verify.ErrMismatch)

	// An empty expected value is bad input, never a match for an empty TXT.
	z.MustAdd(`_e.example.com. 60 IN TXT ""`)
	_, err = v.VerifyTXT(ctx, "_e.example.com", "")
	assert.ErrorIs(t, err, verify.ErrBadInput)
}

// The CNAME must be the owner's own, in a clean answer; a target further
// down a chain does not count.
func TestVerifyCNAMERefusesAnswersThatDoNotProveTheTarget(t *testing.T) {
	ctx := context.Background()
	want := "aaaa.bbbb.ssl.com."
	cases := map[string]verify.Exchanger{
		"target owned by another name": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_x.evil.test. 60 IN CNAME `+want))
		}),
		"right CNAME with SERVFAIL": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeServerFailure, false, rr(t, `_x.example.com. 60 IN CNAME `+want))
		}),
		"right CNAME truncated": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, true, rr(t, `_x.example.com. 60 IN CNAME `+want))
		}),
		"target further down the chain only": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_x.example.com. 60 IN CNAME other.example.com.`), rr(t, `other.example.com. 60 IN CNAME `+want))
		}),
	}
	for name, ex := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := (&verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: ex}).VerifyCNAME(ctx, "_x.example.com", want)
			require.Error(t, err)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
}
