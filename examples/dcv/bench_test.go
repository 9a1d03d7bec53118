package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify/verifytest"
)

// BenchmarkVerifyOrderRoundTrips: eight dns-txt challenges verified as one
// order through a resolver that takes rtt per answer. The tool verifies an
// order concurrently, so the metric (time per run over rtt) stays near 1
// rather than 8.
func BenchmarkVerifyOrderRoundTrips(b *testing.B) {
	const rtt = 20 * time.Millisecond
	zone := verifytest.NewZone()
	srv, err := verifytest.NewDNSServer(zone)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var domains []string
	for i := range 8 {
		domains = append(domains, fmt.Sprintf("d%d.example.com", i))
	}
	o := dcv(b, append([]string{"challenge", "--json", "--method", "dns-txt"}, domains...)...)
	if o.code != exitOK {
		b.Fatal(o.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(o.stdout), "\n") {
		var c struct {
			Record struct{ Name, Value string }
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			b.Fatal(err)
		}
		zone.MustAdd(fmt.Sprintf("%s 300 IN TXT %q", c.Record.Name, c.Record.Value))
	}
	order := b.TempDir() + "/order.jsonl"
	if err := os.WriteFile(order, []byte(o.stdout), 0o600); err != nil {
		b.Fatal(err)
	}
	zone.SetDelay(rtt)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		r := dcv(b, "verify", "--challenge", order, "--resolver", srv.Addr())
		if r.code != exitOK {
			b.Fatal(r.stderr)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(rtt), "x-one-round-trip")
}
