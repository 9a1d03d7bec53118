package dnsname

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPublicRefusesSpecialUseAndNonICANNNames(t *testing.T) {
	for _, name := range []string{
		"x.onion", "printer.local", "localhost", "app.localhost", "a.test", "www.example",
		"x.invalid", "db.internal", "x.alt", "nas.home.arpa", "*.corp.test", "intranet.corp", "x.unknowntld",
	} {
		err := Public(name)
		require.ErrorIs(t, err, ErrNotPublic, name)
		var ne *Error
		require.ErrorAs(t, err, &ne, name)
		assert.NotEmpty(t, ne.Detail, "%s: the reason is given", name)
	}
	for _, name := range []string{"example.com", "*.example.com", "www.example.co.uk", "x.blogspot.com", "onion.example.com", "test.example.org", "xn--bcher-kva.de",
		"www.ck", // .ck is listed only as "*.ck" and "!www.ck": the rule, not the bare TLD, is ICANN's
	} {
		assert.NoError(t, Public(name), name)
	}
}

// FuzzPublic: for any name Domain accepts, Public never panics and either
// passes it or refuses it with a typed ErrNotPublic that gives the reason.
func FuzzPublic(f *testing.F) {
	for _, s := range []string{"example.com", "x.onion", "a.test", "*.corp.internal", "nas.home.arpa", "x.unknowntld", "x.blogspot.com", "localhost.example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Domain(s)
		if err != nil {
			return
		}
		err = Public(d)
		if err == nil {
			return
		}
		var ne *Error
		if !errors.As(err, &ne) || !errors.Is(err, ErrNotPublic) || ne.Detail == "" {
			t.Fatalf("%q: %v", d, err)
		}
	})
}
