package caa

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBrandsIsACopy(t *testing.T) {
	b := Brands()
	assert.Contains(t, b["sectigo"], "trust-provider.com")
	assert.Contains(t, b["digicert"], "digicert.com")
	assert.Equal(t, []string{"pki.goog"}, b["google"])
	b["sectigo"][0] = "evil.example"
	b["new"] = []string{"x.example"}
	assert.Equal(t, "sectigo.com", Brands()["sectigo"][0], "callers cannot change the table")
	assert.NotContains(t, Brands(), "new")
	assert.Len(t, BrandNames(), len(Brands()))
	for brand, ds := range Brands() {
		assert.NotEmpty(t, ds, brand)
		for _, d := range ds {
			assert.True(t, isDomain(d), "%s: %q", brand, d)
		}
	}
}

func TestBrandsCoverTheSeed(t *testing.T) {
	// The Alibaba FAQ names these issuer domains; the spec adds the rest.
	all := map[string]bool{}
	for _, ds := range Brands() {
		for _, d := range ds {
			all[d] = true
		}
	}
	for _, d := range []string{"trust-provider.com", "globalsign.com", "sectigo.com", "digicert.com", "ssl.com",
		"comodoca.com", "letsencrypt.org", "pki.goog", "amazon.com"} {
		assert.True(t, all[d], d)
	}
}

func TestResolveIdentity(t *testing.T) {
	assert.Equal(t, []string{"globalsign.com", "ssl.com", "ca.example"},
		ResolveIdentity([]string{" GlobalSign ", "ssl.com", "CA.example.", "", "globalsign.com"}))
	assert.Equal(t, []string{"trust-provider.com", "globalsign.com", "sectigo.com", "comodoca.com", "comodo.com", "usertrust.com"},
		ResolveIdentity([]string{"alibaba", "sectigo"}))
	assert.Nil(t, ResolveIdentity(nil))
}

func TestIssuerDomainsTakesBrandsAndPublicIssuerDomainsOnly(t *testing.T) {
	for in, want := range map[string][]string{
		"sectigo":          {"sectigo.com", "comodoca.com", "comodo.com", "trust-provider.com", "usertrust.com"},
		" Comodo ":         {"comodoca.com", "comodo.com", "sectigo.com", "trust-provider.com", "usertrust.com"},
		"ssl.com":          {"ssl.com"},
		"LetsEncrypt.org.": {"letsencrypt.org"},
		"pki.goog":         {"pki.goog"},
		"ca.example.co.uk": {"ca.example.co.uk"},
	} {
		got, err := IssuerDomains(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "not a domain", "ssl", "com", "co.uk", "ca.test", "ca.internal", "ssl_com.example.com",
		"*.ssl.com", "ca.unknowntld", "192.0.2.1", "sectigo.com;x"} {
		_, err := IssuerDomains(in)
		require.ErrorIs(t, err, ErrUnknownIssuer, in)
		assert.Contains(t, err.Error(), "letsencrypt, sectigo", "%s: the brands are listed", in)
	}
}

// FuzzIssuerDomains: any input is refused with ErrUnknownIssuer or yields
// issuer domains a CAA record can carry; never a panic.
func FuzzIssuerDomains(f *testing.F) {
	for _, s := range []string{"sectigo", "ssl.com", "SSL.COM.", "ca.test", "", "bücher.de", "a;b", "*.x.com", "ca-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := IssuerDomains(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownIssuer) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if len(ds) == 0 {
			t.Fatalf("%q: no domains", s)
		}
		for _, d := range ds {
			if !isDomain(d) {
				t.Fatalf("%q -> %q", s, d)
			}
		}
	})
}
