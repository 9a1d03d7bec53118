package perspective_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
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

// The tls-alpn-01, dns-account-01 and dns-persist-01 checks travel in the
// version 2 wire format (as challenges, and in the tls_alpn and persist
// forms) and a remote runs them through its own network.
func TestNewMethodsRunRemotely(t *testing.T) {
	resp, err := verifytest.NewALPNResponder()
	require.NoError(t, err)
	t.Cleanup(resp.Close)
	const acct = "https://ca.example/acct/1"
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: resp.Dial}}
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: &perspective.Local{Label: "eu-1", Region: "RIPE", Verifier: v}})
	r := &perspective.Remote{URL: srv.URL, Key: testKey, Label: "eu-1", Region: "RIPE"}

	key, err := challenge.ParseAccountKey([]byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"))
	require.NoError(t, err)
	var b challenge.Builder
	const token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
	alpn, err := b.TLSALPN01("example.com", token, key)
	require.NoError(t, err)
	acc, err := b.DNSAccount01("*.example.com", token, key, acct)
	require.NoError(t, err)
	per, err := b.DNSPersist01("www.example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: acct, AccountKey: key})
	require.NoError(t, err)
	require.NoError(t, resp.Set("example.com", alpn.KeyAuthorization, verifytest.ALPNRight))
	for _, c := range []*challenge.Challenge{acc, per} {
		require.NoError(t, verifytest.Publish(zone, nil, c))
	}
	zone.MustAdd(`_validation-persist.example.com. 300 IN TXT "authority.example; accounturi=` + acct + `; policy=wildcard"`)

	for name, c := range map[string]perspective.Check{
		"tls-alpn-01 challenge":    dcvCheck(alpn),
		"dns-account-01 challenge": dcvCheck(acc),
		"dns-persist-01 challenge": dcvCheck(per),
		"tls_alpn form": {Determination: perspective.DCV,
			TLSALPN: &perspective.TLSALPNCheck{Domain: "example.com", KeyAuthorization: alpn.KeyAuthorization}},
		"persist form": {Determination: perspective.DCV,
			Persist: &perspective.PersistCheck{Domain: "a.b.example.com", Issuers: []string{"authority.example"}, AccountURIs: []string{acct}}},
	} {
		res, err := r.Run(ctx5s(t), c)
		require.NoError(t, err, name)
		assert.True(t, res.Passed(), "%s: %s", name, res.Error)
		assert.NotEmpty(t, res.DCV.Evidence, name)
	}
	res, err := r.Run(ctx5s(t), perspective.Check{Determination: perspective.DCV,
		Persist: &perspective.PersistCheck{Domain: "a.b.example.com", Issuers: []string{"authority.example"}, AccountURIs: []string{acct}}})
	require.NoError(t, err)
	require.NotNil(t, res.DCV.Persist, "the remote says which record authorized")
	assert.Equal(t, "_validation-persist.example.com", res.DCV.Persist.Owner)

	// A wrong certificate is a remote's "fail", never a pass.
	require.NoError(t, resp.Set("example.com", alpn.KeyAuthorization, verifytest.ALPNNonCritical))
	res, err = r.Run(ctx5s(t), dcvCheck(alpn))
	require.NoError(t, err)
	assert.False(t, res.Passed())
	assert.Equal(t, perspective.Fail, res.Verdict)
	assert.Equal(t, "alpn_certificate", res.DCV.Code)
}

func TestCheckValidateNewForms(t *testing.T) {
	for name, c := range map[string]perspective.Check{
		"tls_alpn bad domain": {Determination: perspective.DCV, TLSALPN: &perspective.TLSALPNCheck{Domain: "co.uk", KeyAuthorization: "k"}},
		"tls_alpn no ka":      {Determination: perspective.DCV, TLSALPN: &perspective.TLSALPNCheck{Domain: "example.com"}},
		"persist no issuer":   {Determination: perspective.DCV, Persist: &perspective.PersistCheck{Domain: "example.com", AccountURIs: []string{"u:1"}}},
		"persist no account":  {Determination: perspective.DCV, Persist: &perspective.PersistCheck{Domain: "example.com", Issuers: []string{"a.example"}}},
		"two forms": {Determination: perspective.DCV, TLSALPN: &perspective.TLSALPNCheck{Domain: "example.com", KeyAuthorization: "k"},
			Persist: &perspective.PersistCheck{Domain: "example.com", Issuers: []string{"a.example"}, AccountURIs: []string{"u:1"}}},
		"caa with a form": {Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}},
			TLSALPN: &perspective.TLSALPNCheck{Domain: "example.com", KeyAuthorization: "k"}},
	} {
		assert.ErrorIs(t, c.Validate(), perspective.ErrBadCheck, name)
	}
	// The JSON form reads back.
	in := `{"determination":"dcv","persist":{"domain":"example.com","issuers":["a.example"],"account_uris":["u:1"],"at":"2026-01-01T00:00:00Z"}}`
	var c perspective.Check
	require.NoError(t, json.Unmarshal([]byte(in), &c))
	assert.Equal(t, "2026-01-01T00:00:00Z", c.Persist.At.Format(time.RFC3339))
}
