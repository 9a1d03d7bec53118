package dnsname

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
)

// TestCanonicalCompareRFC4034Order sorts a shuffled copy of the example
// list of RFC 4034 §6.1 and expects the RFC's order back.
func TestCanonicalCompareRFC4034Order(t *testing.T) {
	want := []string{
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", `\001.z.example.`, "*.z.example.", `\200.z.example.`,
	}
	got := []string{want[4], want[8], want[0], want[6], want[2], want[7], want[1], want[5], want[3]}
	slices.SortFunc(got, CanonicalCompare)
	assert.Equal(t, want, got)
	assert.Zero(t, CanonicalCompare("Example.COM", "example.com."))
	assert.Negative(t, CanonicalCompare("bad..name", "example."))
}

func TestCanonicalIsMiekgCanonicalName(t *testing.T) {
	for _, n := range []string{"", ".", "example.com", "Example.COM.", "_ACME-challenge.WWW.example.com", `a\.B.example.`, `a\.`, "xn--bcher-kva.EXAMPLE", "*.Example.com"} {
		assert.Equal(t, dns.CanonicalName(n), Canonical(n), n)
	}
}

func TestCanonicalReturnsCanonicalNamesAsTheyAre(t *testing.T) {
	n := "_acme-challenge.www.example.com."
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Canonical(n) }))
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"Example.COM", "example.com.", `a\.`, "ÄB.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // CanonicalName's strings.Map turns such bytes into U+FFFD
		}
		if got, want := Canonical(s), dns.CanonicalName(s); got != want {
			t.Fatalf("Canonical(%q) = %q, CanonicalName %q", s, got, want)
		}
	})
}
