package verify_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const benchDelay = 20 * time.Millisecond

// BenchmarkOrder100TXT verifies a 100-domain order (a TXT record each)
// against a loopback DNS server that adds 20 ms to every query. The
// x-rtt metric is wall time per order / 20 ms (target <= 2).
func BenchmarkOrder100TXT(b *testing.B) {
	z := verifytest.NewZone()
	z.SetDelay(benchDelay)
	srv, err := verifytest.NewDNSServer(z)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var items []verify.OrderItem
	for i := range 100 {
		c, err := builder().DNSTXT(fmt.Sprintf("d%d.example.com", i))
		if err != nil {
			b.Fatal(err)
		}
		z.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
		items = append(items, verify.OrderItem{Challenge: c})
	}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: &verify.DNSClient{Servers: []string{srv.Addr()}}, Now: func() time.Time { return now }}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := v.VerifyOrder(ctx, items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchDelay), "x-rtt")
}

// BenchmarkFileApexWWW checks a file challenge on apex and www over http
// and https, with every response delayed 20 ms. x-delay is wall time /
// 20 ms (target <= 1.3: the four fetches run concurrently).
func BenchmarkFileApexWWW(b *testing.B) {
	c, err := builder().File("example.com")
	if err != nil {
		b.Fatal(err)
	}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(benchDelay)
		fmt.Fprint(w, c.File.Content)
	})
	e := newEnv(b)
	e.site(b, "example.com", "127.0.0.1", slow, slow)
	e.site(b, "www.example.com", "127.0.0.2", slow, slow)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := e.v.Verify(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchDelay), "x-delay")
}

// BenchmarkVerifyDNS01Zone is the client-side work of one dns-01 check,
// in memory (the zone double answers): re-validating the challenge, the
// names, the lookup logic, the evidence and the Result. It is the part
// of BenchmarkScale10k's CPU per check that the raw miekg/dns floor does
// not do.
func BenchmarkVerifyDNS01Zone(b *testing.B) {
	c, err := builder().ACMEDNS01("www.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())
	if err != nil {
		b.Fatal(err)
	}
	z := verifytest.NewZone().MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value))
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z, Now: func() time.Time { return now }}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
