package perspective_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// local returns a perspective whose view of the DNS is the given records.
func local(label, region string, records ...string) *perspective.Local {
	zone := verifytest.NewZone().MustAdd(records...)
	return &perspective.Local{Label: label, Region: region,
		Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}, CAA: &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: zone}}
}

// A Corroborator repeats a check from every perspective at once. Here one
// remote perspective sees a hijacked TXT record; with three remotes, one
// may dissent, so the validation is corroborated under the BR 2026 policy.
func ExampleCorroborator() {
	real := `_dnsauth.example.com. 300 IN TXT "k4bz7tq3m2xw"`
	fake := `_dnsauth.example.com. 300 IN TXT "attacker"`
	c := &perspective.Corroborator{
		Primary: local("primary", "ARIN", real),
		Remotes: []perspective.Perspective{
			local("frankfurt", "RIPE", real),
			local("singapore", "APNIC", fake),
			local("virginia", "ARIN", real),
		},
		Policy: perspective.BR2026(),
	}
	check := perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "k4bz7tq3m2xw"}}

	rep, err := c.Run(context.Background(), check)
	fmt.Println("corroborated:", rep.Corroborated, err == nil)
	for _, r := range rep.Remotes {
		fmt.Printf("%s (%s): %s\n", r.Label, r.Region, r.Outcome())
	}
	fmt.Println(rep.Reason)
	// Output:
	// corroborated: true true
	// frankfurt (RIPE): verified
	// singapore (APNIC): not verified
	// virginia (ARIN): verified
	// corroborated: primary "primary" verified; 2 of 3 remotes corroborate, 1 may dissent (singapore: not verified); regions ARIN, RIPE
}

// CAA is corroborated the same way: here two of three remotes see a CAA
// record that names another CA, so issuance is refused.
func ExampleCorroborator_caa() {
	ours := `example.com. 300 IN CAA 0 issue "ssl.com"`
	theirs := `example.com. 300 IN CAA 0 issue "letsencrypt.org"`
	c := &perspective.Corroborator{
		Primary: local("primary", "ARIN", ours),
		Remotes: []perspective.Perspective{
			local("frankfurt", "RIPE", ours),
			local("singapore", "APNIC", theirs),
			local("sao-paulo", "LACNIC", theirs),
		},
	}
	check := perspective.Check{Determination: perspective.CAA,
		CAA: &caa.Request{Domain: "www.example.com", Issuers: []string{"ssl.com"}}}

	rep, err := c.Run(context.Background(), check)
	fmt.Println(rep.Corroborated, rep.Corroborating, rep.NonCorroborating, rep.Allowed)
	fmt.Println(err)
	// Output:
	// false 1 2 1
	// perspective: not corroborated: too many remote perspectives did not corroborate: 2 of 3 remotes did not corroborate (singapore: forbidden; sao-paulo: forbidden); at most 1 allowed with 3 remotes
}

// A Handler serves a Local perspective to remote callers (deploy it in
// another region, e.g. with `dcv serve-perspective`); a Remote calls it.
// Both hold the perspective's key, and both name it by its URL: that is
// the identity every request and every answer is signed for.
func ExampleHandler() {
	key := []byte("the secret key of this perspective")
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "k4bz7tq3m2xw"`)
	h := &perspective.Handler{
		Key:   key,
		Local: &perspective.Local{Label: "eu-1", Region: "RIPE", Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}},
	}
	srv := httptest.NewUnstartedServer(h)
	h.URL = "http://" + srv.Listener.Addr().String() // in production: https://, its public name
	srv.Start()
	defer srv.Close()

	remote := &perspective.Remote{URL: h.URL, Key: key, Label: "frankfurt", Region: "RIPE"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	check := perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "k4bz7tq3m2xw"}}
	res, err := remote.Run(ctx, check)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Label, res.Outcome(), "served by", res.ServedBy)

	// A caller with another key is refused.
	remote.Key = []byte("not the key of this perspective, though as long")
	_, err = remote.Run(ctx, check)
	fmt.Println(errorsIs(err, perspective.ErrUnauthenticated))
	// Output:
	// frankfurt verified served by eu-1 (RIPE)
	// true
}

// PolicyAt gives the BR 3.2.2.9 minimums in force on a date.
func ExamplePolicyAt() {
	for _, d := range []string{"2025-06-01", "2025-09-15", "2026-03-15", "2026-12-15"} {
		t, _ := time.Parse(time.DateOnly, d)
		p := perspective.PolicyAt(t)
		fmt.Printf("%s: %d remotes, %d regions\n", d, p.MinRemotes, p.MinRegions)
	}
	// Output:
	// 2025-06-01: 0 remotes, 0 regions
	// 2025-09-15: 2 remotes, 0 regions
	// 2026-03-15: 3 remotes, 2 regions
	// 2026-12-15: 5 remotes, 2 regions
}
