package main

import (
	"context"
	"os"
	"strings"
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
