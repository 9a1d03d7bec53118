package diagnose_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// BenchmarkDiagnoseWall diagnoses a domain with 2 authoritative servers,
// an A and an AAAA record and a web server on ports 80 and 443 of each
// address, every DNS exchange and HTTP response taking 20 ms, for every
// method and a CA. The metric is the report's wall time in units of one
// exchange: the checks run concurrently, so it is the length of the
// longest chain (zone SOA, NS, NS addresses, per-server SOA), not the sum.
// With validation on, the DNSSEC chain (fetched concurrently, a fresh
// validator per diagnosis) runs beside the others.
func BenchmarkDiagnoseWall(b *testing.B) {
	for _, validate := range []bool{false, true} {
		name := "dnssec-off"
		if validate {
			name = "dnssec-validate"
		}
		b.Run(name, func(b *testing.B) { benchDiagnose(b, validate) })
	}
}

func benchDiagnose(b *testing.B, validate bool) {
	const rtt = 20 * time.Millisecond
	l := newLab(b, 2)
	r := verifytest.NewResponder()
	r.SetDelay(rtt)
	l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org"`,
		"example.test. 300 IN A 127.0.0.10", "example.test. 300 IN AAAA ::1",
		"www.example.test. 300 IN A 127.0.0.10", "www.example.test. 300 IN AAAA ::1")
	l.site(r, "127.0.0.10", "::1") // skips without an IPv6 loopback
	d := l.diagnoser()
	if validate {
		anchors, err := l.resolver.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "test.": {}, "example.test.": {}}})
		if err != nil {
			b.Fatal(err)
		}
		d.DNSSEC, d.TrustAnchors = verify.DNSSECValidate, anchors
	}
	for _, z := range append(l.auth, l.resolver) {
		z.SetDelay(rtt)
	}
	req := diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}}
	b.ReportAllocs()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		rep := d.Diagnose(context.Background(), req)
		total += time.Since(start)
		if rep.HasErrors() || !rep.Complete() {
			b.Fatalf("unexpected report: %+v", rep)
		}
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(rtt), "x-rtt")
}
