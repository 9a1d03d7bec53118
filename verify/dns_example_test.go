package verify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// A DNSClient asks the resolvers it is given (here a loopback test
// server); an NXDOMAIN or SERVFAIL comes back as a response, not an error.
func ExampleDNSClient() {
	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "2024abc"`)
	srv, err := verifytest.NewDNSServer(zone)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c := &verify.DNSClient{Servers: []string{srv.Addr()}, Timeout: time.Second}
	for _, name := range []string{"_dnsauth.example.com.", "_dnsauth.www.example.com."} {
		r, err := c.Exchange(context.Background(), new(dns.Msg).SetQuestion(name, dns.TypeTXT))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(name, dns.RcodeToString[r.Rcode], len(r.Answer))
	}
	// Output:
	// _dnsauth.example.com. NOERROR 1
	// _dnsauth.www.example.com. NXDOMAIN 0
}
