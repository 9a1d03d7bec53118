package dnssec_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type querierFunc func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error)

func (f querierFunc) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	return f(ctx, name, qtype)
}

// named is a Querier that names itself in reasons.
type named struct {
	dnssec.Querier
	name string
}

func (n named) String() string { return n.name }

func withoutSigs(rrs []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeRRSIG {
			out = append(out, rr)
		}
	}
	return out
}

func withoutTypes(rrs []dns.RR, types ...uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		drop := false
		for _, t := range types {
			if rr.Header().Rrtype == t {
				drop = true
			}
			if sig, ok := rr.(*dns.RRSIG); ok && sig.TypeCovered == t {
				drop = true
			}
		}
		if !drop {
			out = append(out, rr)
		}
	}
	return out
}

func resolve(t *testing.T, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m, err := testLab(t).Resolve(name, qtype, true)
	require.NoError(t, err)
	return m
}

// TestValidateRejectsAlteredResponses: whatever an attacker (or a broken
// resolver) does to a response from a signed zone, it is never secure.
func TestValidateRejectsAlteredResponses(t *testing.T) {
	h := testLab(t)
	cases := []struct {
		name   string
		resp   func() *dns.Msg
		reason string
	}{
		{"RRSIG removed from the answer", func() *dns.Msg {
			m := resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
			m.Answer = withoutSigs(m.Answer)
			return m
		}, "returned no DNSSEC signatures for _dnsauth.example.com TXT though example.com is signed"},
		{"answer data replaced", func() *dns.Msg {
			m := resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
			m.Answer[0].(*dns.TXT).Txt = []string{"attacker"}
			return m
		}, "does not verify"},
		{"signature replayed onto another name", func() *dns.Msg {
			m := resolve(t, "www.example.com.", dns.TypeA)
			m.Question[0].Name = "evil.example.com."
			for _, rr := range m.Answer {
				rr.Header().Name = "evil.example.com."
			}
			return m
		}, "does not verify"},
		{"NXDOMAIN without its NSEC proof", func() *dns.Msg {
			m := resolve(t, "nosuch.example.com.", dns.TypeTXT)
			m.Ns = withoutTypes(m.Ns, dns.TypeNSEC)
			return m
		}, "carries no NSEC or NSEC3 proof"},
		{"NXDOMAIN with nothing signed", func() *dns.Msg {
			m := resolve(t, "nosuch.example.com.", dns.TypeTXT)
			m.Ns = withoutSigs(m.Ns)
			return m
		}, "returned no DNSSEC signatures"},
		{"NXDOMAIN for an existing name with another name's proof", func() *dns.Msg {
			m := resolve(t, "nosuch.example.com.", dns.TypeTXT)
			m.Question[0].Name = "_dnsauth.example.com."
			return m
		}, "denial of _dnsauth.example.com TXT is broken"},
		{"NODATA claimed for a type that exists", func() *dns.Msg {
			m := resolve(t, "www.example.com.", dns.TypeTXT)
			m.Question[0].Qtype = dns.TypeA
			return m
		}, "lists A"},
		{"NXDOMAIN rcode over a NODATA proof", func() *dns.Msg {
			m := resolve(t, "www.example.com.", dns.TypeTXT)
			m.Rcode = dns.RcodeNameError
			return m
		}, "says it does"},
		{"NSEC3 NXDOMAIN without the closest encloser", func() *dns.Msg {
			m := resolve(t, "nosuch.nsec3.org.", dns.TypeTXT)
			m.Ns = withoutTypes(m.Ns, dns.TypeNSEC3)
			return m
		}, "no NSEC or NSEC3 proof"},
		{"NSEC3 proof replayed to deny an existing name (many iterations)", func() *dns.Msg {
			m := resolve(t, "nosuch.highiter.org.", dns.TypeTXT)
			m.Question[0] = dns.Question{Name: "www.highiter.org.", Qtype: dns.TypeA, Qclass: dns.ClassINET}
			return m
		}, "denial of www.highiter.org A is broken"},
		{"wildcard expansion without the proof", func() *dns.Msg {
			m := resolve(t, "a.wild.example.com.", dns.TypeTXT)
			m.Ns = nil
			return m
		}, "synthesized from the wildcard *.wild.example.com"},
		{"NSEC3 wildcard expansion without the proof", func() *dns.Msg {
			m := resolve(t, "a.wild.nsec3.org.", dns.TypeTXT)
			m.Ns = nil
			return m
		}, "synthesized from the wildcard *.wild.nsec3.org"},
		{"wildcard signature used for an existing name", func() *dns.Msg {
			m := resolve(t, "a.wild.example.com.", dns.TypeTXT)
			m.Question[0].Name = "sub.wild.example.com."
			for _, rr := range m.Answer {
				rr.Header().Name = "sub.wild.example.com."
			}
			return m
		}, "without proof that sub.wild.example.com does not exist"},
		{"unsigned answer in a signed zone", func() *dns.Msg {
			m := new(dns.Msg)
			m.SetQuestion("_dnsauth.example.com.", dns.TypeTXT)
			rr, _ := dns.NewRR(`_dnsauth.example.com. 300 IN TXT "attacker"`)
			m.Answer = []dns.RR{rr}
			return m
		}, "returned no DNSSEC signatures"},
		{"CNAME chain with a stripped final signature", func() *dns.Msg {
			m := resolve(t, "to-secure.example.com.", dns.TypeA)
			m.Answer = withoutTypes(m.Answer, dns.TypeA)
			rr, _ := dns.NewRR(`www.rsa256.com. 300 IN A 203.0.113.66`)
			m.Answer = append(m.Answer, rr)
			return m
		}, "returned no DNSSEC signatures for www.rsa256.com A"},
	}
	v := newValidator(h)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := v.Validate(context.Background(), h, c.resp())
			assert.Equal(t, dnssec.Bogus, r.Verdict, "reason: %s", r.Reason)
			assert.Contains(t, r.Reason, c.reason)
		})
	}
}

// TestValidateResolverWithoutDNSSEC: a resolver that drops RRSIGs is named
// in the reason, with the advice to use a DNSSEC-aware one.
func TestValidateResolverWithoutDNSSEC(t *testing.T) {
	h := testLab(t)
	strip := named{querierFunc(func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
		m, err := h.Query(ctx, name, qtype)
		if err == nil {
			m.Answer, m.Ns = withoutSigs(m.Answer), withoutSigs(m.Ns)
		}
		return m, err
	}), "resolver 127.0.0.1:5353"}
	resp := resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
	resp.Answer = withoutSigs(resp.Answer)
	r := newValidator(h).Validate(context.Background(), strip, resp)
	assert.Equal(t, dnssec.Bogus, r.Verdict)
	assert.Contains(t, r.Reason, "resolver 127.0.0.1:5353 returned no DNSSEC signatures")
	assert.Contains(t, r.Reason, "use a DNSSEC-aware resolver")
}

// TestValidateChainFailuresAreIndeterminate: timeouts and SERVFAIL while
// fetching DS or DNSKEY give Indeterminate, never a pass, and are not
// cached: the next call with a healthy chain is secure.
func TestValidateChainFailuresAreIndeterminate(t *testing.T) {
	h := testLab(t)
	cases := []struct {
		name  string
		qname string
		qtype uint16
		fail  func() (*dns.Msg, error)
	}{
		{"timeout on a DS", "com.", dns.TypeDS, func() (*dns.Msg, error) { return nil, context.DeadlineExceeded }},
		{"SERVFAIL on a DNSKEY", "example.com.", dns.TypeDNSKEY, func() (*dns.Msg, error) {
			m := new(dns.Msg)
			m.SetQuestion("example.com.", dns.TypeDNSKEY)
			m.Rcode = dns.RcodeServerFailure
			return m, nil
		}},
		{"root DNSKEY unreachable", ".", dns.TypeDNSKEY, func() (*dns.Msg, error) { return nil, errors.New("connection refused") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newValidator(h)
			broken := querierFunc(func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
				if name == c.qname && qtype == c.qtype {
					return c.fail()
				}
				return h.Query(ctx, name, qtype)
			})
			r := v.Validate(context.Background(), broken, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
			assert.Equal(t, dnssec.Indeterminate, r.Verdict, "reason: %s", r.Reason)
			assert.Contains(t, r.Reason, "the "+dns.TypeToString[c.qtype]+" ")
			r = v.Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
			assert.Equal(t, dnssec.Secure, r.Verdict, "a failure must not stick: %s", r.Reason)
		})
	}
}

// TestValidateCapsTTL: TTLs are lowered to the RRSIG original TTL and to
// the seconds left before the signature expires.
func TestValidateCapsTTL(t *testing.T) {
	h := testLab(t)
	m := resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
	for _, rr := range m.Answer {
		rr.Header().Ttl = 86400
	}
	r := newValidator(h).Validate(context.Background(), h, m)
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	for _, rr := range m.Answer {
		assert.EqualValues(t, 300, rr.Header().Ttl, "%s", rr)
	}

	// A proven NXDOMAIN: the proof records are capped likewise, the SOA
	// to the lowest of them (the negative-caching time).
	m = resolve(t, "nosuch.example.com.", dns.TypeTXT)
	for _, rr := range m.Ns {
		rr.Header().Ttl = 86400
	}
	r = newValidator(h).Validate(context.Background(), h, m)
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	for _, rr := range m.Ns {
		assert.LessOrEqual(t, rr.Header().Ttl, uint32(300), "%s", rr)
	}

	late := now.Add(30*24*time.Hour - 100*time.Second) // 100 s before the signatures expire
	v := &dnssec.Validator{Anchors: h.Anchors(), Now: func() time.Time { return late }}
	m = resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
	r = v.Validate(context.Background(), h, m)
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	for _, rr := range m.Answer {
		assert.EqualValues(t, 100, rr.Header().Ttl, "%s", rr)
	}
}

// TestValidateClockOutsideWindow: the whole chain is checked against Now.
func TestValidateClockOutsideWindow(t *testing.T) {
	h := testLab(t)
	for name, at := range map[string]time.Time{
		"after expiry":     now.Add(31 * 24 * time.Hour),
		"before inception": now.Add(-2 * time.Hour),
	} {
		t.Run(name, func(t *testing.T) {
			v := &dnssec.Validator{Anchors: h.Anchors(), Now: func() time.Time { return at }}
			r := v.Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
			assert.Equal(t, dnssec.Bogus, r.Verdict)
			assert.Contains(t, r.Reason, "the RRSIG over . DNSKEY")
		})
	}
}

// counting wraps a Querier and counts its queries.
type counting struct {
	q dnssec.Querier
	n atomic.Int64
}

func (c *counting) Query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	c.n.Add(1)
	return c.q.Query(ctx, name, qtype)
}

// TestValidateCachesTheChain: a warm cache needs no query; a tiny cache
// still gives the right verdicts.
func TestValidateCachesTheChain(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	q := &counting{q: h}
	r := v.Validate(context.Background(), q, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	// DNSKEY of ., com, example.com; DS of com, example.com.
	assert.EqualValues(t, 5, q.n.Load())
	q.n.Store(0)
	r = v.Validate(context.Background(), q, resolve(t, "www.example.com.", dns.TypeA))
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	assert.Zero(t, q.n.Load(), "warm chain")

	small := &dnssec.Validator{Anchors: h.Anchors(), Now: func() time.Time { return now }, CacheSize: 1}
	for range 2 {
		for _, name := range []string{"www.rsa256.com.", "www.insecure.net.", "www.badds.com."} {
			r := small.Validate(context.Background(), h, resolve(t, name, dns.TypeA))
			want := map[string]dnssec.Verdict{"www.rsa256.com.": dnssec.Secure, "www.insecure.net.": dnssec.Insecure, "www.badds.com.": dnssec.Bogus}[name]
			assert.Equal(t, want, r.Verdict, "%s: %s", name, r.Reason)
		}
	}
}

// TestValidateConcurrent: one Validator shared by goroutines (run with -race).
func TestValidateConcurrent(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	names := []string{"www.rsa256.com.", "www.p384.com.", "www.insecure.org.", "tampered.broken.com.", "nosuch.nsec3.org."}
	want := []dnssec.Verdict{dnssec.Secure, dnssec.Secure, dnssec.Insecure, dnssec.Bogus, dnssec.Secure}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := i % len(names)
			qt := dns.TypeA
			if j >= 3 {
				qt = dns.TypeTXT
			}
			m, err := h.Resolve(names[j], qt, true)
			if !assert.NoError(t, err) {
				return
			}
			r := v.Validate(context.Background(), h, m)
			assert.Equal(t, want[j], r.Verdict, "%s: %s", names[j], r.Reason)
		}()
	}
	wg.Wait()
}

// TestValidateAnchors: an island anchored by its DNSKEY validates without
// the root; a name no anchor covers is indeterminate.
func TestValidateAnchors(t *testing.T) {
	h := testLab(t)
	keys := h.Keys("example.com.")
	require.NotEmpty(t, keys)
	v := &dnssec.Validator{Anchors: []dns.RR{keys[0]}, Now: func() time.Time { return now }}
	r := v.Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	r = v.Validate(context.Background(), h, resolve(t, "www.rsa256.com.", dns.TypeA))
	assert.Equal(t, dnssec.Indeterminate, r.Verdict)
	assert.Contains(t, r.Reason, "no trust anchor covers")

	// Anchors the validator cannot use fail closed, never "insecure".
	sha1, err := dns.NewRR(". IN DS 20326 5 1 E06D44B80B8F1D39A95C0B0D7C65D08458E88040")
	require.NoError(t, err)
	v = &dnssec.Validator{Anchors: []dns.RR{sha1}, Now: func() time.Time { return now }}
	r = v.Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
	assert.Equal(t, dnssec.Indeterminate, r.Verdict, r.Reason)

	// The IANA anchors do not validate the lab's own root.
	r = (&dnssec.Validator{Now: func() time.Time { return now }}).Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
	assert.Equal(t, dnssec.Bogus, r.Verdict)
	assert.Contains(t, r.Reason, "the trust anchor for . matches no DNSKEY of . (DS key tags 20326, 38696;")
}

// TestValidateMalformed: responses that cannot be judged fail closed.
func TestValidateMalformed(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	assert.Equal(t, dnssec.Bogus, v.Validate(context.Background(), h, nil).Verdict)
	assert.Equal(t, dnssec.Bogus, v.Validate(context.Background(), h, new(dns.Msg)).Verdict)
	m := resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
	m.Truncated = true
	assert.Equal(t, dnssec.Indeterminate, v.Validate(context.Background(), h, m).Verdict)
	m = resolve(t, "_dnsauth.example.com.", dns.TypeTXT)
	m.Rcode = dns.RcodeServerFailure
	assert.Equal(t, dnssec.Indeterminate, v.Validate(context.Background(), h, m).Verdict)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Equal(t, dnssec.Indeterminate, newValidator(h).Validate(ctx, h, resolve(t, "www.example.com.", dns.TypeA)).Verdict)
}

// hostileSigs returns the answer for _dnsauth.example.com TXT with n
// corrupted copies of its RRSIG (same key tag) in front of the real one.
func hostileSigs(t testing.TB, n int) *dns.Msg {
	m, err := testLab(t).Resolve("_dnsauth.example.com.", dns.TypeTXT, true)
	require.NoError(t, err)
	var real *dns.RRSIG
	for _, rr := range m.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok {
			real = sig
		}
	}
	require.NotNil(t, real)
	var bad []dns.RR
	for i := range n {
		c := dns.Copy(real).(*dns.RRSIG)
		c.Signature = "AAAA" + c.Signature[4:]
		c.Inception += uint32(i)
		bad = append(bad, c)
	}
	m.Answer = append(bad, m.Answer...)
	return m
}

// TestValidateBoundsSignatureWork: an answer stuffed with signatures that
// all name the zone's key (the KeyTrap pattern) is bogus after a bounded
// number of checks, however many it carries.
func TestValidateBoundsSignatureWork(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	r := v.Validate(context.Background(), h, hostileSigs(t, 500))
	assert.Equal(t, dnssec.Bogus, r.Verdict)
	assert.Contains(t, r.Reason, "does not verify")
	// A few bad signatures next to a good one do not hide it.
	r = v.Validate(context.Background(), h, hostileSigs(t, 3))
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
}

// TestValidateAnyAlgorithmSuffices: with two algorithms in a zone, one
// valid signature is enough (RFC 6840 §5.11), whichever it is.
func TestValidateAnyAlgorithmSuffices(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	for _, alg := range []uint8{dns.ECDSAP256SHA256, dns.RSASHA256} {
		m := resolve(t, "www.twoalg2.com.", dns.TypeA)
		n := 0
		for _, rr := range m.Answer {
			if sig, ok := rr.(*dns.RRSIG); ok {
				n++
				if sig.Algorithm == alg {
					sig.Signature = "AAAA" + sig.Signature[4:]
				}
			}
		}
		require.Equal(t, 2, n)
		r := v.Validate(context.Background(), h, m)
		assert.Equal(t, dnssec.Secure, r.Verdict, "algorithm %d corrupted: %s", alg, r.Reason)
	}
}

// TestValidateDeepNames: a deep unsigned name below an insecure cut is
// insecure; a deep name that does not exist in a signed zone is bogus; an
// unsigned answer too deep inside a signed zone is refused, while the
// signed answer there is secure (the walk stops at its signer).
func TestValidateDeepNames(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	deep := "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r."
	for _, c := range []struct {
		name string
		want dnssec.Verdict
	}{
		{deep + "insecure.net.", dnssec.Insecure},
		{deep + "example.com.", dnssec.Bogus},
		{"q.p.o.n.m.l.k.j.i.h.g.f.e.d.c.b.a.deep.example.com.", dnssec.Indeterminate},
	} {
		m := new(dns.Msg)
		m.SetQuestion(c.name, dns.TypeA)
		rr, err := dns.NewRR(c.name + " 300 IN A 192.0.2.1")
		require.NoError(t, err)
		m.Answer = []dns.RR{rr}
		r := v.Validate(context.Background(), h, m)
		assert.Equal(t, c.want, r.Verdict, "%s: %s", c.name, r.Reason)
	}
	r, _ := check(t, v, h, h, "q.p.o.n.m.l.k.j.i.h.g.f.e.d.c.b.a.deep.example.com.", dns.TypeA)
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
}

// TestValidateAfterKeyRollover: keys cached before a zone replaced them do
// not make its new signatures bogus; the validator fetches the new keys.
func TestValidateAfterKeyRollover(t *testing.T) {
	h := dnssectest.New(now)
	for _, z := range []string{".", "com.", "example.com."} {
		require.NoError(t, h.AddZone(z, dnssectest.Config{}))
	}
	require.NoError(t, h.Add(`_dnsauth.example.com. 300 IN TXT "token"`))
	v := newValidator(h)
	r, _ := check(t, v, h, h, "_dnsauth.example.com.", dns.TypeTXT)
	require.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	require.NoError(t, h.Rekey("example.com."))
	r, _ = check(t, v, h, h, "_dnsauth.example.com.", dns.TypeTXT)
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	// A real failure stays a failure after the refetch.
	h.Break("_dnsauth.example.com.", dns.TypeTXT, dnssectest.Tampered)
	r, _ = check(t, v, h, h, "_dnsauth.example.com.", dns.TypeTXT)
	assert.Equal(t, dnssec.Bogus, r.Verdict, r.Reason)
}

// TestValidateSharesConcurrentFetches: concurrent cold validations of one
// chain share its queries (single flight, then the cache).
func TestValidateSharesConcurrentFetches(t *testing.T) {
	h := testLab(t)
	slow := &counting{q: querierFunc(func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
		time.Sleep(30 * time.Millisecond)
		return h.Query(ctx, name, qtype)
	})}
	v := newValidator(h)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := v.Validate(context.Background(), slow, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
			assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, slow.n.Load(), int64(10), "5 chain queries, shared by 20 validations")
}

// TestValidatePartialChain: an authoritative server answers a CNAME whose
// target lies in another zone with the CNAME alone: that CNAME is judged,
// and the target is left to the next query. With an SOA in the authority
// section the same answer claims a denial, which must be proven.
func TestValidatePartialChain(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	m := resolve(t, "to-secure.example.com.", dns.TypeA)
	m.Answer = withoutTypes(m.Answer, dns.TypeA)
	m.Ns = nil
	r := v.Validate(context.Background(), h, m)
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
	assert.Equal(t, "example.com.", r.Zone)

	m.Answer = withoutSigs(m.Answer)
	assert.Equal(t, dnssec.Bogus, v.Validate(context.Background(), h, m).Verdict, "the CNAME itself is still checked")

	m = resolve(t, "to-secure.example.com.", dns.TypeA)
	m.Answer = withoutTypes(m.Answer, dns.TypeA)
	soa, err := dns.NewRR("rsa256.com. 300 IN SOA ns.rsa256.com. hostmaster.rsa256.com. 1 3600 600 86400 300")
	require.NoError(t, err)
	m.Ns = []dns.RR{soa}
	assert.Equal(t, dnssec.Bogus, v.Validate(context.Background(), h, m).Verdict, "an unproven NODATA")
}

// TestValidateJunkAuthority: thousands of unsigned NSEC records next to a
// real proof are skipped in one pass; too many signed ones are refused.
func TestValidateJunkAuthority(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	m := resolve(t, "nosuch.example.com.", dns.TypeTXT)
	for i := range 3000 {
		rr, err := dns.NewRR(fmt.Sprintf("j%d.example.com. 300 IN NSEC k%d.example.com. A", i, i))
		require.NoError(t, err)
		m.Ns = append(m.Ns, rr)
	}
	r := v.Validate(context.Background(), h, m)
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)

	m = resolve(t, "nosuch.example.com.", dns.TypeTXT)
	var sig *dns.RRSIG
	for _, rr := range m.Ns {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeNSEC {
			sig = s
		}
	}
	require.NotNil(t, sig)
	for i := range 40 {
		rr, err := dns.NewRR(fmt.Sprintf("j%d.example.com. 300 IN NSEC k%d.example.com. A", i, i))
		require.NoError(t, err)
		s := dns.Copy(sig).(*dns.RRSIG)
		s.Hdr.Name = rr.Header().Name
		m.Ns = append(m.Ns, rr, s)
	}
	r = v.Validate(context.Background(), h, m)
	assert.Equal(t, dnssec.Bogus, r.Verdict, r.Reason)
}

// TestValidateOutlivesTheLeaderOfASharedFetch: a validation that joined a
// chain query another validation leads is not failed by that other
// validation giving up: it asks again itself.
func TestValidateOutlivesTheLeaderOfASharedFetch(t *testing.T) {
	h := testLab(t)
	v := newValidator(h)
	asked := make(chan struct{})
	var once sync.Once
	stuck := querierFunc(func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
		once.Do(func() { close(asked) })
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan dnssec.Result, 1)
	go func() { first <- v.Validate(ctx, stuck, resolve(t, "_dnsauth.example.com.", dns.TypeTXT)) }()
	<-asked
	time.Sleep(20 * time.Millisecond) // the first validation leads its chain queries
	second := make(chan dnssec.Result, 1)
	go func() {
		second <- v.Validate(context.Background(), h, resolve(t, "_dnsauth.example.com.", dns.TypeTXT))
	}()
	time.Sleep(20 * time.Millisecond) // the second joins them
	cancel()
	assert.Equal(t, dnssec.Indeterminate, (<-first).Verdict)
	r := <-second
	assert.Equal(t, dnssec.Secure, r.Verdict, r.Reason)
}
