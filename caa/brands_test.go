package caa

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
