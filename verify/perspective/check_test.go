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
		"no determination":      {TXT: txt},
		"unknown determination": {Determination: "dns", TXT: txt},
		"no form":               {Determination: perspective.DCV},
		"two forms":             {Determination: perspective.DCV, TXT: txt, CNAME: &perspective.CNAMECheck{Name: "_x.example.com", Target: "y.ssl.com"}},
		"dcv with caa":          {Determination: perspective.DCV, TXT: txt, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}},
		"caa with form":         {Determination: perspective.CAA, TXT: txt, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}},
		"caa missing":           {Determination: perspective.CAA},
		"caa no issuer":         {Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com"}},
		"caa empty issuer":      {Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{" "}}},
		"caa bad domain":        {Determination: perspective.CAA, CAA: &caa.Request{Domain: "com", Issuers: []string{"ssl.com"}}},
		"caa ip":                {Determination: perspective.CAA, CAA: &caa.Request{Domain: "192.0.2.1", Issuers: []string{"ssl.com"}}},
		"txt bad name":          {Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "a..b", Value: "v"}},
		"txt empty value":       {Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com"}},
		"txt huge value":        {Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: strings.Repeat("v", perspective.MaxValueLength+1)}},
		"cname no target":       {Determination: perspective.DCV, CNAME: &perspective.CNAMECheck{Name: "_x.example.com"}},
		"files none":            {Determination: perspective.DCV, Files: &perspective.FilesCheck{Content: "c"}},
		"files too many":        {Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: many, Content: "c"}},
		"files ftp":             {Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"ftp://example.com/f"}, Content: "c"}},
		"files no host":         {Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"http:///f"}, Content: "c"}},
		"files userinfo":        {Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"http://u:p@example.com/f"}, Content: "c"}},
		"files no content":      {Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/f"}}},
		"email challenge":       {Determination: perspective.DCV, Challenge: email},
		"invalid challenge":     {Determination: perspective.DCV, Challenge: &broken},
		"bad scheme policy":     {Determination: perspective.DCV, TXT: txt, FilePolicy: &verify.FilePolicy{Schemes: 42}},
		"caa with policy":       {Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}, FilePolicy: &verify.FilePolicy{}},
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
		{Determination: perspective.DCV, Challenge: fx.file, FilePolicy: &verify.FilePolicy{Schemes: verify.EitherScheme, FollowRedirects: true}},
		{Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}},
		{Determination: perspective.DCV, CNAME: &perspective.CNAMECheck{Name: "_abc.example.com", Target: "x.y.ssl.com"}},
		{Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/a", "https://www.example.com/a"}, Content: "c"},
			FilePolicy: &verify.FilePolicy{Schemes: verify.HTTPSIfServed}},
		{Determination: perspective.CAA, CAA: &caa.Request{Domain: "*.example.com", Issuers: []string{"ssl.com", "sectigo.com"}, Wildcard: true, AccountURI: "https://ca.example/acct/1", Method: "dns-01"}},
	}
	for _, c := range checks {
		require.NoError(t, c.Validate())
		b, err := json.Marshal(c)
		require.NoError(t, err)
		var back perspective.Check
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.Equal(t, c.Determination, back.Determination)
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
	assert.JSONEq(t, `{"determination":"caa","caa":{"domain":"*.example.com","issuers":["ssl.com","sectigo.com"],"wildcard":true,"account_uri":"https://ca.example/acct/1","method":"dns-01"}}`, string(b))
	b, err = json.Marshal(checks[4])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"file_policy":{"schemes":"https-if-served","follow_redirects":false}`)
}

func TestCheckJSONStrict(t *testing.T) {
	for _, in := range []string{
		`{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"},"extra":1}`,
		`{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v","ttl":3}}`,
		`{"determination":"dcv","challenge":{"method":"dns-txt"}}`,
		`{"determination":"dcv","files":{"urls":["http://example.com/"],"content":"c"},"file_policy":{"schemes":"some"}}`,
		`{"determination":"caa","caa":{"domain":"example.com","issuers":["ssl.com"],"critical":true}}`,
		`[]`,
	} {
		var c perspective.Check
		assert.ErrorIs(t, json.Unmarshal([]byte(in), &c), perspective.ErrBadCheck, in)
	}
}

func TestDecodeRequest(t *testing.T) {
	good := `{"version":2,"timeout_ms":5000,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`
	r, err := perspective.DecodeRequest([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, 5000*1e6, float64(r.Timeout()))
	assert.Equal(t, "v", r.Check.TXT.Value)

	for in, want := range map[string]error{
		``:                perspective.ErrBadRequest,
		`null`:            perspective.ErrVersion,
		`{}`:              perspective.ErrVersion,
		`{"version":"2"}`: perspective.ErrVersion,
		`{"version":2.0}`: perspective.ErrVersion,
		`{"version":1}`:   perspective.ErrVersion,
		`{"version":3}`:   perspective.ErrVersion,
		`{"version":2}`:   perspective.ErrBadRequest,
		`{"version":2,"timeout_ms":-5,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:            perspective.ErrBadRequest,
		`{"version":2,"timeout_ms":999999999999,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}}}`:  perspective.ErrBadRequest,
		`{"version":2,"timeout_ms":5,"check":{"determination":"dcv"}}`:                                                               perspective.ErrBadCheck,
		`{"version":2,"timeout_ms":5,"check":null}`:                                                                                  perspective.ErrBadCheck,
		`{"version":2,"timeout_ms":5,"check":{"determination":"dcv","txt":{"name":"_dnsauth.example.com","value":"v"}},"nonce":"x"}`: perspective.ErrBadRequest,
	} {
		_, err := perspective.DecodeRequest([]byte(in))
		assert.ErrorIs(t, err, want, in)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	fx := newFixture(f)
	for _, c := range []perspective.Check{dcvCheck(fx.txt), dcvCheck(fx.file), caaCheck(), txtCheck(),
		{Determination: perspective.DCV, CNAME: &perspective.CNAMECheck{Name: "_abc.example.com", Target: "x.ssl.com"}},
		{Determination: perspective.DCV, Files: &perspective.FilesCheck{URLs: []string{"http://example.com/a"}, Content: "c"}, FilePolicy: &verify.FilePolicy{Schemes: verify.AllURLs}},
	} {
		b, err := json.Marshal(perspective.Request{Version: perspective.Version, TimeoutMS: 1000, Check: c})
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{``, `null`, `{}`, `{"version":2}`, `{"version":1}`, `{"version":2,"timeout_ms":1,"check":{"determination":"caa","caa":null}}`,
		`{"version":2,"timeout_ms":1,"check":{"determination":"dcv","challenge":null,"txt":null}}`, "\x00\xff", `{"version":1e400}`} {
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
