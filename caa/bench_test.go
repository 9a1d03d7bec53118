package caa_test

import (
	"context"
	"fmt"
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

// batchSize is the number of names of BenchmarkCheckAllOneDomain.
const batchSize = 1000

// BenchmarkCheckAllOneDomain checks 1,000 names under one registrable
// domain in one CheckAll against an in-memory zone without delay, so it
// measures the client-side work of a batch: ns-per-name is the time one
// name costs, B/op and allocs/op are per batch.
func BenchmarkCheckAllOneDomain(b *testing.B) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	reqs := make([]caa.Request, batchSize)
	for i := range reqs {
		reqs[i] = caa.Request{Domain: fmt.Sprintf("d%05d.example.com", i), Issuers: []string{"ssl.com"}}
		// Each name exists (NODATA for CAA), as in a real order.
		z.MustAdd(fmt.Sprintf("d%05d.example.com. 300 IN A 192.0.2.1", i))
	}
	c := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, Concurrency: 128}
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		for _, r := range c.CheckAll(ctx, reqs) {
			if r.Err != nil || !r.Decision.Permitted || r.Decision.RelevantName != "example.com" {
				b.Fatalf("unexpected %+v, %v", r.Decision, r.Err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/batchSize, "ns-per-name")
}
