package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// The validation hashes of the shared test vector, as `dcv hash` prints them.
func Example_hash() {
	e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stdout}
	code := run(context.Background(), []string{"hash", "--domain", "hildegardconsort.org", "testdata/sample-616.csr"}, e)
	if code != exitOK {
		panic(code)
	}
	// Output:
	// CSR:      testdata/sample-616.csr
	// Domains:  hildegardconsort.org
	// MD5:      4547FDDC7118AC1B676C964534F2DB10
	// SHA-256:  0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0
	//
	// Hash-based file for hildegardconsort.org (serve over http or https, no redirect):
	//   URL:      http://hildegardconsort.org/.well-known/pki-validation/4547FDDC7118AC1B676C964534F2DB10.txt
	//             https://hildegardconsort.org/.well-known/pki-validation/4547FDDC7118AC1B676C964534F2DB10.txt
	//   Content:
	//     0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0
	//     ssl.com
	//
	// Hash-based CNAME for hildegardconsort.org:
	//   Name:     _4547FDDC7118AC1B676C964534F2DB10.hildegardconsort.org.
	//   Target:   0ba404b6326c6790c9abe76fa303b17b.a25b90b732507810df280549d1c5d5b0.ssl.com.
	//   Record:   _4547FDDC7118AC1B676C964534F2DB10.hildegardconsort.org. IN CNAME 0ba404b6326c6790c9abe76fa303b17b.a25b90b732507810df280549d1c5d5b0.ssl.com.
}

// A TXT check corroborated by three remote perspectives, one of which sees
// a hijacked record: with three remotes one may dissent. The remotes run
// in-process here; elsewhere they are `dcv serve-perspective` in other
// regions, and --resolver is omitted.
func Example_perspective() {
	record := func(v string) *verifytest.Zone {
		return verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "` + v + `"`)
	}
	const key = "an-example-key-of-at-least-32-characters"
	var remotes []string
	for _, r := range []struct{ region, value string }{{"ARIN", "k4bz7"}, {"RIPE", "k4bz7"}, {"APNIC", "attacker"}} {
		zone := record(r.value)
		h := &perspective.Handler{Key: []byte(key), Local: &perspective.Local{Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}}}
		srv := httptest.NewUnstartedServer(h)
		h.URL = "http://" + srv.Listener.Addr().String() // its identity: the URL callers use
		srv.Start()
		defer srv.Close()
		remotes = append(remotes, r.region+"@"+srv.URL)
	}
	dns, err := verifytest.NewDNSServer(record("k4bz7")) // this host's view
	if err != nil {
		panic(err)
	}
	defer dns.Close()
	dir, err := os.MkdirTemp("", "dcv-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		panic(err)
	}

	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: os.Stdout}
	code := run(context.Background(), []string{"verify", "dns-txt", "--dnssec", "off", "--name", "_dnsauth.example.com", "--value", "k4bz7",
		"--resolver", dns.Addr(), "--perspective", strings.Join(remotes, ","), "--key-file", keyFile,
		"--min-remotes", "3", "--min-regions", "2", "--json"}, e)
	var rep perspective.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		panic(err)
	}
	fmt.Println("exit", code, "corroborated", rep.Corroborated, "regions", rep.Regions)
	for _, r := range rep.Remotes {
		fmt.Println(r.Region, r.Outcome())
	}
	// Output:
	// exit 0 corroborated true regions [ARIN RIPE]
	// ARIN verified
	// RIPE verified
	// APNIC not verified
}
