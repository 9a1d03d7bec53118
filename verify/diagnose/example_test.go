package diagnose_test

import (
	"context"
	"fmt"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// Diagnose a DNS TXT challenge that the user published with the zone typed
// into the host-record field, at a zone whose second name server has not
// caught up. Everything runs on loopback: a resolver and two
// authoritative servers.
func ExampleDiagnoser_Diagnose() {
	c, err := challenge.Builder{AllowPrivate: true}.DNSTXT("example.test")
	if err != nil {
		fmt.Println(err)
		return
	}
	soa := "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. %d 7200 3600 1209600 300"
	common := []string{
		"example.test. 300 IN NS ns1.example.test.", "ns1.example.test. 300 IN A 127.0.0.2",
		"example.test. 300 IN NS ns2.example.test.", "ns2.example.test. 300 IN A 127.0.0.3",
		fmt.Sprintf("_dnsauth.example.test.example.test. 300 IN TXT %q", c.Record.Value),
	}
	resolver := verifytest.NewZone().MustAdd(append(common, fmt.Sprintf(soa, 1),
		"test. 300 IN NS a.nic.test.", "a.nic.test. 300 IN A 127.0.0.250")...) // the TLD exists
	ns1 := verifytest.NewZone().MustAdd(append(common, fmt.Sprintf(soa, 1))...)
	ns2 := verifytest.NewZone().MustAdd(append(common, fmt.Sprintf(soa, 2))...)
	servers, port, err := verifytest.NewDNSServers(ns1, ns2)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := verifytest.NewDNSServer(resolver)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Close()
	for _, s := range servers {
		defer s.Close()
	}

	d := &diagnose.Diagnoser{
		DNS:          &verify.DNSClient{Servers: []string{res.Addr()}, AllowPrivate: true}, // loopback name servers
		AuthPort:     port,
		AllowPrivate: true,             // .test and loopback: a lab
		DNSSEC:       verify.DNSSECOff, // with no signed root
	}
	rep := d.Diagnose(context.Background(), diagnose.Request{Challenge: c})
	for _, f := range rep.Findings {
		if f.Severity == diagnose.Info {
			continue
		}
		fmt.Printf("%s %s\n  fix: %s\n", f.Severity, f.Code, f.Fix)
	}
	// Output:
	// error record_doubled_label
	//   fix: in zone example.test, change the host record from "_dnsauth.example.test" to "_dnsauth" (the console adds .example.test itself)
	// warning soa_serial_mismatch
	//   fix: wait for the zone to reach every name server (check zone transfers / your DNS provider's sync) before asking the CA to validate
}
