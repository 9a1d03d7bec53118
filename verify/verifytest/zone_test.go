package verifytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const soa = `example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`

func ask(t *testing.T, z *Zone, name string, qtype uint16) *dns.Msg {
	t.Helper()
	r, err := z.Exchange(context.Background(), new(dns.Msg).SetQuestion(name, qtype))
	require.NoError(t, err)
	require.NotNil(t, r)
	return r
}

// rrStrings renders the answer as "owner type data" for compact asserts.
func rrStrings(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		out = append(out, fmt.Sprintf("%s %s %s", h.Name, dns.TypeToString[h.Rrtype], rr.String()[len(h.String()):]))
	}
	return out
}

func TestAnswerRRset(t *testing.T) {
	z := NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "one"`,
		`_DNSAUTH.Example.COM. 300 IN TXT "two"`,
		`_dnsauth.example.com. 300 IN A 192.0.2.1`,
	)
	r := ask(t, z, "_dnsauth.EXAMPLE.com.", dns.TypeTXT)
	assert.Equal(t, dns.RcodeSuccess, r.Rcode)
	assert.Equal(t, []string{
		`_dnsauth.EXAMPLE.com. TXT "one"`,
		`_dnsauth.EXAMPLE.com. TXT "two"`,
	}, rrStrings(r.Answer))
	assert.Empty(t, r.Ns)
	assert.True(t, r.Response)
	assert.True(t, r.RecursionAvailable)
	assert.False(t, r.Authoritative, "RD=1 query: not authoritative")
	assert.False(t, r.AuthenticatedData)

	// ANY returns every record at the name.
	assert.Len(t, ask(t, z, "_dnsauth.example.com.", dns.TypeANY).Answer, 3)
}

func TestNegativeAnswers(t *testing.T) {
	z := NewZone().MustAdd(soa,
		`www.example.com. 300 IN A 192.0.2.1`,
		`a.b.example.com. 300 IN TXT "deep"`,
	)
	tests := []struct {
		name  string
		qname string
		qtype uint16
		rcode int
	}{
		{"NODATA at an existing name", "www.example.com.", dns.TypeTXT, dns.RcodeSuccess},
		{"NODATA at the apex", "example.com.", dns.TypeTXT, dns.RcodeSuccess},
		{"empty non-terminal", "b.example.com.", dns.TypeTXT, dns.RcodeSuccess},
		{"NXDOMAIN", "nope.example.com.", dns.TypeTXT, dns.RcodeNameError},
		{"NXDOMAIN below an existing name", "x.www.example.com.", dns.TypeA, dns.RcodeNameError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ask(t, z, tc.qname, tc.qtype)
			assert.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[r.Rcode])
			assert.Empty(t, r.Answer)
			require.Len(t, r.Ns, 1, "SOA in authority")
			assert.Equal(t, dns.TypeSOA, r.Ns[0].Header().Rrtype)
			assert.Equal(t, "example.com.", r.Ns[0].Header().Name)
		})
	}

	t.Run("no SOA outside the zone", func(t *testing.T) {
		r := ask(t, z, "example.net.", dns.TypeA)
		assert.Equal(t, dns.RcodeNameError, r.Rcode)
		assert.Empty(t, r.Ns)
	})
	t.Run("no SOA added", func(t *testing.T) {
		r := ask(t, NewZone().MustAdd(`a.example.org. IN A 192.0.2.9`), "b.example.org.", dns.TypeA)
		assert.Equal(t, dns.RcodeNameError, r.Rcode)
		assert.Empty(t, r.Ns)
	})
}

func TestCNAME(t *testing.T) {
	z := NewZone().MustAdd(soa,
		`a.example.com. 300 IN CNAME b.example.com.`,
		`b.example.com. 300 IN CNAME c.example.com.`,
		`c.example.com. 300 IN TXT "end"`,
		`c.example.com. 300 IN A 192.0.2.3`,
		`dangling.example.com. 300 IN CNAME gone.example.com.`,
		`out.example.com. 300 IN CNAME target.example.net.`,
		`loop1.example.com. 300 IN CNAME loop2.example.com.`,
		`loop2.example.com. 300 IN CNAME LOOP1.example.com.`,
		`self.example.com. 300 IN CNAME self.example.com.`,
	)

	t.Run("chain", func(t *testing.T) {
		r := ask(t, z, "a.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Equal(t, []string{
			"a.example.com. CNAME b.example.com.",
			"b.example.com. CNAME c.example.com.",
			`c.example.com. TXT "end"`,
		}, rrStrings(r.Answer))
	})
	t.Run("chain ends in NODATA", func(t *testing.T) {
		r := ask(t, z, "a.example.com.", dns.TypeAAAA)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Len(t, r.Answer, 2)
		require.Len(t, r.Ns, 1)
	})
	t.Run("CNAME query is not followed", func(t *testing.T) {
		r := ask(t, z, "a.example.com.", dns.TypeCNAME)
		assert.Equal(t, []string{"a.example.com. CNAME b.example.com."}, rrStrings(r.Answer))
	})
	t.Run("dangling target is NXDOMAIN", func(t *testing.T) {
		r := ask(t, z, "dangling.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeNameError, r.Rcode)
		assert.Equal(t, []string{"dangling.example.com. CNAME gone.example.com."}, rrStrings(r.Answer))
		require.Len(t, r.Ns, 1)
	})
	t.Run("target outside the zone", func(t *testing.T) {
		r := ask(t, z, "out.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeNameError, r.Rcode)
		assert.Len(t, r.Answer, 1)
	})
	t.Run("loop returns each CNAME once", func(t *testing.T) {
		r := ask(t, z, "loop1.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Equal(t, []string{
			"loop1.example.com. CNAME loop2.example.com.",
			"loop2.example.com. CNAME LOOP1.example.com.",
		}, rrStrings(r.Answer))
		r = ask(t, z, "self.example.com.", dns.TypeTXT)
		assert.Len(t, r.Answer, 1)
	})
	t.Run("overlong chain stops after 16 hops", func(t *testing.T) {
		long := NewZone()
		for i := range 30 {
			long.MustAdd(fmt.Sprintf("h%d.example.com. IN CNAME h%d.example.com.", i, i+1))
		}
		long.MustAdd(`h30.example.com. IN TXT "never"`)
		r := ask(t, long, "h0.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Len(t, r.Answer, maxCNAMEHops)
		for _, rr := range r.Answer {
			assert.Equal(t, dns.TypeCNAME, rr.Header().Rrtype)
		}
	})
	t.Run("fault at the target", func(t *testing.T) {
		z := NewZone().MustAdd(`a.example.com. IN CNAME b.example.com.`, `b.example.com. IN TXT "x"`)
		z.SetRcode("b.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
		r := ask(t, z, "a.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeServerFailure, r.Rcode)
		assert.Len(t, r.Answer, 1, "the CNAME seen so far")
		assert.Len(t, ask(t, z, "a.example.com.", dns.TypeA).Answer, 1, "other types unaffected")
	})
}

func TestWildcard(t *testing.T) {
	z := NewZone().MustAdd(soa,
		`*.example.com. 300 IN TXT "wild"`,
		`www.example.com. 300 IN A 192.0.2.1`,
		`a.b.example.com. 300 IN A 192.0.2.2`,
		`*.c.example.com. 300 IN CNAME www.example.com.`,
	)
	t.Run("synthesized with the queried owner", func(t *testing.T) {
		r := ask(t, z, "Foo.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Equal(t, []string{`Foo.example.com. TXT "wild"`}, rrStrings(r.Answer))
	})
	t.Run("matches more than one label", func(t *testing.T) {
		r := ask(t, z, "x.y.example.com.", dns.TypeTXT)
		assert.Equal(t, []string{`x.y.example.com. TXT "wild"`}, rrStrings(r.Answer))
	})
	t.Run("wildcard NODATA", func(t *testing.T) {
		r := ask(t, z, "foo.example.com.", dns.TypeA)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Empty(t, r.Answer)
	})
	t.Run("existing name is not covered", func(t *testing.T) {
		r := ask(t, z, "www.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeSuccess, r.Rcode)
		assert.Empty(t, r.Answer)
	})
	t.Run("empty non-terminal blocks the wildcard", func(t *testing.T) {
		assert.Empty(t, ask(t, z, "b.example.com.", dns.TypeTXT).Answer)
		r := ask(t, z, "z.b.example.com.", dns.TypeTXT)
		assert.Equal(t, dns.RcodeNameError, r.Rcode, "closest encloser b.example.com has no wildcard")
	})
	t.Run("wildcard CNAME is followed", func(t *testing.T) {
		r := ask(t, z, "q.c.example.com.", dns.TypeA)
		assert.Equal(t, []string{
			"q.c.example.com. CNAME www.example.com.",
			"www.example.com. A 192.0.2.1",
		}, rrStrings(r.Answer))
	})
	t.Run("wildcard asked literally", func(t *testing.T) {
		assert.Len(t, ask(t, z, "*.example.com.", dns.TypeTXT).Answer, 1)
	})
}

func TestRcodeOverride(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`, `example.com. IN A 192.0.2.1`)
	z.SetRcode("EXAMPLE.com", dns.TypeTXT, dns.RcodeServerFailure)
	r := ask(t, z, "example.com.", dns.TypeTXT)
	assert.Equal(t, dns.RcodeServerFailure, r.Rcode)
	assert.Empty(t, r.Answer)
	assert.Equal(t, dns.RcodeSuccess, ask(t, z, "example.com.", dns.TypeA).Rcode)

	z.SetRcode("example.com.", dns.TypeANY, dns.RcodeRefused)
	assert.Equal(t, dns.RcodeRefused, ask(t, z, "example.com.", dns.TypeA).Rcode)
	assert.Equal(t, dns.RcodeServerFailure, ask(t, z, "example.com.", dns.TypeTXT).Rcode, "exact type wins")

	z.SetRcode("example.com.", dns.TypeANY, dns.RcodeSuccess)
	assert.Equal(t, dns.RcodeSuccess, ask(t, z, "example.com.", dns.TypeA).Rcode)

	z.SetAuthenticated(true)
	assert.False(t, ask(t, z, "example.com.", dns.TypeTXT).AuthenticatedData, "no AD on a fault")
	z.Heal("example.com.", dns.TypeANY)
	r = ask(t, z, "example.com.", dns.TypeTXT)
	assert.Equal(t, dns.RcodeSuccess, r.Rcode)
	assert.Len(t, r.Answer, 1)
}

func TestDrop(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`, `example.com. IN A 192.0.2.1`)
	z.Drop("example.com.", dns.TypeTXT)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	r, err := z.Exchange(ctx, new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT))
	assert.Nil(t, r)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, z.Queries("example.com.", dns.TypeTXT), "a dropped query is still seen")

	assert.Len(t, ask(t, z, "example.com.", dns.TypeA).Answer, 1)

	z.Drop("example.com.", dns.TypeANY)
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = z.Exchange(ctx2, new(dns.Msg).SetQuestion("example.com.", dns.TypeA))
	assert.ErrorIs(t, err, context.Canceled)

	z.Heal("example.com.", dns.TypeANY)
	assert.Len(t, ask(t, z, "example.com.", dns.TypeA).Answer, 1)
}

func TestDelayHonoursContext(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	z.SetDelay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := z.Exchange(ctx, new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT))
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	z.SetDelay(time.Millisecond)
	assert.Len(t, ask(t, z, "example.com.", dns.TypeTXT).Answer, 1)
}

func TestHeaderBits(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	q := new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT)
	q.RecursionDesired = false
	r, err := z.Exchange(context.Background(), q)
	require.NoError(t, err)
	assert.Equal(t, q.Id, r.Id)
	assert.True(t, r.Authoritative, "RD=0 query gets AA")
	assert.False(t, r.RecursionDesired)
	assert.True(t, r.RecursionAvailable)
	assert.Nil(t, r.IsEdns0(), "no OPT without one in the query")

	z.SetAuthenticated(true)
	assert.True(t, ask(t, z, "example.com.", dns.TypeTXT).AuthenticatedData)
	assert.True(t, ask(t, z, "nx.example.com.", dns.TypeTXT).AuthenticatedData, "authenticated denial")

	q = new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT)
	q.SetEdns0(1232, true)
	r, err = z.Exchange(context.Background(), q)
	require.NoError(t, err)
	opt := r.IsEdns0()
	require.NotNil(t, opt)
	assert.Equal(t, uint16(1232), opt.UDPSize())
	assert.True(t, opt.Do())
}

func TestFormErr(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	none := new(dns.Msg)
	none.Id = 7
	r, err := z.Exchange(context.Background(), none)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeFormatError, r.Rcode)

	two := new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT)
	two.Question = append(two.Question, dns.Question{Name: "example.com.", Qtype: dns.TypeA, Qclass: dns.ClassINET})
	r, err = z.Exchange(context.Background(), two)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeFormatError, r.Rcode)
	assert.Empty(t, r.Answer)
	assert.Equal(t, 2, z.TotalQueries())
	assert.Equal(t, 0, z.Queries("example.com.", dns.TypeTXT), "malformed queries count only in the total")

	_, err = z.Exchange(context.Background(), nil)
	assert.Error(t, err)
}

func TestQueriesCount(t *testing.T) {
	z := NewZone().MustAdd(`a.example.com. IN CNAME b.example.com.`, `b.example.com. IN TXT "x"`)
	assert.Equal(t, 0, z.TotalQueries())
	ask(t, z, "A.example.com", dns.TypeTXT)
	ask(t, z, "a.example.com.", dns.TypeTXT)
	ask(t, z, "a.example.com.", dns.TypeA)
	assert.Equal(t, 2, z.Queries("a.example.com", dns.TypeTXT))
	assert.Equal(t, 1, z.Queries("a.example.com", dns.TypeA))
	assert.Equal(t, 3, z.Queries("a.example.com", dns.TypeANY))
	assert.Equal(t, 0, z.Queries("b.example.com", dns.TypeANY), "CNAME targets are resolved, not queried")
	assert.Equal(t, 3, z.TotalQueries())
}

func TestAddRemove(t *testing.T) {
	z := NewZone()
	err := z.Add(`ok.example.com. IN TXT "x"`, `bad.example.com. IN TXT "unterminated`)
	require.Error(t, err)
	assert.Equal(t, dns.RcodeNameError, ask(t, z, "ok.example.com.", dns.TypeTXT).Rcode, "all or nothing")
	assert.Error(t, z.Add(""), "a blank line is no record")
	assert.Error(t, z.Add("; only a comment"))
	assert.Panics(t, func() { z.MustAdd("nonsense") })

	require.NoError(t, z.Add(`x.example.com. IN TXT "a"`, `x.example.com. IN TXT "a"`, `x.example.com IN A 192.0.2.1`))
	assert.Len(t, ask(t, z, "x.example.com.", dns.TypeTXT).Answer, 1, "duplicates ignored")
	assert.Len(t, ask(t, z, "x.example.com.", dns.TypeA).Answer, 1, "relative names are fully qualified")

	rr, err := dns.NewRR(`y.example.com. IN TXT "b"`)
	require.NoError(t, err)
	z.AddRR(rr, nil)
	rr.(*dns.TXT).Txt = []string{"mutated"}
	assert.Equal(t, []string{`y.example.com. TXT "b"`}, rrStrings(ask(t, z, "y.example.com.", dns.TypeTXT).Answer), "AddRR copies")

	z.Remove("X.example.com.", dns.TypeTXT)
	assert.Empty(t, ask(t, z, "x.example.com.", dns.TypeTXT).Answer)
	assert.Equal(t, dns.RcodeSuccess, ask(t, z, "x.example.com.", dns.TypeTXT).Rcode)
	z.Remove("x.example.com.", dns.TypeANY)
	assert.Equal(t, dns.RcodeNameError, ask(t, z, "x.example.com.", dns.TypeA).Rcode)
}

func TestReplyIsACopy(t *testing.T) {
	z := NewZone().MustAdd(`example.com. IN TXT "a"`)
	r := ask(t, z, "example.com.", dns.TypeTXT)
	r.Answer[0].(*dns.TXT).Txt[0] = "changed"
	r.Answer[0].Header().Name = "other."
	assert.Equal(t, []string{`example.com. TXT "a"`}, rrStrings(ask(t, z, "example.com.", dns.TypeTXT).Answer))
}

func TestConcurrentUse(t *testing.T) {
	z := NewZone().MustAdd(soa)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			z.MustAdd(fmt.Sprintf(`n%d.example.com. IN TXT "v"`, i))
			z.SetRcode(fmt.Sprintf("f%d.example.com.", i), dns.TypeA, dns.RcodeServerFailure)
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := z.Exchange(context.Background(), new(dns.Msg).SetQuestion(fmt.Sprintf("n%d.example.com.", i), dns.TypeTXT)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 8*20, z.TotalQueries())
	for i := range 8 {
		assert.Len(t, ask(t, z, fmt.Sprintf("n%d.example.com.", i), dns.TypeTXT).Answer, 1)
	}
}

// FuzzExchange feeds arbitrary wire messages, as a DNSServer would receive
// them, to the resolution logic: it must answer or refuse, never panic.
func FuzzExchange(f *testing.F) {
	seed := func(m *dns.Msg) {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(new(dns.Msg).SetQuestion("a.example.com.", dns.TypeTXT))
	seed(new(dns.Msg).SetQuestion("*.example.com.", dns.TypeANY))
	seed(new(dns.Msg).SetQuestion("loop1.example.com.", dns.TypeA))
	seed(new(dns.Msg).SetQuestion(".", dns.TypeSOA))
	e := new(dns.Msg).SetQuestion("q.c.example.com.", dns.TypeCAA)
	e.SetEdns0(4096, true)
	seed(e)
	f.Add([]byte{0, 1, 2})

	z := NewZone().MustAdd(soa,
		`a.example.com. IN CNAME b.example.com.`,
		`b.example.com. IN TXT "x"`,
		`*.example.com. IN TXT "wild"`,
		`*.c.example.com. IN CNAME a.example.com.`,
		`loop1.example.com. IN CNAME loop2.example.com.`,
		`loop2.example.com. IN CNAME loop1.example.com.`,
		`*. IN A 192.0.2.1`,
	)
	z.SetRcode("fail.example.com.", dns.TypeANY, dns.RcodeServerFailure)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return
		}
		r, err := z.Exchange(context.Background(), m)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(r.Answer) > maxCNAMEHops+64 {
			t.Fatalf("runaway answer: %d records", len(r.Answer))
		}
		if r.Id != m.Id || !r.Response {
			t.Fatalf("reply header does not match the query")
		}
	})
}
