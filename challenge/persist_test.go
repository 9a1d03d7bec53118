package challenge_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
)

func TestPersistAccountURIVectors(t *testing.T) {
	v := methodVectors(t)
	prefix, err := challenge.PersistAccountHashPrefix(v["persist.account"])
	require.NoError(t, err)
	assert.Equal(t, "https://ca.example/account-hash/", prefix)
	got, err := challenge.PersistAccountURI(prefix, "example.com", v["persist.thumbprint"], v["persist.account"])
	require.NoError(t, err)
	assert.Equal(t, prefix+"sha-256/"+v["persist.hash.example.com"], got)
	got, err = challenge.PersistAccountURI(prefix, "*", v["persist.thumbprint"], v["persist.account"])
	require.NoError(t, err)
	assert.Equal(t, prefix+"sha-256/"+v["persist.hash.star"], got)
	assert.Equal(t, v["persist.record"], challenge.PersistRecordValue("authority.example", prefix+"sha-256/"+v["persist.hash.example.com"], false, time.Time{}))
	_, err = challenge.PersistAccountURI(prefix, "", "x", "y")
	assert.Error(t, err)
}

func TestDNSPersist01Builder(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ec384.pem"))
	require.NoError(t, err)
	tp, err := challenge.Thumbprint(key)
	require.NoError(t, err)
	const acct = "https://ca.example/acct/123"
	hashed := func(over string) string {
		u, err := challenge.PersistAccountURI("https://ca.example/account-hash/", over, tp, acct)
		require.NoError(t, err)
		return u
	}
	until := time.Unix(1750000000, 0) // 2025-06-15T15:06:40Z, before the 30-day lifetime ends
	for name, tc := range map[string]struct {
		domain string
		p      challenge.PersistParams
		value  string
	}{
		"hashed (draft -02)": {"www.example.com", challenge.PersistParams{Issuer: "Authority.Example.", AccountURL: acct, AccountKey: key},
			"authority.example; accounturi=" + hashed("www.example.com")},
		"plain (drafts -00/-01)": {"www.example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: acct, Plain: true},
			"authority.example; accounturi=" + acct},
		"wildcard implies policy": {"*.example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: acct, AccountKey: key},
			"authority.example; accounturi=" + hashed("example.com") + "; policy=wildcard"},
		"star hash, policy, until": {"example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: acct, AccountKey: key, AnyDomain: true, Wildcard: true, PersistUntil: until},
			"authority.example; accounturi=" + hashed("*") + "; policy=wildcard; persistUntil=1750000000"},
		"own prefix": {"example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: acct, AccountKey: key, AccountHashPrefix: "https://ca.example/h/"},
			"authority.example; accounturi=https://ca.example/h/sha-256/" + hashed("example.com")[len("https://ca.example/account-hash/sha-256/"):]},
	} {
		b := fixed()
		b.Now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
		c, err := b.DNSPersist01(tc.domain, tc.p)
		require.NoError(t, err, name)
		assert.Equal(t, tc.value, c.Record.Value, name)
		assert.Equal(t, "_validation-persist."+c.ADN+".", c.Record.Name, name)
		if !tc.p.PersistUntil.IsZero() {
			assert.Equal(t, until.Add(time.Second).UTC(), c.ExpiresAt, "usable during its persistUntil second")
		}
		back, err := challenge.Decode(mustJSON(t, c))
		require.NoError(t, err, name)
		assert.Equal(t, c, back)
	}
}

func TestDNSPersist01Refusals(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustRead(t, "testdata/ec384.pem"))
	require.NoError(t, err)
	ok := challenge.PersistParams{Issuer: "authority.example", AccountURL: "https://ca.example/acct/1", AccountKey: key}
	for name, p := range map[string]challenge.PersistParams{
		"no issuer":    {AccountURL: ok.AccountURL, AccountKey: key},
		"bad issuer":   {Issuer: "*.ca.example", AccountURL: ok.AccountURL, AccountKey: key},
		"no account":   {Issuer: ok.Issuer, AccountKey: key},
		"no key":       {Issuer: ok.Issuer, AccountURL: ok.AccountURL},
		"past persist": {Issuer: ok.Issuer, AccountURL: ok.AccountURL, AccountKey: key, PersistUntil: t0.Add(-time.Hour)},
	} {
		_, err := fixed().DNSPersist01("example.com", p)
		assert.Error(t, err, name)
	}
	_, err = fixed().DNSPersist01("example.com", challenge.PersistParams{Issuer: ok.Issuer, AccountURL: ok.AccountURL, Plain: true, PersistUntil: t0})
	assert.ErrorIs(t, err, challenge.ErrPersistUntil, "unusable from the start")
	good, err := fixed().DNSPersist01("example.com", ok)
	require.NoError(t, err)
	for name, f := range map[string]func(c *challenge.Challenge){
		"other owner": func(c *challenge.Challenge) { c.Record.Name = "_validation-persist.www.example.com." },
		"no issuer":   func(c *challenge.Challenge) { c.Record.Value = "; accounturi=x" },
		"no account":  func(c *challenge.Challenge) { c.Record.Value = "authority.example; policy=wildcard" },
	} {
		c := *good
		r := *good.Record
		c.Record = &r
		f(&c)
		_, err := challenge.Decode(mustJSON(t, &c))
		assert.ErrorIs(t, err, challenge.ErrBadChallenge, name)
	}
}

func ExampleBuilder_DNSPersist01() {
	key, err := challenge.ParseAccountKey([]byte(exampleAccountKey))
	if err != nil {
		fmt.Println(err)
		return
	}
	b := exampleBuilder
	// Draft -02 (the default): the accounturi is a hash bound to the domain and the key.
	c, err := b.DNSPersist01("example.com", challenge.PersistParams{
		Issuer: "authority.example", AccountURL: "https://ca.example/acct/123", AccountKey: key, Wildcard: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Record.Name)
	fmt.Println(c.Record.Value)
	// Drafts -00/-01: the account URL itself.
	c, err = b.DNSPersist01("example.com", challenge.PersistParams{
		Issuer: "authority.example", AccountURL: "https://ca.example/acct/123", Plain: true,
		PersistUntil: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Record.Value)
	// Output:
	// _validation-persist.example.com.
	// authority.example; accounturi=https://ca.example/account-hash/sha-256/LvqVCQTS0d0L8II3jeaDBLZtQ9Xc0NyojUjRxmlbRMk; policy=wildcard
	// authority.example; accounturi=https://ca.example/acct/123; persistUntil=1798761600
}

func TestDNSPersist01ExpiresAtLifetimeOrPersistUntil(t *testing.T) {
	b := fixed() // t0, 30-day lifetime
	p := challenge.PersistParams{Issuer: "authority.example", AccountURL: "https://ca.example/acct/1", Plain: true,
		PersistUntil: t0.Add(365 * 24 * time.Hour)}
	c, err := b.DNSPersist01("example.com", p)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(challenge.DefaultLifetime), c.ExpiresAt, "the challenge lives no longer than the lifetime")
	assert.Contains(t, c.Record.Value, "persistUntil=1827302400", "the record keeps its own persistUntil")
	_, err = challenge.Decode(mustJSON(t, c))
	assert.NoError(t, err)
}
