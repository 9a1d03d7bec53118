package caa_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/verifytest"
)

func names(prefix string, n int) []caa.Request {
	reqs := make([]caa.Request, n)
	for i := range reqs {
		reqs[i] = caa.Request{Domain: fmt.Sprintf("%s%d.example.com", prefix, i), Issuers: []string{"ssl.com"}}
	}
	return reqs
}

// TestCheckAllOneResultPerRequestInOrder: CheckAll gives what Check gives,
// one result per request, in request order, bad requests included.
func TestCheckAllOneResultPerRequestInOrder(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
		`deny.example.com. 300 IN CAA 0 issue "letsencrypt.org"`,
		`example.net. 300 IN CAA 0 issue ";"`,
	)
	reqs := append(names("a", 20),
		caa.Request{Domain: "deny.example.com", Issuers: []string{"ssl.com"}},
		caa.Request{Domain: "co.uk", Issuers: []string{"ssl.com"}},
		caa.Request{Domain: "www.example.net", Issuers: []string{"ssl.com"}},
		caa.Request{Domain: "b1.example.com"}, // no CA
		caa.Request{Domain: "b2.example.com", Issuers: []string{"not a domain"}},
		caa.Request{Domain: "b3.example.com", Issuers: []string{"not a domain"}},
		caa.Request{Domain: "b4.example.com", Issuers: []string{"ssl.com"}},
	)
	c := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, Concurrency: 3}
	got := c.CheckAll(context.Background(), reqs)
	require.Len(t, got, len(reqs))
	for i, r := range got {
		assert.Equal(t, reqs[i], r.Request)
		want, werr := c.Check(context.Background(), reqs[i])
		if werr != nil {
			assert.ErrorIs(t, r.Err, caa.ErrBadRequest, reqs[i].Domain)
			assert.Nil(t, r.Decision)
			continue
		}
		require.NoError(t, r.Err, reqs[i].Domain)
		assert.Equal(t, want.Permitted, r.Decision.Permitted, reqs[i].Domain)
		assert.Equal(t, want.Rule, r.Decision.Rule)
		assert.Equal(t, want.RelevantName, r.Decision.RelevantName)
		assert.Equal(t, reqs[i].Domain, r.Decision.Domain)
	}
	assert.True(t, got[0].Decision.Permitted)
	assert.False(t, got[20].Decision.Permitted)
	assert.False(t, got[22].Decision.Permitted)
	for _, i := range []int{23, 24, 25} {
		assert.ErrorIs(t, got[i].Err, caa.ErrBadRequest, reqs[i].Domain)
	}
	assert.True(t, got[26].Decision.Permitted, "a bad CA in the request before changes nothing")
}

// TestCheckAllAsksSharedQuestionsOnce: 200 names under example.com ask
// example.com and com once each (single flight), every leaf once.
func TestCheckAllAsksSharedQuestionsOnce(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	z.SetDelay(5 * time.Millisecond) // askers pile up behind the first
	reqs := names("n", 200)
	got := (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, Concurrency: 32}).CheckAll(context.Background(), reqs)
	for _, r := range got {
		require.NoError(t, r.Err)
		assert.True(t, r.Decision.Permitted)
	}
	assert.Equal(t, 1, z.Queries("example.com.", dns.TypeCAA))
	assert.Equal(t, 1, z.Queries("com.", dns.TypeCAA))
	assert.Equal(t, 1, z.Queries("n7.example.com.", dns.TypeCAA))
	assert.Equal(t, 202, z.TotalQueries())
}

// TestCheckAllFailureServesOnlyTheBatch: a failed shared question fails
// every name that needs it in the batch, and is asked again by the next.
func TestCheckAllFailureServesOnlyTheBatch(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	z.SetRcode("example.com.", dns.TypeCAA, dns.RcodeServerFailure)
	c := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, Concurrency: 8}
	for _, r := range c.CheckAll(context.Background(), names("f", 50)) {
		assert.ErrorIs(t, r.Err, caa.ErrLookup, "a failure is never permission")
		assert.Nil(t, r.Decision)
	}
	assert.Equal(t, 1, z.Queries("example.com.", dns.TypeCAA))

	z.Heal("example.com.", dns.TypeCAA)
	for _, r := range c.CheckAll(context.Background(), names("f", 50)) {
		require.NoError(t, r.Err)
		assert.True(t, r.Decision.Permitted)
	}
	assert.Equal(t, 2, z.Queries("example.com.", dns.TypeCAA))
}

// slowAncestors answers the shared ancestors late and leaves at once.
type slowAncestors struct{ z *verifytest.Zone }

func (s slowAncestors) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if n := m.Question[0].Name; n == "example.com." || n == "com." {
		select {
		case <-time.After(30 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.z.Exchange(ctx, m)
}

// TestCheckAllEarlyFinisherDoesNotFailOthers: a name decided by its own
// records stops waiting for its ancestors; names that need those
// ancestors still get the shared answer.
func TestCheckAllEarlyFinisherDoesNotFailOthers(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	var reqs []caa.Request
	for i := range 40 {
		leaf := fmt.Sprintf("own%d.example.com", i)
		z.MustAdd(leaf + `. 300 IN CAA 0 issue "ssl.com"`)
		reqs = append(reqs, caa.Request{Domain: leaf, Issuers: []string{"ssl.com"}},
			caa.Request{Domain: fmt.Sprintf("inherit%d.example.com", i), Issuers: []string{"ssl.com"}})
	}
	got := (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: slowAncestors{z}, Concurrency: 8}).CheckAll(context.Background(), reqs)
	for _, r := range got {
		require.NoError(t, r.Err, r.Request.Domain)
		want := "example.com"
		if strings.HasPrefix(r.Request.Domain, "own") {
			want = r.Request.Domain
		}
		assert.Equal(t, want, r.Decision.RelevantName)
	}
}

func TestCheckAllWithoutResolver(t *testing.T) {
	got := (&caa.Checker{DNSSEC: caa.DNSSECOff}).CheckAll(context.Background(), names("x", 2))
	require.Len(t, got, 2)
	assert.ErrorIs(t, got[1].Err, caa.ErrNoResolver)
}

// TestCheckAllUnderDNSSECAsCheck: under validation, a batch whose names
// share signed, tampered and expired ancestors decides each name as Check
// does: a shared bogus level fails every name that climbs to it, and a
// shared secure one keeps its verdict.
func TestCheckAllUnderDNSSECAsCheck(t *testing.T) {
	c := signedCAALab(t)
	var reqs []caa.Request
	for _, d := range []string{"www.example.com", "nosuch.example.com", "www.plain.com", "bad.example.com",
		"x.bad.example.com", "deep.bad2.example.com", "y.deep.bad2.example.com", "alias.example.com"} {
		reqs = append(reqs, caa.Request{Domain: d, Issuers: []string{"ssl.com"}},
			caa.Request{Domain: d, Issuers: []string{"ssl.com"}}) // every name twice: shared to the bottom
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := c.CheckAll(ctx, reqs)
	require.Len(t, got, len(reqs))
	for i, r := range got {
		want, werr := c.Check(ctx, reqs[i])
		if werr != nil {
			require.Error(t, r.Err, reqs[i].Domain)
			assert.Nil(t, r.Decision, "never a decision on a failed lookup")
			assert.Equal(t, errors.Is(werr, caa.ErrDNSSECBogus), errors.Is(r.Err, caa.ErrDNSSECBogus), reqs[i].Domain)
			assert.ErrorIs(t, r.Err, caa.ErrLookup)
			continue
		}
		require.NoError(t, r.Err, reqs[i].Domain)
		assert.Equal(t, want.DNSSEC, r.Decision.DNSSEC, reqs[i].Domain)
		assert.Equal(t, want.Permitted, r.Decision.Permitted, reqs[i].Domain)
		assert.Equal(t, want.RelevantName, r.Decision.RelevantName, reqs[i].Domain)
	}
	assert.ErrorIs(t, got[8].Err, caa.ErrDNSSECBogus, "x.bad.example.com climbs to the tampered level")
	assert.Equal(t, caa.DNSSECSecure, got[1].Decision.DNSSEC)
}

// TestCheckAllDecisionsOwnTheirSlices: names decided by one shared
// answer get Records and Issuers of their own: a caller editing one
// Decision changes no other.
func TestCheckAllDecisionsOwnTheirSlices(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	got := (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z}).CheckAll(context.Background(), names("o", 3))
	for _, r := range got {
		require.NoError(t, r.Err)
	}
	got[0].Decision.Records[0] = "changed"
	got[0].Decision.Issuers[0] = "changed"
	for _, r := range got[1:] {
		assert.Equal(t, []string{`example.com. 300 IN CAA 0 issue "ssl.com"`}, r.Decision.Records)
		assert.Equal(t, []string{"ssl.com"}, r.Decision.Issuers)
	}
}

// TestCheckAllSharedRecordsEvaluatedPerRequest: names that inherit one
// shared RRset but differ in CA, method, account or wildcard are each
// evaluated for what they ask, as Check evaluates them.
func TestCheckAllSharedRecordsEvaluatedPerRequest(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`example.com. 300 IN CAA 0 issue "ssl.com; validationmethods=dns-01"`,
		`example.com. 300 IN CAA 0 issue "letsencrypt.org; accounturi=https://acme.example/acct/1"`,
		`example.com. 300 IN CAA 0 issuewild ";"`,
	)
	kinds := []caa.Request{
		{Issuers: []string{"ssl.com"}, Method: "dns-01"},
		{Issuers: []string{"ssl.com"}, Method: "http-01"},
		{Issuers: []string{"letsencrypt"}, AccountURI: "https://acme.example/acct/1"},
		{Issuers: []string{"letsencrypt"}, AccountURI: "https://acme.example/acct/2"},
		{Issuers: []string{"ssl.com"}, Method: "dns-01", Wildcard: true},
		{Issuers: []string{"pki.goog"}},
		{Issuers: []string{"letsencrypt"}},
	}
	var reqs []caa.Request
	for i := range 60 {
		r := kinds[i%len(kinds)]
		if i%12 >= 6 {
			r = kinds[(i/2)%len(kinds)] // runs of equal requests, and changes
		}
		r.Domain = fmt.Sprintf("n%d.example.com", i)
		reqs = append(reqs, r)
	}
	for _, n := range []int{1, 16} {
		c := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z, Concurrency: n}
		got := c.CheckAll(context.Background(), reqs)
		permitted := 0
		for i, r := range got {
			want, err := c.Check(context.Background(), reqs[i])
			require.NoError(t, err)
			require.NoError(t, r.Err)
			assert.Equal(t, want.Permitted, r.Decision.Permitted, "%+v", reqs[i])
			assert.Equal(t, want.Rule, r.Decision.Rule, "%+v", reqs[i])
			assert.Equal(t, want.Hint, r.Decision.Hint, "%+v", reqs[i])
			if r.Decision.Permitted {
				permitted++
			}
		}
		assert.Greater(t, permitted, 0)
		assert.Less(t, permitted, len(reqs))
	}
}

// TestCheckAllWildcardSharesItsBase: a wildcard climbs from its base, so
// "*.w.example.com" and "w.example.com" in one batch ask w.example.com
// once, and the wildcard name itself never.
func TestCheckAllWildcardSharesItsBase(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`)
	z.SetDelay(5 * time.Millisecond)
	var reqs []caa.Request
	for _, d := range []string{"*.w.example.com", "w.example.com", "x.w.example.com", "*.w.example.com"} {
		reqs = append(reqs, caa.Request{Domain: d, Issuers: []string{"ssl.com"}})
	}
	for _, r := range (&caa.Checker{DNSSEC: caa.DNSSECOff, DNS: z}).CheckAll(context.Background(), reqs) {
		require.NoError(t, r.Err)
		assert.True(t, r.Decision.Permitted)
	}
	assert.Equal(t, 1, z.Queries("w.example.com.", dns.TypeCAA))
	assert.Equal(t, 0, z.Queries("*.w.example.com.", dns.TypeCAA))
	assert.Equal(t, 4, z.TotalQueries(), "w, x.w, example.com and com, once each")
}
