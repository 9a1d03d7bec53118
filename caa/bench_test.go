package caa_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const benchRTT = 20 * time.Millisecond

// benchDeep checks a 6-label name whose CAA RRset is at the registrable
// domain, with every query taking benchRTT, and reports wall time per
// check in round trips (target <= 1.3: all levels asked at once).
func benchDeep(b *testing.B, ex caa.Exchanger) {
	c := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: ex}
	req := caa.Request{Domain: "www.a.b.c.example.com", Issuers: []string{"ssl.com"}}
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		d, err := c.Check(ctx, req)
		if err != nil || !d.Permitted || d.RelevantName != "example.com" {
			b.Fatalf("unexpected %+v, %v", d, err)
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchRTT), "x-rtt")
}

func benchZone() *verifytest.Zone {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	z.SetDelay(benchRTT)
	return z
}

func BenchmarkCheckDeepName(b *testing.B) {
	benchDeep(b, benchZone())
}

func BenchmarkCheckDeepNameLoopback(b *testing.B) {
	srv, err := verifytest.NewDNSServer(benchZone())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	benchDeep(b, &verify.DNSClient{Servers: []string{srv.Addr()}})
}
