package csrhash

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SSL.com seed page's file example.
var seed = Hashes{
	MD5:    "8593532A8FA01E6CEBB0B7E85E510D0F",
	SHA256: "c9c863405fe7675a3988b97664ea6baf442019e4e52fa335f406f7c5f26cf14f",
}

func TestSumVectors(t *testing.T) {
	der := readFile(t, "rsa-san.der")
	for _, v := range readVectors(t) {
		if v.File == "rsa-san.der" {
			h := Sum(der)
			assert.Equal(t, Hashes{MD5: v.MD5, SHA256: v.SHA256}, h)
			assert.Len(t, h.MD5, 32)
			assert.Equal(t, strings.ToUpper(h.MD5), h.MD5)
			assert.Equal(t, strings.ToLower(h.SHA256), h.SHA256)
			return
		}
	}
	t.Fatal("rsa-san.der missing from vectors.json")
}

func TestSumKnown(t *testing.T) {
	// md5sum and sha256sum of empty input and of "abc" (RFC 1321, FIPS 180-2).
	assert.Equal(t, Hashes{
		MD5:    "D41D8CD98F00B204E9800998ECF8427E",
		SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	}, Sum(nil))
	assert.Equal(t, Hashes{
		MD5:    "900150983CD24FB0D6963F7D28E17F72",
		SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	}, Sum([]byte("abc")))
}

func TestSeedFile(t *testing.T) {
	assert.Equal(t, "8593532A8FA01E6CEBB0B7E85E510D0F.txt", seed.FileName())
	assert.Equal(t, "/.well-known/pki-validation/8593532A8FA01E6CEBB0B7E85E510D0F.txt", seed.FilePath())

	body, err := seed.FileContent(CASSL, "10TmfZdb9tj")
	require.NoError(t, err)
	assert.Equal(t, "c9c863405fe7675a3988b97664ea6baf442019e4e52fa335f406f7c5f26cf14f\nssl.com\n10TmfZdb9tj", body)
	// The seed page shows the three lines flattened into one.
	assert.Equal(t, "c9c863405fe7675a3988b97664ea6baf442019e4e52fa335f406f7c5f26cf14f ssl.com 10TmfZdb9tj",
		strings.Join(strings.Split(body, "\n"), " "))

	body, err = seed.FileContent(CASectigo, "")
	require.NoError(t, err)
	assert.Equal(t, "c9c863405fe7675a3988b97664ea6baf442019e4e52fa335f406f7c5f26cf14f\nsectigo.com", body)
}

func TestFileContentNormalizes(t *testing.T) {
	h := Hashes{MD5: strings.ToLower(seed.MD5), SHA256: strings.ToUpper(seed.SHA256)}
	assert.Equal(t, seed.FileName(), h.FileName())
	body, err := h.FileContent(" ComodoCA.COM. ", "Tok3n")
	require.NoError(t, err)
	assert.Equal(t, seed.SHA256+"\ncomodoca.com\nTok3n", body)
}

func TestSeedCNAME(t *testing.T) {
	// The seed record: _517835F790CD5BFD248CBD1A9CD54579.yoursite.tld. CNAME
	// 911b64b097e8e42d4179eb2b27452b4.abaaeb0073f872979666894dbce871cb.f08916997c.ssl.com
	// Its first hash label has 31 characters (a typo): 63 hex digits in all
	// are not a SHA-256 and are refused rather than split wrongly.
	typo := Hashes{MD5: "517835F790CD5BFD248CBD1A9CD54579",
		SHA256: "911b64b097e8e42d4179eb2b27452b4" + "abaaeb0073f872979666894dbce871cb"}
	_, _, err := typo.CNAME("yoursite.tld", CASSL, "f08916997c")
	assert.ErrorIs(t, err, ErrBadHash)

	// The same owner name for the seed's MD5.
	h := Hashes{MD5: "517835F790CD5BFD248CBD1A9CD54579", SHA256: seed.SHA256}
	name, target, err := h.CNAME("yoursite.tld", CASSL, "f08916997c")
	require.NoError(t, err)
	assert.Equal(t, "_517835F790CD5BFD248CBD1A9CD54579.yoursite.tld.", name)
	assert.Equal(t, "c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.f08916997c.ssl.com.", target)
	labels := strings.Split(strings.TrimSuffix(target, "."), ".")
	require.Len(t, labels, 5)
	assert.Len(t, labels[0], 32)
	assert.Len(t, labels[1], 32)
	assert.Equal(t, seed.SHA256, labels[0]+labels[1])
}

func TestCNAME(t *testing.T) {
	tests := []struct {
		domain, ca, token string
		name, target      string
	}{
		{"www.example.com", CASectigo, "",
			"_8593532A8FA01E6CEBB0B7E85E510D0F.www.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.sectigo.com."},
		{"*.example.com", CAComodo, "",
			"_8593532A8FA01E6CEBB0B7E85E510D0F.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.comodoca.com."},
		{" WWW.Example.COM. ", "SSL.com.", "AbC123",
			"_8593532A8FA01E6CEBB0B7E85E510D0F.www.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.AbC123.ssl.com."},
		{"bücher.example.com", CASSL, "",
			"_8593532A8FA01E6CEBB0B7E85E510D0F.xn--bcher-kva.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.ssl.com."},
		{"WWW.Example.COM.", CASSL, "",
			"_8593532A8FA01E6CEBB0B7E85E510D0F.www.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.ssl.com."},
		{"*.example.com", CASSL, "", // a wildcard is validated at its base
			"_8593532A8FA01E6CEBB0B7E85E510D0F.example.com.",
			"c9c863405fe7675a3988b97664ea6baf.442019e4e52fa335f406f7c5f26cf14f.ssl.com."},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			name, target, err := seed.CNAME(tt.domain, tt.ca, tt.token)
			require.NoError(t, err)
			assert.Equal(t, tt.name, name)
			assert.Equal(t, tt.target, target)
		})
	}
	// Lower-case MD5 and upper-case SHA-256 in, canonical case out.
	h := Hashes{MD5: strings.ToLower(seed.MD5), SHA256: strings.ToUpper(seed.SHA256)}
	name, target, err := h.CNAME("www.example.com", CASectigo, "")
	require.NoError(t, err)
	assert.Equal(t, tests[0].name, name)
	assert.Equal(t, tests[0].target, target)
}

func TestRefusals(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." +
		strings.Repeat("c", 63) + "." + strings.Repeat("d", 50) + ".com" // 246 octets, a valid domain
	require.Len(t, long, 246)
	cname := func(h Hashes, d, ca, tok string) func() error {
		return func() error { _, _, err := h.CNAME(d, ca, tok); return err }
	}
	file := func(h Hashes, ca, tok string) func() error {
		return func() error { _, err := h.FileContent(ca, tok); return err }
	}
	tests := []struct {
		name  string
		call  func() error
		kind  error
		found string
	}{
		{"file: empty CA", file(seed, "", ""), ErrBadCADomain, ""},
		{"file: CA public suffix", file(seed, "com", ""), ErrBadCADomain, "com"},
		{"file: CA wildcard", file(seed, "*.ssl.com", ""), ErrBadCADomain, "*.ssl.com"},
		{"file: CA with space", file(seed, "ssl com", ""), ErrBadCADomain, "ssl com"},
		{"file: CA IP", file(seed, "192.0.2.1", ""), ErrBadCADomain, "192.0.2.1"},
		{"file: token with space", file(seed, CASSL, "10Tm fZd"), ErrBadToken, "10Tm fZd"},
		{"file: token with dash", file(seed, CASSL, "a-b"), ErrBadToken, "a-b"},
		{"file: token with newline", file(seed, CASSL, "ab\nc"), ErrBadToken, "ab\nc"},
		{"file: token too long", file(seed, CASSL, strings.Repeat("a", 21)), ErrBadToken, strings.Repeat("a", 21)},
		{"file: token non-ASCII", file(seed, CASSL, "tökén"), ErrBadToken, "tökén"},
		{"file: zero Hashes", file(Hashes{}, CASSL, ""), ErrBadHash, ""},
		{"file: SHA-256 not hex", file(Hashes{SHA256: strings.Repeat("g", 64)}, CASSL, ""), ErrBadHash, strings.Repeat("g", 64)},
		{"cname: zero Hashes", cname(Hashes{}, "example.com", CASSL, ""), ErrBadHash, ""},
		{"cname: MD5 missing", cname(Hashes{SHA256: seed.SHA256}, "example.com", CASSL, ""), ErrBadHash, ""},
		{"cname: empty domain", cname(seed, "", CASSL, ""), ErrBadDomain, ""},
		{"cname: public suffix", cname(seed, "co.uk", CASSL, ""), ErrBadDomain, "co.uk"},
		{"cname: IP", cname(seed, "192.0.2.1", CASSL, ""), ErrBadDomain, "192.0.2.1"},
		{"cname: underscore", cname(seed, "_x.example.com", CASSL, ""), ErrBadDomain, "_x.example.com"},
		{"cname: owner too long", cname(seed, long, CASSL, ""), ErrBadDomain, long},
		{"cname: bad CA", cname(seed, "example.com", "ssl..com", ""), ErrBadCADomain, "ssl..com"},
		{"cname: target too long", cname(seed, "example.com", long, ""), ErrBadCADomain, long},
		{"cname: bad token", cname(seed, "example.com", CASSL, "x.y"), ErrBadToken, "x.y"},
		{"cname: invalid A-label", cname(seed, "xn--zz.example.com", CASSL, ""), ErrBadDomain, "xn--zz.example.com"},
		{"cname: label over 63", cname(seed, strings.Repeat("a", 64)+".example.com", CASSL, ""), ErrBadDomain, strings.Repeat("a", 64) + ".example.com"},
		{"cname: space", cname(seed, "exa mple.com", CASSL, ""), ErrBadDomain, "exa mple.com"},
		{"cname: TLD only", cname(seed, "com", CASSL, ""), ErrBadDomain, "com"},
		{"cname: two wildcards", cname(seed, "*.*.example.com", CASSL, ""), ErrBadDomain, "*.*.example.com"},
		{"cname: empty label", cname(seed, "example..com", CASSL, ""), ErrBadDomain, "example..com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.kind, ie.Kind)
			assert.Equal(t, tt.found, ie.Found)
			assert.True(t, strings.HasPrefix(err.Error(), "csrhash: "), err.Error())
		})
	}
}

func TestDomainCauseKept(t *testing.T) {
	_, _, err := seed.CNAME("co.uk", CASSL, "")
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	require.Error(t, ie.Err)
	assert.Contains(t, err.Error(), "public suffix")
}

func TestMatch(t *testing.T) {
	assert.True(t, seed.MatchMD5("8593532a8fa01e6cebb0b7e85e510d0f"))
	assert.True(t, seed.MatchMD5(" 8593532A8FA01E6CEBB0B7E85E510D0F\n"))
	assert.False(t, seed.MatchMD5("8593532A8FA01E6CEBB0B7E85E510D0"))
	assert.False(t, seed.MatchMD5(seed.SHA256))
	assert.True(t, seed.MatchSHA256(strings.ToUpper(seed.SHA256)))
	assert.True(t, seed.MatchSHA256(seed.SHA256+"\r\n"))
	assert.False(t, seed.MatchSHA256(seed.SHA256[:63]+"e"))
	assert.False(t, seed.MatchSHA256(seed.MD5))
	// A zero or malformed Hashes matches nothing, not even itself.
	assert.False(t, Hashes{}.MatchMD5(""))
	assert.False(t, Hashes{}.MatchSHA256(""))
	bad := Hashes{MD5: strings.Repeat("z", 32), SHA256: strings.Repeat("z", 64)}
	assert.False(t, bad.MatchMD5(bad.MD5))
	assert.False(t, bad.MatchSHA256(bad.SHA256))
}

func TestValidToken(t *testing.T) {
	for _, ok := range []string{"", "10TmfZdb9tj", "f08916997c", "a", strings.Repeat("Z9", 10)} {
		assert.NoError(t, ValidToken(ok), ok)
	}
	for _, bad := range []string{" ", "a b", "a.b", "a_b", "a-b", strings.Repeat("a", 21), "é", "a\x00"} {
		err := ValidToken(bad)
		assert.ErrorIs(t, err, ErrBadToken, bad)
		var ie *InputError
		if assert.True(t, errors.As(err, &ie), bad) {
			assert.Equal(t, bad, ie.Found)
		}
	}
}
