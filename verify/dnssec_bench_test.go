package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// benchRTT is the delay the loopback resolver adds to every query.
const benchRTT = 20 * time.Millisecond

// BenchmarkVerifyTXTDNSSEC measures a TXT check validated under a
// three-level signed chain (root, com, example.com) through a loopback
// resolver that adds 20 ms per query, as a ratio to that delay (x-rtt).
// cold: a fresh DNSClient (empty DS/DNSKEY cache) per check, so the chain
// is fetched each time (target <= 3); warm: one DNSClient, the chain
// cached (target <= 1.2). nodelay-cold: ns/op of a cold check without the
// delay, client and server sharing the machine (an upper bound on the
// client's CPU per check: 5 chain queries and the TXT, all validated).
func BenchmarkVerifyTXTDNSSEC(b *testing.B) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "token"`)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{
		".": {}, "com.": {}, "example.com.": {},
	}})
	if err != nil {
		b.Fatal(err)
	}
	s := dnsTServer(b, z)
	ctx := context.Background()
	check := func(b *testing.B, c *verify.DNSClient) {
		v := &verify.Verifier{DNS: c, TrustAnchors: anchors}
		r, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "token")
		if err != nil || r.DNSSEC != verify.DNSSECSecure {
			b.Fatalf("%v (dnssec %q)", err, r.DNSSEC)
		}
	}
	newClient := func() *verify.DNSClient {
		return &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: 2 * time.Second}
	}
	b.Run("cold", func(b *testing.B) {
		z.SetDelay(benchRTT)
		defer z.SetDelay(0)
		start := time.Now()
		for b.Loop() {
			check(b, newClient())
		}
		b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchRTT), "x-rtt")
	})
	b.Run("warm", func(b *testing.B) {
		c := newClient()
		check(b, c) // fill the cache
		z.SetDelay(benchRTT)
		defer z.SetDelay(0)
		start := time.Now()
		for b.Loop() {
			check(b, c)
		}
		b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchRTT), "x-rtt")
	})
	b.Run("nodelay-cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			check(b, newClient())
		}
	})
}
