package dnsname

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDomain(t *testing.T) {
	ok := map[string]string{
		"example.com":              "example.com",
		" Example.COM. ":           "example.com",
		"*.example.com":            "*.example.com",
		"www.example.co.uk":        "www.example.co.uk",
		"münchen.de":               "xn--mnchen-3ya.de",
		"xn--mnchen-3ya.de":        "xn--mnchen-3ya.de",
		"a-b.example.org":          "a-b.example.org",
		"*.xn--mnchen-3ya.de":      "*.xn--mnchen-3ya.de",
		"sub.hildegardconsort.org": "sub.hildegardconsort.org",
	}
	for in, want := range ok {
		if want == "" {
			continue
		}
		got, err := Domain(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	bad := map[string]error{
		"":                                       ErrEmpty,
		"  ":                                     ErrEmpty,
		"192.0.2.1":                              ErrIPAddress,
		"[2001:db8::1]":                          ErrIPAddress,
		"2001:db8::1":                            ErrIPAddress,
		"fe80::1%eth0":                           ErrIPAddress,
		"::ffff:192.0.2.1":                       ErrIPAddress,
		"127.1":                                  ErrIPAddress,
		"www.0x7f":                               ErrIPAddress,
		"a.0X1":                                  ErrIPAddress,
		"example.123":                            ErrIPAddress,
		"com":                                    ErrSingleLabel,
		"localhost":                              ErrSingleLabel,
		"co.uk":                                  ErrPublicSuffix,
		"*.co.uk":                                ErrPublicSuffix,
		"*.com":                                  ErrSingleLabel,
		"github.io":                              ErrPublicSuffix,
		"a..example.com":                         ErrEmptyLabel,
		".example.com":                           ErrEmptyLabel,
		"_dnsauth.example.com":                   ErrUnderscore,
		"a_b.example.com":                        ErrUnderscore,
		"www.*.example.com":                      ErrWildcard,
		"*a.example.com":                         ErrWildcard,
		"*.*.example.com":                        ErrWildcard,
		strings.Repeat("a", 64) + ".com":         ErrTooLong,
		strings.Repeat("abcdefghi.", 26) + "com": ErrTooLong,
		"exa mple.com":                           ErrInvalid,
		"example.com..":                          ErrEmptyLabel,
		"Xn--.A":                                 ErrInvalid, // IDNA would leave an empty label
		"xn--.example.com":                       ErrInvalid,
	}
	for in, want := range bad {
		_, err := Domain(in)
		require.Error(t, err, in)
		assert.ErrorIs(t, err, want, in)
		var ne *Error
		require.True(t, errors.As(err, &ne), in)
		assert.Equal(t, in, ne.Input)
	}
}

func TestOwner(t *testing.T) {
	for in, want := range map[string]string{
		"_dnsauth.www.example.com.":                     "_dnsauth.www.example.com",
		"_4547FDDC7118AC1B676C964534F2DB10.example.com": "_4547fddc7118ac1b676c964534f2db10.example.com",
		"_acme-challenge.münchen.de":                    "_acme-challenge.xn--mnchen-3ya.de",
		"www.example.com":                               "www.example.com",
		"_a._b.example.com":                             "_a._b.example.com",
	} {
		got, err := Owner(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for in, want := range map[string]error{
		"_dnsauth.com":             ErrSingleLabel,
		"_dnsauth.co.uk":           ErrPublicSuffix,
		"www._dnsauth.example.com": ErrUnderscore,
		"*.example.com":            ErrWildcard,
		"_":                        ErrInvalid,
		"_x!.example.com":          ErrInvalid,
	} {
		_, err := Owner(in)
		assert.ErrorIs(t, err, want, in)
	}
}

// Invalid UTF-8 is refused, not turned into the A-label of U+FFFD (which
// Domain itself refuses, and which every bad byte would collide on).
func TestNormalizersRefuseInvalidUTF8(t *testing.T) {
	for _, s := range []string{"0.\x8c", "a.\xff", "\xc3.example.com", "ex\xe2\x82ample.com", "0.\uFFFD", "_x\xff.example.com"} {
		for name, norm := range map[string]func(string) (string, error){"Domain": Domain, "Owner": Owner} {
			got, err := norm(s)
			assert.Error(t, err, "%s(%q) = %q", name, s, got)
			var ne *Error
			assert.True(t, errors.As(err, &ne), "%s(%q): typed error", name, s)
		}
	}
}

func TestHelpers(t *testing.T) {
	rd, err := Registrable("_dnsauth.a.b.example.co.uk")
	require.NoError(t, err)
	assert.Equal(t, "example.co.uk", rd)
	rd, err = Registrable("*.www.example.com")
	require.NoError(t, err)
	assert.Equal(t, "example.com", rd)
	_, err = Registrable("co.uk")
	assert.ErrorIs(t, err, ErrPublicSuffix)

	assert.Equal(t, "@", HostRecord("example.com", "example.com"))
	assert.Equal(t, "_dnsauth.www", HostRecord("_dnsauth.www.example.com", "example.com"))
	assert.Equal(t, "_x.myexample.com", HostRecord("_x.myexample.com", "example.com"), "a zone is cut at a label boundary only")
	assert.Equal(t, "_x.example.org", HostRecord("_x.example.org", "example.com"), "another zone: the name as it is")
	assert.Equal(t, "a.example.com", HostRecord("a.example.com.", ""), "an empty zone leaves the trailing dot off")
	assert.Equal(t, []string{"a.b.example.com", "b.example.com", "example.com"}, Parents("a.b.example.com", "example.com"))
	assert.Equal(t, []string{"example.com"}, Parents("example.com", "example.com"))
	assert.Equal(t, "example.com.", FQDN("example.com"))
	assert.Equal(t, "example.com.", FQDN("example.com."))
	assert.Equal(t, "a..", FQDN("a.."), "only one dot is ever added, none taken away")
	fq := "_acme-challenge.example.com."
	assert.Equal(t, unsafe.StringData(fq), unsafe.StringData(FQDN(fq)), "a fully qualified name is returned as it is")
	assert.True(t, IsWildcard("*.example.com"))
	assert.Equal(t, "example.com", Base("*.example.com"))
}

func FuzzDomain(f *testing.F) {
	for _, s := range []string{"example.com", "*.example.com", "münchen.de", "co.uk", "192.0.2.1",
		"[::1]", "a..b", "_x.example.com", "www.*.x.com", "xn--zz.com", "EXAMPLE.COM.", "\x00.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, norm := range []func(string) (string, error){Domain, Owner} {
			got, err := norm(s)
			if err != nil {
				var ne *Error
				if !errors.As(err, &ne) {
					t.Fatalf("%q: untyped error %v", s, err)
				}
				continue
			}
			// Normalization is idempotent and its output is within DNS limits.
			again, err := norm(got)
			if err != nil || again != got {
				t.Fatalf("%q -> %q -> %q, %v", s, got, again, err)
			}
			if len(got) > 253 || strings.ContainsAny(got, " \t") || got != strings.ToLower(got) {
				t.Fatalf("%q -> bad output %q", s, got)
			}
		}
	})
}

func TestHasICANNSuffix(t *testing.T) {
	for name, want := range map[string]bool{
		"example.com":        true,
		"WWW.Example.COM.":   true,
		"a.b.example.co.uk":  true,
		"user.github.io":     true, // private-section suffix, ICANN "io" under it
		"x.ck":               true,
		"xn--mnchen-3ya.de":  true,
		"foo.internal":       false,
		"x.notatld":          false,
		"printer.local":      false,
		"a.test":             false,
		"localhost":          false,
		"www.example":        false,
		"host.invalid":       false,
		"":                   false,
		".":                  false,
		"com.":               true,
		"corp.alt":           false,
		"a.b.c.d.e.notatld.": false,
	} {
		assert.Equal(t, want, HasICANNSuffix(name), name)
	}
}

// sameBothWays fails t if the fast path for plain names and the general
// path through IDNA disagree on s, in result, registrable domain or error,
// or if the registrable domain is not what Registrable (its own public
// suffix lookup) makes of the result.
func sameBothWays(t testing.TB, s string) {
	t.Helper()
	for _, owner := range []bool{false, true} {
		fast, frd, ferr := normalizeWith(s, owner, true)
		slow, srd, serr := normalizeWith(s, owner, false)
		if fast != slow || frd != srd || (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
			t.Fatalf("%q (owner %v): fast %q %q, %v; IDNA %q %q, %v", s, owner, fast, frd, ferr, slow, srd, serr)
		}
		if ferr != nil {
			continue
		}
		if rd, err := Registrable(fast); err != nil || rd != frd {
			t.Fatalf("%q (owner %v) -> %q: registrable %q, Registrable says %q, %v", s, owner, fast, frd, rd, err)
		}
	}
}

// TestFastPathMatchesIDNA: names that skip IDNA come out exactly as IDNA
// would make them, over edge cases and many generated names: random
// strings, and names put together from labels that sit near the fast
// path's edges (wildcards, '_' labels, hyphens, "xn--", numbers, public
// suffixes, trailing dots).
func TestFastPathMatchesIDNA(t *testing.T) {
	for _, s := range []string{
		"example.com", "a-b.example.com", "-a.example.com", "a-.example.com", "ab--c.example.com",
		"xn--mnchen-3ya.de", "xn--zz.com", "xn--.com", "xn--a.com", "ab--.com", "a--b.com", "abc--d.com",
		"123.example.com", "1.com", "0x1.example.com", "www.example.123", strings.Repeat("a", 63) + ".com",
		strings.Repeat("a", 64) + ".com", "_dnsauth.www.example.com", "*.example.com", "EXAMPLE.com",
		"exa_mple.com", "a.b.c.d.e.f.g.example.co.uk", "-.com", "a.-", "xn--55qx5d.cn", "xn--55qx5D.cn",
		"_acme-challenge.www.example.com.", "_a._b.example.com", "_a.*.example.com", "*._a.example.com",
		"_.example.com", "__.example.com", "_a-_.example.com", "_a*.example.com", "_A.example.com",
		"*.co.uk", "_x.co.uk", "_x.github.io", "x.github.io", "www.ck", "a.www.ck", "x.0x1", "x.0x", "x.0",
		"_x.1.2.3.4", "1.2.3.4", "a.b.c.4", "*.com", "*", "_x", "_x.", "x.", ".", "", "..", "a..b",
		"www.example.com..", " www.example.com", "www.example.com ", "*.*.example.com",
		strings.Repeat("a.", 126) + "com", strings.Repeat("a.", 125) + "com", "_" + strings.Repeat("a", 62) + ".example.com",
		"_" + strings.Repeat("a", 63) + ".example.com",
	} {
		sameBothWays(t, s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcxyz0129-._*AZé"
	runes := []rune(alphabet)
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(24) {
			b.WriteRune(runes[r.IntN(len(runes))])
		}
		if r.IntN(3) == 0 {
			b.WriteString(".com")
		}
		sameBothWays(t, b.String())
	}
	pieces := []string{"www", "a", "b-c", "-x", "y-", "ab--cd", "xn--", "xn--mnchen-3ya", "0x1", "0", "12", "Ab",
		"_acme-challenge", "_x", "_", "*", "a_b", "", "com", "co", "uk", "github", "io", "ck", "de", "example",
		"münchen", strings.Repeat("q", 63), strings.Repeat("q", 64)}
	for range 20000 {
		var b strings.Builder
		for i := range 1 + r.IntN(5) {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		if r.IntN(4) == 0 {
			b.WriteByte('.')
		}
		sameBothWays(t, b.String())
	}
}

// TestPlainNamesComeBackAsGiven: a name already normalized is returned
// as the input string itself (or it without the trailing dot), with no
// copy; the one allocation left is the public suffix lookup's own
// (x/net/publicsuffix parses the name as an IP address first).
func TestPlainNamesComeBackAsGiven(t *testing.T) {
	for _, tc := range []struct {
		in    string
		owner bool
	}{
		{"www.example.com", false}, {"*.example.co.uk", false}, {"_acme-challenge.www.example.com.", true},
		{"_dnsauth.example.com", true}, {"d1234.example.com", true},
	} {
		name, rd, err := normalize(tc.in, tc.owner)
		require.NoError(t, err, tc.in)
		assert.Equal(t, unsafe.StringData(tc.in), unsafe.StringData(name), "%s: the input itself", tc.in)
		assert.Equal(t, strings.TrimSuffix(tc.in, "."), name)
		assert.True(t, strings.HasSuffix(name, rd), "%s: registrable %q is a substring", tc.in, rd)
		allocs := testing.AllocsPerRun(100, func() { _, _, _ = normalize(tc.in, tc.owner) })
		assert.LessOrEqual(t, allocs, 1.0, tc.in)
	}
}

func FuzzFastPathMatchesIDNA(f *testing.F) {
	for _, s := range []string{"example.com", "xn--mnchen-3ya.de", "ab--c.example.com", "-a.com", "_x.example.com", "a-.b.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameBothWays(t, s) })
}

func BenchmarkDomainPlain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Owner("_dnsauth.d1234.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
