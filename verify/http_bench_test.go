package verify_test

import (
	"context"
	"testing"

	"github.com/dcvkit/dcv/verify"
)

// BenchmarkFetch fetches a small validation file from a loopback httptest
// server through HTTPClient: DNS from an in-memory zone, guard, dial, GET,
// bounded read.
func BenchmarkFetch(b *testing.B) {
	s := newSite(b, "127.0.0.1")
	ctx := context.Background()
	u := "http://example.com/.well-known/pki-validation/fileauth.txt"
	b.ReportAllocs()
	for b.Loop() {
		res, err := verify.Fetch(ctx, s.client, u, verify.NoRedirects, 0)
		if err != nil || !verify.ContentMatches(res.Body, "value123\nsecond line") {
			b.Fatalf("fetch: %v", err)
		}
	}
}

func BenchmarkContentMatches(b *testing.B) {
	body := []byte("\ufeff" + sslcomWant + "\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if !verify.ContentMatches(body, sslcomWant) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkCheckAddr(b *testing.B) {
	addrs := mustAddrs("8.8.8.8", "10.1.2.3", "2606:4700::1111", "::ffff:192.168.1.1", "fe80::1")
	b.ReportAllocs()
	for b.Loop() {
		for _, a := range addrs {
			_ = verify.CheckAddr(a)
		}
	}
}
