package perspective_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

func TestCheckValidate(t *testing.T) {
	txt := &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}
	email, err := challenge.Builder{}.Email("example.com")
	require.NoError(t, err)
	broken := *newFixture(t).txt
	broken.Domain = "Example.COM"
	many := make([]string, perspective.MaxURLs+1)
	for i := range many {
		many[i] = "http://example.com/f"
	}
	bad := map[string]perspective.Check{
		"no kind":           {TXT: txt},
		"unknown kind":      {Kind: "dns", TXT: txt},
		"no form":           {Kind: perspective.KindDCV},
		"two forms":         {Kind: perspective.KindDCV, TXT: txt, CNAME: &perspective.CNAMECheck{Name: "_x.example.com", Target: "y.ssl.com"}},
		"dcv with caa":      {Kind: perspective.KindDCV, TXT: txt, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}},
		"caa with form":     {Kind: perspective.KindCAA, TXT: txt, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}},
		"caa missing":       {Kind: perspective.KindCAA},
		"caa no issuer":     {Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "example.com"}},
		"caa empty issuer":  {Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{" "}}},
		"caa bad domain":    {Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "com", Issuers: []string{"ssl.com"}}},
		"caa ip":            {Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "192.0.2.1", Issuers: []string{"ssl.com"}}},
		"txt bad name":      {Kind: perspective.KindDCV, TXT: &perspective.TXTCheck{Name: "a..b", Value: "v"}},
		"txt empty value":   {Kind: perspective.KindDCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com"}},
		"txt huge value":    {Kind: perspective.KindDCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: strings.Repeat("v", perspective.MaxValueLength+1)}},
		"cname no target":   {Kind: perspective.KindDCV, CNAME: &perspective.CNAMECheck{Name: "_x.example.com"}},
		"files none":        {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{Content: "c"}},
		"files too many":    {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: many, Content: "c"}},
		"files ftp":         {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"ftp://example.com/f"}, Content: "c"}},
		"files no host":     {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"http:///f"}, Content: "c"}},
		"files userinfo":    {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"http://u:p@example.com/f"}, Content: "c"}},
		"files no content":  {Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/f"}}},
		"email challenge":   {Kind: perspective.KindDCV, Challenge: email},
		"invalid challenge": {Kind: perspective.KindDCV, Challenge: &broken},
		"bad scheme policy": {Kind: perspective.KindDCV, TXT: txt, FilePolicy: &verify.FilePolicy{Schemes: 42}},
		"caa with policy":   {Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}, FilePolicy: &verify.FilePolicy{}},
	}
	for name, c := range bad {
		assert.ErrorIs(t, c.Validate(), perspective.ErrBadCheck, name)
	}
	var nilCheck *perspective.Check
	assert.ErrorIs(t, nilCheck.Validate(), perspective.ErrBadCheck)
}

func TestCheckJSONRoundTrip(t *testing.T) {
	fx := newFixture(t)
	checks := []perspective.Check{
		dcvCheck(fx.txt),
		{Kind: perspective.KindDCV, Challenge: fx.file, FilePolicy: &verify.FilePolicy{Schemes: verify.EitherScheme, FollowRedirects: true}},
		{Kind: perspective.KindDCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}},
		{Kind: perspective.KindDCV, CNAME: &perspective.CNAMECheck{Name: "_abc.example.com", Target: "x.y.ssl.com"}},
		{Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/a", "https://www.example.com/a"}, Content: "c"},
			FilePolicy: &verify.FilePolicy{Schemes: verify.HTTPSIfServed}},
		{Kind: perspective.KindCAA, CAA: &caa.Request{Domain: "*.example.com", Issuers: []string{"ssl.com", "sectigo.com"}, Wildcard: true, AccountURI: "https://ca.example/acct/1", Method: "dns-01"}},
	}
	for _, c := range checks {
		require.NoError(t, c.Validate())
		b, err := json.Marshal(c)
		require.NoError(t, err)
		var back perspective.Check
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.Equal(t, c.Kind, back.Kind)
		b2, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(b), string(b2))
		if c.Challenge != nil {
			assert.Equal(t, c.Challenge.Record, back.Challenge.Record)
			assert.Equal(t, c.Challenge.File, back.Challenge.File)
			assert.True(t, c.Challenge.ExpiresAt.Equal(back.Challenge.ExpiresAt))
		}
	}
	b, err := json.Marshal(checks[5])
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"caa","caa":{"domain":"*.example.com","issuers":["ssl.com","sectigo.com"],"wildcard":true,"account_uri":"https://ca.example/acct/1","method":"dns-01"}}`, string(b))
	b, err = json.Marshal(checks[4])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"file_policy":{"schemes":"https-if-served","follow_redirects":false}`)
}

func TestCheckJSONStrict(t *testing.T) {
	for _, in := range []string{
		`{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"},"extra":1}`,
		`{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v","ttl":3}}`,
		`{"kind":"dcv","challenge":{"method":"dns-txt"}}`,
		`{"kind":"dcv","files":{"urls":["http://example.com/"],"content":"c"},"file_policy":{"schemes":"some"}}`,
		`{"kind":"caa","caa":{"domain":"example.com","issuers":["ssl.com"],"critical":true}}`,
		`[]`,
	} {
		var c perspective.Check
		assert.ErrorIs(t, json.Unmarshal([]byte(in), &c), perspective.ErrBadCheck, in)
	}
}

func TestDecodeRequest(t *testing.T) {
	good := `{"version":1,"timeout_ms":5000,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`
	r, err := perspective.DecodeRequest([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, 5000*1e6, float64(r.Timeout()))
	assert.Equal(t, "v", r.Check.TXT.Value)

	for in, want := range map[string]error{
		``:                perspective.ErrBadRequest,
		`null`:            perspective.ErrVersion,
		`{}`:              perspective.ErrVersion,
		`{"version":"1"}`: perspective.ErrVersion,
		`{"version":1.0}`: perspective.ErrVersion,
		`{"version":2}`:   perspective.ErrVersion,
		`{"version":1}`:   perspective.ErrBadRequest,
		`{"version":1,"timeout_ms":-5,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:            perspective.ErrBadRequest,
		`{"version":1,"timeout_ms":999999999999,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:  perspective.ErrBadRequest,
		`{"version":1,"timeout_ms":5,"check":{"kind":"dcv"}}`:                                                               perspective.ErrBadCheck,
		`{"version":1,"timeout_ms":5,"check":null}`:                                                                         perspective.ErrBadCheck,
		`{"version":1,"timeout_ms":5,"check":{"kind":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}},"nonce":"x"}`: perspective.ErrBadRequest,
	} {
		_, err := perspective.DecodeRequest([]byte(in))
		assert.ErrorIs(t, err, want, in)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	fx := newFixture(f)
	for _, c := range []perspective.Check{dcvCheck(fx.txt), dcvCheck(fx.file), caaCheck(), txtCheck(),
		{Kind: perspective.KindDCV, CNAME: &perspective.CNAMECheck{Name: "_abc.example.com", Target: "x.ssl.com"}},
		{Kind: perspective.KindDCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/a"}, Content: "c"}, FilePolicy: &verify.FilePolicy{Schemes: verify.AllURLs}},
	} {
		b, err := json.Marshal(perspective.Request{Version: 1, TimeoutMS: 1000, Check: c})
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{``, `null`, `{}`, `{"version":1}`, `{"version":1,"timeout_ms":1,"check":{"kind":"caa","caa":null}}`,
		`{"version":1,"timeout_ms":1,"check":{"kind":"dcv","challenge":null,"txt":null}}`, "\x00\xff", `{"version":1e400}`} {
		f.Add([]byte(s))
	}
	known := []error{perspective.ErrBadRequest, perspective.ErrVersion}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := perspective.DecodeRequest(body)
		if err != nil {
			require.Nil(t, r)
			typed := false
			for _, k := range known {
				typed = typed || errorsIs(err, k)
			}
			require.True(t, typed, "untyped error %v", err)
			return
		}
		// What decodes is valid and survives a round trip.
		require.NoError(t, r.Check.Validate())
		require.Positive(t, r.TimeoutMS)
		b, err := json.Marshal(r)
		require.NoError(t, err)
		_, err = perspective.DecodeRequest(b)
		require.NoError(t, err, string(b))
	})
}
