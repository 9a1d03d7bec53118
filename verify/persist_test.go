package verify_test

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

func TestParsePersistRecord(t *testing.T) {
	until := time.Unix(1767225600, 0).UTC()
	for in, want := range map[string]verify.PersistRecord{
		"authority.example; accounturi=https://ca.example/acct/1":                                {Issuer: "authority.example", AccountURI: "https://ca.example/acct/1"},
		"  Authority.Example ;AccountURI=https://ca.example/acct/1 ; Policy=WILDCARD":            {Issuer: "authority.example", AccountURI: "https://ca.example/acct/1", Wildcard: true},
		"authority.example; accounturi=u:1; policy=other":                                        {Issuer: "authority.example", AccountURI: "u:1"},
		"authority.example; accounturi=u:1; persistUntil=1767225600; x-future=1":                 {Issuer: "authority.example", AccountURI: "u:1", PersistUntil: until},
		"authority.example;accounturi=u:1;PERSISTUNTIL=1767225600;policy=wildcard":               {Issuer: "authority.example", AccountURI: "u:1", PersistUntil: until, Wildcard: true},
		"authority.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLb": {Issuer: "authority.example", AccountURI: "https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLb"},
	} {
		got, err := verify.ParsePersistRecord(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"",
		"; accounturi=u:1",
		"authority.example",
		"authority.example; policy=wildcard",
		"authority.example; accounturi=",
		"authority.example; accounturi=u:1; accounturi=u:2",
		"authority.example; accounturi=u:1; persistUntil=1; PersistUntil=2",
		"authority.example; accounturi=u:1; policy=wildcard; policy=wildcard",
		"authority.example; accounturi=u:1; persistUntil=12a",
		"authority.example; accounturi=u:1; persistUntil=-1",
		"authority.example; accounturi=u:1; persistUntil=+5",
		"authority.example; accounturi=u:1; persistUntil=",
		"authority.example; accounturi=u:1; persistUntil=99999999999999999999999",
		"authority.example; accounturi",
		"authority_example; accounturi=u:1",
	} {
		_, err := verify.ParsePersistRecord(in)
		assert.ErrorIs(t, err, verify.ErrPersistSyntax, in)
	}
}

func TestPersistRecordUsableDuringItsSecond(t *testing.T) {
	rec, err := verify.ParsePersistRecord("a.example; accounturi=u:1; persistUntil=1767225600")
	require.NoError(t, err)
	at := time.Unix(1767225600, 0)
	assert.True(t, rec.Usable(at))
	assert.True(t, rec.Usable(at.Add(999*time.Millisecond)))
	assert.False(t, rec.Usable(at.Add(time.Second)))
	// spec.md's vectors.
	assert.True(t, rec.Usable(time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)))
	old, err := verify.ParsePersistRecord("a.example; accounturi=u:1; persistUntil=1735689600")
	require.NoError(t, err)
	assert.False(t, old.Usable(time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)))
}

func FuzzParsePersistRecord(f *testing.F) {
	for _, s := range []string{
		"authority.example; accounturi=https://ca.example/acct/1",
		"authority.example; accounturi=u:1; policy=wildcard; persistUntil=1767225600",
		"authority.example; accounturi=u:1; accounturi=u:2",
		";", "", "a; b=c; d", "authority.example; accounturi=u:1; persistUntil=+1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := verify.ParsePersistRecord(s)
		if err != nil {
			if !errors.Is(err, verify.ErrPersistSyntax) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if rec.Issuer == "" || rec.AccountURI == "" {
			t.Fatalf("accepted %q without issuer or accounturi", s)
		}
		// What parses, formatted again, parses to the same record.
		again, err := verify.ParsePersistRecord(challenge.PersistRecordValue(rec.Issuer, rec.AccountURI, rec.Wildcard, rec.PersistUntil))
		if err != nil || again != rec {
			t.Fatalf("round trip of %q: %+v, %v", s, again, err)
		}
	})
}

// persistCase is the account of spec.md's dns-persist-01 vectors, with a
// key from challenge/testdata.
type persistCase struct {
	zone   *verifytest.Zone
	v      *verify.Verifier
	policy verify.PersistPolicy
	hashed func(over string) string
}

var persistAt = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

const persistAcct = "https://ca.example/acct/123"

func newPersistCase(t *testing.T) *persistCase {
	key, err := challenge.ParseAccountKey(mustReadFile(t, "../challenge/testdata/ec384.pem"))
	require.NoError(t, err)
	tp, err := challenge.Thumbprint(key)
	require.NoError(t, err)
	zone := verifytest.NewZone()
	return &persistCase{
		zone: zone,
		v:    &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone},
		policy: verify.PersistPolicy{Issuers: []string{"Authority.Example."}, AccountURL: persistAcct,
			AccountKeys: []crypto.PublicKey{key}, At: persistAt},
		hashed: func(over string) string {
			u, err := challenge.PersistAccountURI("https://ca.example/account-hash/", over, tp, persistAcct)
			require.NoError(t, err)
			return u
		},
	}
}

func (c *persistCase) add(owner string, values ...string) {
	for _, v := range values {
		c.zone.AddRR(&dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(owner), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}, Txt: []string{v}})
	}
}

func TestVerifyPersistRules(t *testing.T) {
	const owner = "_validation-persist.example.com"
	for _, tc := range []struct {
		name    string
		domain  string
		records func(c *persistCase) map[string][]string
		policy  func(p *verify.PersistPolicy)
		kind    error // nil: verified
		authBy  string
	}{
		{name: "hashed over the FQDN", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com")}}
			}, authBy: owner},
		{name: "hashed over *", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("*")}}
			}, authBy: owner},
		{name: "plain URL refused unless accepted", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + persistAcct}}
			}, kind: verify.ErrPersistDenied},
		{name: "plain URL accepted", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + persistAcct}}
			}, policy: func(p *verify.PersistPolicy) { p.AcceptPlainURL = true }, authBy: owner},
		{name: "other issuer ignored", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"other.example; accounturi=" + c.hashed("example.com")}}
			}, kind: verify.ErrNotFound},
		{name: "wrong account", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=https://ca.example/acct/999"}}
			}, kind: verify.ErrPersistDenied},
		{name: "hash over another domain", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.net")}}
			}, kind: verify.ErrPersistDenied},
		{name: "expired persistUntil", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com") + "; persistUntil=1735689600"}}
			}, kind: verify.ErrPersistDenied},
		{name: "future persistUntil", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com") + "; persistUntil=1767225600"}}
			}, authBy: owner},
		{name: "wildcard without policy", domain: "*.example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com")}}
			}, kind: verify.ErrPersistDenied},
		{name: "wildcard with policy", domain: "*.example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com") + "; policy=Wildcard"}}
			}, authBy: owner},
		{name: "subdomain from a parent without policy", domain: "www.example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com")}}
			}, kind: verify.ErrPersistDenied},
		{name: "subdomain from a parent with policy", domain: "a.b.example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com") + "; policy=wildcard"}}
			}, authBy: owner},
		{name: "subdomain's own record", domain: "www.example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{"_validation-persist.www.example.com": {"authority.example; accounturi=" + c.hashed("www.example.com")}}
			}, authBy: "_validation-persist.www.example.com"},
		{name: "malformed", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {"authority.example; accounturi=" + c.hashed("example.com") + "; persistUntil=soon"}}
			}, kind: verify.ErrPersistMalformed},
		{name: "malformed other CA ignored, one valid", domain: "example.com",
			records: func(c *persistCase) map[string][]string {
				return map[string][]string{owner: {
					"other.example; accounturi=x; accounturi=y",
					"authority.example; accounturi=https://ca.example/acct/999",
					"authority.example; accounturi=" + c.hashed("example.com") + "; persistUntil=1735689600",
					"authority.example; accounturi=" + c.hashed("example.com"),
				}}
			}, authBy: owner},
		{name: "nothing published", domain: "example.com",
			records: func(c *persistCase) map[string][]string { return nil }, kind: verify.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newPersistCase(t)
			for o, vals := range tc.records(c) {
				c.add(o, vals...)
			}
			p := c.policy
			if tc.policy != nil {
				tc.policy(&p)
			}
			r, err := c.v.VerifyPersist(context.Background(), tc.domain, p)
			require.NotNil(t, r)
			if tc.kind == nil {
				require.NoError(t, err)
				require.NotNil(t, r.Persist)
				assert.Equal(t, tc.authBy, r.Persist.Owner)
				assert.Equal(t, "authority.example", r.Persist.Parsed.Issuer)
				assert.Equal(t, persistAt.Add(verify.MaxPersistReuse), r.Persist.ValidUntil, "capped by the reuse period")
				return
			}
			assert.ErrorIs(t, err, tc.kind)
			assert.Equal(t, verify.NotVerified, r.Outcome)
			assert.Nil(t, r.Persist)
			var e *verify.Error
			require.True(t, errors.As(err, &e))
			assert.NotEmpty(t, e.Hint)
			if tc.kind != verify.ErrNotFound {
				assert.NotEmpty(t, e.Seen, "says why each record of the CA did not authorize")
			}
		})
	}
}

func TestVerifyPersistValidUntil(t *testing.T) {
	c := newPersistCase(t)
	c.add("_validation-persist.example.com", "authority.example; accounturi="+c.hashed("example.com")+"; persistUntil=1767225600")
	p := c.policy
	p.Reuse = 365 * 24 * time.Hour
	r, err := c.v.VerifyPersist(context.Background(), "example.com", p)
	require.NoError(t, err)
	assert.Equal(t, time.Unix(1767225600, 0).Add(time.Second-time.Nanosecond).UTC(), r.Persist.ValidUntil, "persistUntil's last instant, inside the reuse period")

	// At the persistUntil second itself the record still authorizes; one second later not.
	p.At = time.Unix(1767225600, 500e6)
	_, err = c.v.VerifyPersist(context.Background(), "example.com", p)
	assert.NoError(t, err)
	p.At = time.Unix(1767225601, 0)
	_, err = c.v.VerifyPersist(context.Background(), "example.com", p)
	assert.ErrorIs(t, err, verify.ErrPersistDenied)
	var e *verify.Error
	require.True(t, errors.As(err, &e))
	assert.Contains(t, e.Hint, "persistUntil")
	assert.False(t, verify.Terminal(err), "a record published again while polling is still found")
}

func TestVerifyPersistCNAMEAndLookupFailure(t *testing.T) {
	c := newPersistCase(t)
	c.zone.MustAdd("_validation-persist.example.com. 300 IN CNAME persist.dns-host.example.")
	c.add("persist.dns-host.example", "authority.example; accounturi="+c.hashed("example.com"))
	r, err := c.v.VerifyPersist(context.Background(), "example.com", c.policy)
	require.NoError(t, err)
	assert.Equal(t, "_validation-persist.example.com", r.Persist.Owner, "the validated name, never the CNAME target")

	c2 := newPersistCase(t)
	c2.zone.SetRcode("_validation-persist.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	r, err = c2.v.VerifyPersist(context.Background(), "example.com", c2.policy)
	assert.ErrorIs(t, err, verify.ErrLookup)
	assert.Equal(t, verify.Undecided, r.Outcome)
}

func TestVerifyPersistBadPolicy(t *testing.T) {
	c := newPersistCase(t)
	for name, p := range map[string]verify.PersistPolicy{
		"no issuer":  {AccountURIs: []string{"u:1"}},
		"no account": {Issuers: []string{"authority.example"}},
		"bad issuer": {Issuers: []string{"*.authority.example"}, AccountURIs: []string{"u:1"}},
		"bad url":    {Issuers: []string{"authority.example"}, AccountURL: "not a url", AcceptPlainURL: true},
	} {
		_, err := c.v.VerifyPersist(context.Background(), "example.com", p)
		assert.ErrorIs(t, err, verify.ErrBadInput, name)
	}
	c.v.Authoritative = &verify.AuthOptions{}
	_, err := c.v.VerifyPersist(context.Background(), "example.com", c.policy)
	assert.ErrorIs(t, err, verify.ErrBadInput, "authoritative mode is refused, not ignored")
}

func TestVerifyDispatchesPersistAndAccount(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustReadFile(t, "../challenge/testdata/ec384.pem"))
	require.NoError(t, err)
	zone := verifytest.NewZone()
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}
	b := challenge.Builder{}
	pc, err := b.DNSPersist01("*.example.com", challenge.PersistParams{Issuer: "authority.example", AccountURL: persistAcct, AccountKey: key})
	require.NoError(t, err)
	ac, err := b.DNSAccount01("*.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key, persistAcct)
	require.NoError(t, err)
	items := []verify.OrderItem{{Challenge: pc}, {Challenge: ac}}
	res, err := v.VerifyOrder(context.Background(), items)
	assert.Error(t, err, "nothing published")
	assert.Equal(t, verify.NotVerified, res.Outcome)
	for _, c := range []*challenge.Challenge{pc, ac} {
		require.NoError(t, verifytest.Publish(zone, nil, c))
	}
	res, err = v.VerifyOrder(context.Background(), items)
	require.NoError(t, err)
	assert.Equal(t, challenge.DNSPersist01, res.Results[0].Method)
	assert.NotNil(t, res.Results[0].Persist)
	assert.Equal(t, challenge.DNSAccountLabel(persistAcct)+"._acme-challenge.example.com.", res.Results[1].Target)
}

func TestDNSAccount01Cases(t *testing.T) {
	key, err := challenge.ParseAccountKey(mustReadFile(t, "../challenge/testdata/ec384.pem"))
	require.NoError(t, err)
	c, err := challenge.Builder{}.DNSAccount01("www.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key, persistAcct)
	require.NoError(t, err)
	other := challenge.DNSAccountOwner("www.example.com", "https://ca.example/acct/other")
	for _, tc := range []struct {
		name    string
		records []string
		kind    error
	}{
		{"match", []string{fmt.Sprintf("%s 300 IN TXT %q", c.Record.Name, c.Record.Value)}, nil},
		{"wrong label", []string{fmt.Sprintf("%s. 300 IN TXT %q", other, c.Record.Value)}, verify.ErrNotFound},
		{"CNAME followed", []string{
			fmt.Sprintf("%s 300 IN CNAME delegated.acme.example.", c.Record.Name),
			fmt.Sprintf("delegated.acme.example. 300 IN TXT %q", c.Record.Value),
		}, nil},
		{"another value", []string{fmt.Sprintf("%s 300 IN TXT %q", c.Record.Name, "stale"), fmt.Sprintf("%s 300 IN TXT %q", c.Record.Name, c.Record.Value)}, nil},
		{"dns-01 owner only", []string{fmt.Sprintf("_acme-challenge.www.example.com. 300 IN TXT %q", c.Record.Value)}, verify.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zone := verifytest.NewZone().MustAdd(tc.records...)
			r, err := (&verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}).Verify(context.Background(), c)
			if tc.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, verify.Verified, r.Outcome)
				return
			}
			assert.ErrorIs(t, err, tc.kind)
			assert.Equal(t, verify.NotVerified, r.Outcome)
		})
	}
}

// A CA checks dns-persist-01 for a subdomain: the record at the registrable
// domain authorizes it because it carries policy=wildcard.
func ExampleVerifier_VerifyPersist() {
	zone := verifytest.NewZone().MustAdd(
		`_validation-persist.example.com. 300 IN TXT "authority.example; accounturi=https://ca.example/acct/123; policy=wildcard"`)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}
	r, err := v.VerifyPersist(context.Background(), "www.example.com", verify.PersistPolicy{
		Issuers:     []string{"authority.example"},
		AccountURIs: []string{"https://ca.example/acct/123"}, // a draft -00/-01 record
		At:          time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Outcome, "by", r.Persist.Owner)
	fmt.Println("reusable until", r.Persist.ValidUntil.Format(time.RFC3339))
	// Output:
	// verified by _validation-persist.example.com
	// reusable until 2026-12-10T00:00:00Z
}

// The records are read under the Verifier's DNSSEC setting, as every DNS
// check's are: a tampered record is never judged.
func TestVerifyPersistUnderDNSSEC(t *testing.T) {
	rec := `"authority.example; accounturi=` + persistAcct + `"`
	z := verifytest.NewZone().MustAdd(
		`_validation-persist.example.com. 300 IN TXT `+rec,
		`_validation-persist.bad.example.com. 300 IN TXT `+rec,
	)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "com.": {}, "example.com.": {}}})
	require.NoError(t, err)
	z.BreakSignature("_validation-persist.bad.example.com.", dns.TypeTXT, verifytest.TamperedRecord)
	srv, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	v := &verify.Verifier{DNS: &verify.DNSClient{Servers: []string{srv.Addr()}, Timeout: time.Second}, TrustAnchors: anchors}
	p := verify.PersistPolicy{Issuers: []string{"authority.example"}, AccountURIs: []string{persistAcct}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	r, err := v.VerifyPersist(ctx, "example.com", p)
	require.NoError(t, err)
	assert.Equal(t, verify.DNSSECSecure, r.DNSSEC)

	r, err = v.VerifyPersist(ctx, "bad.example.com", p)
	assert.ErrorIs(t, err, verify.ErrDNSSECBogus)
	assert.Equal(t, verify.Undecided, r.Outcome)
}
