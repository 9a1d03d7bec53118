package verify_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// BenchmarkLookupTXTLoopback measures one TXT lookup through DNSClient
// against a loopback server: UDP, EDNS0, one query.
func BenchmarkLookupTXTLoopback(b *testing.B) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "202401010000002abcdefghijklmnopqrstuvwxyz"`)
	s := dnsTServer(b, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: time.Second}
	ctx := dnsTCtx()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := verify.LookupTXT(ctx, c, "_dnsauth.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupTXTLargeLoopback: an RRset over the EDNS0 buffer, so
// every lookup is a truncated UDP answer and a TCP retry.
func BenchmarkLookupTXTLargeLoopback(b *testing.B) {
	z := verifytest.NewZone()
	for i := range 30 {
		z.MustAdd(fmt.Sprintf(`example.com. 300 IN TXT "%02d%s"`, i, strings.Repeat("x", 70)))
	}
	s := dnsTServer(b, z)
	c := &verify.DNSClient{Servers: []string{s.Addr()}, Timeout: time.Second}
	ctx := dnsTCtx()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := verify.LookupTXT(ctx, c, "example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupTXTZone measures the lookup logic alone, in memory.
func BenchmarkLookupTXTZone(b *testing.B) {
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN CNAME _dnsauth.example.net.`,
		`_dnsauth.example.net. 300 IN TXT "part1" "part2"`,
	)
	ctx := dnsTCtx()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := verify.LookupTXT(ctx, z, "_dnsauth.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
