package csrhash_test

import (
	"fmt"
	"os"

	"github.com/dcvkit/dcv/csrhash"
)

func ExampleParse() {
	data, err := os.ReadFile("testdata/sample-616.csr")
	if err != nil {
		panic(err)
	}
	c, err := csrhash.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(c.DER), c.Domains)
	fmt.Println(c.Hashes.MD5)
	fmt.Println(c.Hashes.SHA256)
	// Output:
	// 616 [hildegardconsort.org]
	// 4547FDDC7118AC1B676C964534F2DB10
	// 0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0
}

func ExampleParse_certificate() {
	data, err := os.ReadFile("testdata/refuse-cert.pem")
	if err != nil {
		panic(err)
	}
	_, err = csrhash.Parse(data)
	fmt.Println(err)
	// Output:
	// csrhash: this is a certificate, not a CSR: give the CSR you generated the key with
}

func ExampleHashes_FileContent() {
	data, err := os.ReadFile("testdata/sample-616.csr")
	if err != nil {
		panic(err)
	}
	c, err := csrhash.Parse(data)
	if err != nil {
		panic(err)
	}
	body, err := c.Hashes.FileContent(csrhash.CASSL, "10TmfZdb9tj")
	if err != nil {
		panic(err)
	}
	fmt.Println("http://hildegardconsort.org" + c.Hashes.FilePath())
	fmt.Println(body)
	// Output:
	// http://hildegardconsort.org/.well-known/pki-validation/4547FDDC7118AC1B676C964534F2DB10.txt
	// 0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0
	// ssl.com
	// 10TmfZdb9tj
}

func ExampleHashes_CNAME() {
	data, err := os.ReadFile("testdata/sample-616.csr")
	if err != nil {
		panic(err)
	}
	c, err := csrhash.Parse(data)
	if err != nil {
		panic(err)
	}
	name, target, err := c.Hashes.CNAME("*.hildegardconsort.org", csrhash.CASectigo, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(name, "CNAME", target)
	// Output:
	// _4547FDDC7118AC1B676C964534F2DB10.hildegardconsort.org. CNAME 0ba404b6326c6790c9abe76fa303b17b.a25b90b732507810df280549d1c5d5b0.sectigo.com.
}

func ExampleSum() {
	h := csrhash.Sum([]byte("abc"))
	fmt.Println(h.FileName())
	fmt.Println(h.MatchSHA256("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
	// Output:
	// 900150983CD24FB0D6963F7D28E17F72.txt
	// true
}

// Covers tells a CA whether validating a name serves the CSR: a listed
// name, its wildcard, or a parent (an authorization domain name).
func ExampleCSR_Covers() {
	data, err := os.ReadFile("testdata/sample-616.csr")
	if err != nil {
		panic(err)
	}
	c, err := csrhash.Parse(data)
	if err != nil {
		panic(err)
	}
	for _, d := range []string{"hildegardconsort.org", "*.hildegardconsort.org", "www.hildegardconsort.org", "example.org"} {
		fmt.Println(d, c.Covers(d))
	}
	// Output:
	// hildegardconsort.org true
	// *.hildegardconsort.org true
	// www.hildegardconsort.org false
	// example.org false
}
