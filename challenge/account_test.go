package challenge_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
)

func TestDNSAccountLabelVectors(t *testing.T) {
	v := methodVectors(t)
	assert.Equal(t, "_"+v["account.label.example"], challenge.DNSAccountLabel("https://example.com/acme/acct/ExampleAccount"))
	assert.Equal(t, "_"+v["account.label.localhost"], challenge.DNSAccountLabel("http://localhost:4000/acme/acct/1"))
	assert.Equal(t, v["account.owner.example.org"], challenge.DNSAccountOwner("*.example.org", "https://example.com/acme/acct/ExampleAccount"))
	assert.Equal(t, v["account.txt"], challenge.DNS01Value(v["account.key_authorization"]))
}

func TestDNSAccount01Builder(t *testing.T) {
	v := methodVectors(t)
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/rsa2048.pem"))
	require.NoError(t, err)
	const acct = "https://example.com/acme/acct/ExampleAccount"
	c, err := fixed().DNSAccount01("*.example.org", token, key, acct)
	require.NoError(t, err)
	assert.Equal(t, "example.org", c.ADN)
	assert.Equal(t, v["account.owner.example.org"]+".", c.Record.Name)
	assert.Equal(t, "_"+v["account.label.example"]+"._acme-challenge", c.Record.Host)
	assert.Equal(t, challenge.DNS01Value(c.KeyAuthorization), c.Record.Value)
	assert.Equal(t, acct, c.AccountURL)

	back, err := challenge.Decode(mustJSON(t, c))
	require.NoError(t, err)
	assert.Equal(t, c, back)

	for _, bad := range []string{"", "example.com/acct/1", "ftp://example.com/1", "https://u:p@example.com/1", "https://example.com/1#x", "https://example.com/a b"} {
		_, err := fixed().DNSAccount01("example.org", token, key, bad)
		assert.ErrorIs(t, err, challenge.ErrAccountURL, bad)
	}
}

func TestDecodeRefusesBadDNSAccount(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ed25519.pem"))
	require.NoError(t, err)
	good, err := fixed().DNSAccount01("example.org", token, key, "https://ca.example/acct/1")
	require.NoError(t, err)
	mutate := func(f func(c *challenge.Challenge)) []byte {
		c := *good
		r := *good.Record
		c.Record = &r
		f(&c)
		return mustJSON(t, &c)
	}
	for name, data := range map[string][]byte{
		"other account": mutate(func(c *challenge.Challenge) { c.AccountURL = "https://ca.example/acct/2" }),
		"no account":    mutate(func(c *challenge.Challenge) { c.AccountURL = "" }),
		"dns-01 owner":  mutate(func(c *challenge.Challenge) { c.Record.Name = "_acme-challenge.example.org." }),
		"other value":   mutate(func(c *challenge.Challenge) { c.Record.Value = "x" }),
		"cname":         mutate(func(c *challenge.Challenge) { c.Record.Type = "CNAME" }),
	} {
		_, err := challenge.Decode(data)
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, name)
	}
}

func ExampleBuilder_DNSAccount01() {
	key, err := challenge.ParseAccountKey([]byte(exampleAccountKey))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.DNSAccount01("*.example.org", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key,
		"https://example.com/acme/acct/ExampleAccount")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Record.Host, "(zone "+c.Record.Zone+")")
	fmt.Println(c.Record)
	// Output:
	// _ujmmovf2vn55tgye._acme-challenge (zone example.org)
	// _ujmmovf2vn55tgye._acme-challenge.example.org. IN TXT "lAV291d372xyXVEZRY9j2FQ8g1TYpOaJr620CiahePA"
}
