package dnssec_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/dnssec/dnssectest"
	"github.com/miekg/dns"
)

// A lab hierarchy signed with fresh keys stands in for the DNS: its own
// root anchors the validator, and it answers chain queries like a
// resolver asked with DO=1 and CD=1.
func ExampleValidator_Validate() {
	lab := dnssectest.New(time.Now())
	for _, zone := range []string{".", "com.", "example.com."} {
		if err := lab.AddZone(zone, dnssectest.Config{}); err != nil {
			panic(err)
		}
	}
	if err := lab.Add(`_dnsauth.example.com. 300 IN TXT "token"`, `expired.example.com. 300 IN TXT "x"`); err != nil {
		panic(err)
	}
	lab.Break("expired.example.com.", dns.TypeTXT, dnssectest.Expired)

	v := &dnssec.Validator{Anchors: lab.Anchors()}
	for _, name := range []string{"_dnsauth.example.com.", "nosuch.example.com.", "expired.example.com."} {
		resp, err := lab.Resolve(name, dns.TypeTXT, true) // as a resolver with DO=1 would answer
		if err != nil {
			panic(err)
		}
		r := v.Validate(context.Background(), lab, resp)
		fmt.Printf("%s %s (zone %s) ok=%v\n", name, r.Verdict, r.Zone, r.Verdict.OK())
	}
	// Output:
	// _dnsauth.example.com. secure (zone example.com.) ok=true
	// nosuch.example.com. secure (zone example.com.) ok=true
	// expired.example.com. bogus (zone example.com.) ok=false
}

func ExampleWeakest() {
	fmt.Println(dnssec.Weakest(dnssec.Secure, dnssec.Insecure))
	fmt.Println(dnssec.Weakest(dnssec.Secure, dnssec.Indeterminate, dnssec.Bogus))
	fmt.Println(dnssec.Weakest(dnssec.Unvalidated, dnssec.Secure))
	// Output:
	// insecure
	// bogus
	// secure
}
