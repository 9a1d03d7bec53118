package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// Every kind has a code, a hint and an outcome; codes are unique and map
// back to their kind.
func TestKindTable(t *testing.T) {
	all := []error{verify.ErrNotFound, verify.ErrMismatch, verify.ErrNotPropagated, verify.ErrHTTPStatus, verify.ErrRedirect, verify.ErrContentMismatch,
		verify.ErrExpired, verify.ErrCodeMismatch, verify.ErrLookup, verify.ErrTimeout, verify.ErrConnection, verify.ErrTLS, verify.ErrBodyTooLarge,
		verify.ErrAddressRefused, verify.ErrPortNotAllowed, verify.ErrBadInput,
		verify.ErrALPNProtocol, verify.ErrALPNCertificate, verify.ErrPersistDenied, verify.ErrPersistMalformed,
		verify.ErrDNSSECBogus, verify.ErrDNSSECIndeterminate}
	assert.Len(t, verify.Kinds, len(all))
	seen := map[string]bool{}
	for _, k := range all {
		e := verify.NewError(k, "example.com", nil)
		code := verify.KindCode(e)
		assert.NotEmpty(t, code, k)
		assert.False(t, seen[code], code)
		seen[code] = true
		assert.Equal(t, k, verify.KindByCode(code))
		assert.NotEmpty(t, e.Hint, k)
		assert.NotEqual(t, verify.Verified, verify.OutcomeOf(e), k)
	}
	assert.Equal(t, verify.NotVerified, verify.OutcomeOf(verify.NewError(verify.ErrNotFound, "x", nil)))
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(verify.NewError(verify.ErrTimeout, "x", nil)))
	assert.Nil(t, verify.KindByCode("no_such_code"))
	assert.Empty(t, verify.KindCode(assert.AnError))
	assert.Equal(t, verify.Undecided, verify.OutcomeOf(assert.AnError), "unknown errors never pass")
}

// Messages say what happened in the user's terms, on one line, with the
// hint in its own field: expected next to found for mismatches, the CNAME
// and its target when the target is missing, the host that needs an
// address record, the missing scheme.
func TestErrorMessages(t *testing.T) {
	long := strings.Repeat("x", 150)
	zone := verifytest.NewZone().MustAdd(
		`example.com. 300 IN SOA ns1.example.com. h.example.com. 1 7200 3600 1209600 300`,
		`_dnsauth.example.com. 300 IN TXT "xyz-stale"`,
		`_long.example.com. 300 IN TXT "`+long+`"`,
		`_acme-challenge.example.com. 300 IN CNAME gone.example.net.`,
		`_nodata.example.com. 300 IN CNAME target.example.com.`,
		`target.example.com. 300 IN A 192.0.2.1`,
		`noaddr.example.com. 300 IN TXT "x"`,
		`example.com. 300 IN A 127.0.0.1`,
	)
	site := verifytest.NewResponder()
	site.Set("/f.txt", "first line\nsecond line")
	site.Set("/hash.txt", "ABCDEF\nca.example\nrest")
	web := verifytest.NewWeb(site)
	defer web.Close()
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: web.Dial}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	for name, tc := range map[string]struct {
		run  func() (*verify.Result, error)
		kind error
		msg  string
		hint string // "" means the kind's hint
	}{
		"TXT mismatch": {
			func() (*verify.Result, error) { return v.VerifyTXT(ctx, "_dnsauth.example.com", "abc-want") },
			verify.ErrMismatch, `verify: record value does not match: expected "abc-want", found "xyz-stale" at _dnsauth.example.com`, ""},
		"long values are cut": {
			func() (*verify.Result, error) { return v.VerifyTXT(ctx, "_long.example.com", "abc") },
			verify.ErrMismatch, `found "` + strings.Repeat("x", 99) + `…" at _long.example.com`, ""},
		"CNAME mismatch": {
			func() (*verify.Result, error) { return v.VerifyCNAME(ctx, "_nodata.example.com", "x.sectigo.com") },
			verify.ErrMismatch, `expected "x.sectigo.com.", found "target.example.com." at _nodata.example.com`, ""},
		"CNAME to a missing name": {
			func() (*verify.Result, error) { return v.VerifyTXT(ctx, "_acme-challenge.example.com", "v") },
			verify.ErrNotFound, "verify: _acme-challenge.example.com: record not found: _acme-challenge.example.com is a CNAME to gone.example.net, which does not exist (NXDOMAIN)",
			"point the CNAME at _acme-challenge.example.com to a name that exists, or replace it with the record"},
		"CNAME to a name without the record": {
			func() (*verify.Result, error) { return v.VerifyTXT(ctx, "_nodata.example.com", "v") },
			verify.ErrNotFound, "_nodata.example.com is a CNAME to target.example.com, which has no TXT record (NODATA)",
			"add the TXT record at target.example.com, where the CNAME at _nodata.example.com points, or replace the CNAME with the record"},
		"missing name": {
			func() (*verify.Result, error) { return v.VerifyTXT(ctx, "_none.example.com", "v") },
			verify.ErrNotFound, "verify: _none.example.com: record not found: _none.example.com does not exist (NXDOMAIN)", ""},
		"host without addresses": {
			func() (*verify.Result, error) {
				return v.VerifyFiles(ctx, []string{"http://noaddr.example.com/f.txt"}, "c")
			},
			verify.ErrNotFound, "verify: noaddr.example.com: record not found: no A or AAAA record (NODATA)",
			"add an A or AAAA record for noaddr.example.com"},
		"URL without a scheme": {
			func() (*verify.Result, error) { return v.VerifyFiles(ctx, []string{"example.com/f.txt"}, "c") },
			verify.ErrBadInput, "verify: example.com/f.txt: bad input: the URL has no scheme",
			"write the URL in full: http://example.com/f.txt or https://example.com/f.txt"},
		"content: the first line that differs": {
			func() (*verify.Result, error) {
				return v.VerifyFiles(ctx, []string{"http://example.com/f.txt"}, "first line\nother line")
			},
			verify.ErrContentMismatch, `verify: file content does not match: expected "other line", found "second line" at http://example.com/f.txt`, ""},
		"content: a missing line": {
			func() (*verify.Result, error) {
				return v.VerifyFiles(ctx, []string{"http://example.com/f.txt"}, "first line\nsecond line\nthird")
			},
			verify.ErrContentMismatch, `expected "third", found nothing at http://example.com/f.txt`, ""},
		"content: an extra line": {
			func() (*verify.Result, error) {
				return v.VerifyFiles(ctx, []string{"http://example.com/hash.txt"}, "abcdef\nca.example")
			},
			verify.ErrContentMismatch, `verify: http://example.com/hash.txt: file content does not match: an extra line 3, "rest"`, ""},
		"redirect names its Location": {
			func() (*verify.Result, error) {
				site.SetRedirect("/r.txt", 301, "https://example.com/x")
				return v.VerifyFiles(ctx, []string{"http://example.com/r.txt"}, "c")
			},
			verify.ErrRedirect, `status 301 to "https://example.com/x"`, ""},
		"several failures on one line": {
			func() (*verify.Result, error) {
				return v.VerifyFiles(ctx, []string{"http://example.com/missing.txt", "http://noaddr.example.com/f.txt"}, "c")
			},
			verify.ErrHTTPStatus, "verify: http://example.com/missing.txt: file not served: status 404 Not Found (server 127.0.0.1:80); noaddr.example.com: record not found", ""},
	} {
		t.Run(name, func(t *testing.T) {
			r, err := tc.run()
			require.ErrorIs(t, err, tc.kind)
			msg := err.Error()
			assert.Contains(t, msg, tc.msg)
			assert.NotContains(t, msg, "\n", "one line")
			assert.NotContains(t, msg, "hint", "the hint is not in the message")
			assert.Equal(t, 1, strings.Count(msg, "verify: "), "one prefix: %s", msg)
			var e *verify.Error
			require.True(t, errors.As(err, &e))
			want := tc.hint
			if want == "" {
				want = verify.NewError(tc.kind, "", nil).Hint
			}
			assert.Equal(t, want, e.Hint)
			assert.Equal(t, want, r.Hint, "the result carries the same one hint")
			assert.Equal(t, msg, r.Error)
		})
	}
}

// A wrapped error from another package of the module keeps no prefix of
// its own inside a *Error.
func TestErrorDropsNestedPrefixes(t *testing.T) {
	e := verify.NewError(verify.ErrBadInput, "example.com", fmt.Errorf("challenge: invalid challenge: %w", errors.New("x")))
	assert.Equal(t, "verify: example.com: bad input: invalid challenge: x", e.Error())
}
