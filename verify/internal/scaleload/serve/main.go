// Command serve is the DNS server of verify's BenchmarkScale10k: it
// serves the benchmark zone on a loopback UDP port with 20 ms added to
// every answer, prints the address and runs until its stdin closes.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/dcvkit/dcv/verify/internal/scaleload"
	"github.com/dcvkit/dcv/verify/verifytest"
)

func main() {
	if err := serveZone(); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

func serveZone() error {
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`,
		// The zone's apex and its one name server, this very server, for
		// the authoritative-mode order.
		`example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`,
		`example.com. 300 IN NS ns1.example.com.`,
		`ns1.example.com. 300 IN A 127.0.0.1`)
	chs, err := scaleload.Challenges()
	if err != nil {
		return err
	}
	for _, c := range chs {
		// The A record makes each name exist on its own: the zone double
		// would otherwise scan every name to find it an empty non-terminal.
		z.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value),
			fmt.Sprintf(`%s. 300 IN A 192.0.2.1`, c.ADN))
	}
	z.SetDelay(scaleload.Delay)
	srv, err := verifytest.NewDNSServer(z)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(srv.Addr())
	_, err = io.Copy(io.Discard, os.Stdin)
	return err
}
