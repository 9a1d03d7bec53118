package resolve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

// exFunc answers with a function of the query.
type exFunc func(*dns.Msg) (*dns.Msg, error)

func (f exFunc) Exchange(_ context.Context, m *dns.Msg) (*dns.Msg, error) { return f(m) }

func rr(t *testing.T, s string) dns.RR {
	r, err := dns.NewRR(s)
	require.NoError(t, err)
	return r
}

func TestLookupFollowsCNAMEAndDNAMEUnderOneLimit(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`a.example.com. 300 IN CNAME b.example.net.`,
		`b.example.net. 300 IN TXT "end"`,
	)
	r := &resolve.Resolver{Exchanger: z}
	a, err := r.Lookup(ctx(t), "A.Example.com", dns.TypeTXT)
	require.NoError(t, err)
	assert.Equal(t, "b.example.net.", a.Name)
	assert.Equal(t, []string{"b.example.net."}, a.Chain)
	require.Len(t, a.RRs, 1)

	// A DNAME without a synthesized CNAME (a server that sends only the
	// DNAME) is followed as well, and the target asked.
	dname := exFunc(func(m *dns.Msg) (*dns.Msg, error) {
		out := new(dns.Msg).SetReply(m)
		switch m.Question[0].Name {
		case "x.old.example.":
			out.Answer = []dns.RR{rr(t, `old.example. 60 IN DNAME new.example.`)}
		case "x.new.example.":
			out.Answer = []dns.RR{rr(t, `x.new.example. 60 IN TXT "moved"`)}
		default:
			out.Rcode = dns.RcodeNameError
		}
		return out, nil
	})
	a, err = (&resolve.Resolver{Exchanger: dname}).Lookup(ctx(t), "x.old.example", dns.TypeTXT)
	require.NoError(t, err)
	assert.Equal(t, "x.new.example.", a.Name)
	assert.Len(t, a.Exchanges, 2)

	chain := func(n int) *verifytest.Zone {
		z := verifytest.NewZone()
		for i := range n {
			z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN CNAME h%d.example.com.`, i, i+1))
		}
		return z.MustAdd(fmt.Sprintf(`h%d.example.com. 300 IN TXT "end"`, n))
	}
	_, err = (&resolve.Resolver{Exchanger: chain(resolve.MaxChain)}).Lookup(ctx(t), "h0.example.com", dns.TypeTXT)
	require.NoError(t, err)
	_, err = (&resolve.Resolver{Exchanger: chain(resolve.MaxChain + 1)}).Lookup(ctx(t), "h0.example.com", dns.TypeTXT)
	var re *resolve.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, resolve.Lookup, re.Kind)
}

func TestLookupNegativeAnswers(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example.com. 300 IN A 192.0.2.1`, `c.example.com. 300 IN CNAME gone.example.net.`)
	r := &resolve.Resolver{Exchanger: z}
	for _, tc := range []struct {
		name string
		nx   bool
	}{
		{"a.example.com", false},   // NODATA
		{"nope.example.com", true}, // NXDOMAIN
		{"c.example.com", true},    // CNAME to a missing name
	} {
		_, err := r.Lookup(ctx(t), tc.name, dns.TypeTXT)
		var re *resolve.Error
		require.ErrorAs(t, err, &re, tc.name)
		assert.Equal(t, resolve.NotFound, re.Kind, tc.name)
		assert.Equal(t, tc.nx, re.NXDOMAIN, tc.name)
	}
}

func TestLookupStrictRefusesRecordsItCannotAccountFor(t *testing.T) {
	for name, answer := range map[string]func(*dns.Msg) *dns.Msg{
		"off-chain owner": func(m *dns.Msg) *dns.Msg {
			out := new(dns.Msg).SetReply(m)
			out.Answer = []dns.RR{rr(t, `evil.example. 60 IN CAA 0 issue "ca.example"`)}
			return out
		},
		"class CH": func(m *dns.Msg) *dns.Msg {
			out := new(dns.Msg).SetReply(m)
			out.Answer = []dns.RR{rr(t, `a.example. 60 CH CAA 0 issue "ca.example"`)}
			return out
		},
		"records beside NXDOMAIN": func(m *dns.Msg) *dns.Msg {
			out := new(dns.Msg).SetReply(m)
			out.Rcode = dns.RcodeNameError
			out.Answer = []dns.RR{rr(t, `a.example. 60 IN CAA 0 issue "ca.example"`)}
			return out
		},
	} {
		ex := exFunc(func(m *dns.Msg) (*dns.Msg, error) { return answer(m), nil })
		_, err := (&resolve.Resolver{Exchanger: ex, Strict: true}).Lookup(ctx(t), "a.example", dns.TypeCAA)
		var re *resolve.Error
		require.ErrorAs(t, err, &re, name)
		assert.Equal(t, resolve.Lookup, re.Kind, name)

		_, err = (&resolve.Resolver{Exchanger: ex}).Lookup(ctx(t), "a.example", dns.TypeCAA)
		require.ErrorAs(t, err, &re, name)
		assert.Equal(t, resolve.NotFound, re.Kind, "%s: ignored when not strict", name)
	}
}

func TestQueryChecksTheResponse(t *testing.T) {
	for name, tc := range map[string]struct {
		reply func(*dns.Msg) *dns.Msg
		kind  resolve.Kind
		rcode int
	}{
		"another question": {func(m *dns.Msg) *dns.Msg {
			out := new(dns.Msg).SetReply(m)
			out.Question[0].Name = "other.example."
			return out
		}, resolve.Lookup, -1},
		"truncated": {func(m *dns.Msg) *dns.Msg {
			out := new(dns.Msg).SetReply(m)
			out.Truncated = true
			return out
		}, resolve.Lookup, -1},
		"SERVFAIL": {func(m *dns.Msg) *dns.Msg {
			return new(dns.Msg).SetRcode(m, dns.RcodeServerFailure)
		}, resolve.Lookup, dns.RcodeServerFailure},
	} {
		ex := exFunc(func(m *dns.Msg) (*dns.Msg, error) { return tc.reply(m), nil })
		_, x, err := (&resolve.Resolver{Exchanger: ex, Server: "192.0.2.53:53"}).Query(ctx(t), "a.example", dns.TypeTXT)
		var re *resolve.Error
		require.ErrorAs(t, err, &re, name)
		assert.Equal(t, tc.kind, re.Kind, name)
		assert.Equal(t, tc.rcode, re.Rcode, name)
		assert.Equal(t, "192.0.2.53:53", x.Server, name)
		assert.Error(t, x.Err, name)
	}
}

func TestClassifyNetErr(t *testing.T) {
	c := context.Background()
	done, cancel := context.WithCancel(c)
	cancel()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		want resolve.Kind
	}{
		{c, context.DeadlineExceeded, resolve.Timeout},
		{done, errors.New("read: use of closed connection"), resolve.Timeout},
		{c, &net.OpError{Op: "read", Err: syscall.ECONNREFUSED}, resolve.Connection},
		{c, &net.OpError{Op: "dial", Err: errors.New("no route")}, resolve.Connection},
		{c, errors.New("dns: bad rdata"), resolve.Lookup},
	} {
		assert.Equal(t, tc.want, resolve.ClassifyNetErr(tc.ctx, tc.err), "%v", tc.err)
	}
}

func TestLookupReportsTheServerThatAnswered(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`a.example. 300 IN TXT "v"`)
	rep := reporter{z}
	a, err := (&resolve.Resolver{Exchanger: rep, Server: "resolvers of /etc/resolv.conf"}).Lookup(ctx(t), "a.example", dns.TypeTXT)
	require.NoError(t, err)
	require.Len(t, a.Exchanges, 1)
	assert.Equal(t, "192.0.2.53:53", a.Exchanges[0].Server)
}

type reporter struct{ z *verifytest.Zone }

func (r reporter) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	return r.z.Exchange(ctx, m)
}

func (r reporter) ExchangeWithServer(ctx context.Context, m *dns.Msg) (*dns.Msg, string, error) {
	out, err := r.z.Exchange(ctx, m)
	return out, "192.0.2.53:53", err
}

func TestModeText(t *testing.T) {
	var m resolve.Mode
	assert.Equal(t, "validate", m.String(), "the zero value validates")
	require.NoError(t, m.UnmarshalText([]byte("off")))
	assert.Equal(t, resolve.Off, m)
	b, err := m.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "off", string(b))
	assert.Error(t, m.UnmarshalText([]byte("maybe")))
}
