package dnssec_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
)

// BenchmarkValidateWarm is the CPU cost of validating one answer (a TXT in
// a three-level ECDSA chain) once the chain is cached.
func BenchmarkValidateWarm(b *testing.B) {
	h := testLab(b)
	resp, err := h.Resolve("_dnsauth.example.com.", dns.TypeTXT, true)
	if err != nil {
		b.Fatal(err)
	}
	v := newValidator(h)
	q := &counting{q: h}
	if r := v.Validate(context.Background(), q, resp.Copy()); r.Verdict != dnssec.Secure {
		b.Fatal(r)
	}
	q.n.Store(0)
	b.ReportAllocs()
	for b.Loop() {
		if r := v.Validate(context.Background(), q, resp.Copy()); r.Verdict != dnssec.Secure {
			b.Fatal(r)
		}
	}
	b.ReportMetric(float64(q.n.Load())/float64(b.N), "queries/op")
}

// BenchmarkValidateCold validates with an empty cache every time: the
// chain-query count and CPU of a cold chain (root, com, example.com).
func BenchmarkValidateCold(b *testing.B) {
	h := testLab(b)
	resp, err := h.Resolve("_dnsauth.example.com.", dns.TypeTXT, true)
	if err != nil {
		b.Fatal(err)
	}
	q := &counting{q: h}
	b.ReportAllocs()
	for b.Loop() {
		v := newValidator(h)
		if r := v.Validate(context.Background(), q, resp.Copy()); r.Verdict != dnssec.Secure {
			b.Fatal(r)
		}
	}
	b.ReportMetric(float64(q.n.Load())/float64(b.N), "queries/op")
}

// BenchmarkValidateColdChainRTT: every chain query takes rtt; the wall time
// of validating under a cold three-level chain, as a multiple of rtt,
// shows the links are fetched concurrently (sequential would be 5).
func BenchmarkValidateColdChainRTT(b *testing.B) {
	const rtt = 20 * time.Millisecond
	h := testLab(b)
	resp, err := h.Resolve("_dnsauth.example.com.", dns.TypeTXT, true)
	if err != nil {
		b.Fatal(err)
	}
	slow := querierFunc(func(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
		select {
		case <-time.After(rtt):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return h.Query(ctx, name, qtype)
	})
	var total time.Duration
	for b.Loop() {
		v := newValidator(h)
		start := time.Now()
		if r := v.Validate(context.Background(), slow, resp.Copy()); r.Verdict != dnssec.Secure {
			b.Fatal(r)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(rtt), "RTT/op")
}

// BenchmarkValidateHostileSignatures: the cost of an answer carrying 500
// signatures that all name the zone's key; bounded by the per-RRset limit,
// so it stays a small multiple of BenchmarkValidateWarm.
func BenchmarkValidateHostileSignatures(b *testing.B) {
	h := testLab(b)
	v := newValidator(h)
	resp := hostileSigs(b, 500)
	v.Validate(context.Background(), h, resp.Copy())
	for b.Loop() {
		if r := v.Validate(context.Background(), h, resp.Copy()); r.Verdict != dnssec.Bogus {
			b.Fatal(r)
		}
	}
}
