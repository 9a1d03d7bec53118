package challenge_test

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
)

// A deterministic Builder for the examples; real code uses the zero value.
var exampleBuilder = challenge.Builder{
	Rand: bytes.NewReader(bytes.Repeat([]byte{0x5a}, 1024)),
	Now:  func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) },
}

func ExampleBuilder_DNSTXT() {
	c, err := exampleBuilder.DNSTXT("www.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("type: ", c.Record.Type)
	fmt.Println("host: ", c.Record.Host, "(zone "+c.Record.Zone+")")
	fmt.Println("value:", c.Record.Value)
	fmt.Println("until:", c.ExpiresAt.Format(time.DateOnly))
	// Output:
	// type:  TXT
	// host:  _dnsauth.www (zone example.com)
	// value: ljnfuws2ljnfuws2ljnfuws2li
	// until: 2026-12-27
}

func ExampleBuilder_File() {
	c, err := exampleBuilder.File("example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range c.File.URLs {
		fmt.Println(u)
	}
	_, err = exampleBuilder.File("*.example.com")
	fmt.Println(err)
	// Output:
	// http://example.com/.well-known/pki-validation/fileauth.txt
	// https://example.com/.well-known/pki-validation/fileauth.txt
	// http://www.example.com/.well-known/pki-validation/fileauth.txt
	// https://www.example.com/.well-known/pki-validation/fileauth.txt
	// dcv: *.example.com: method cannot validate a wildcard name: use a DNS method
}

func ExampleBuilder_HashCNAME() {
	data, err := os.ReadFile("../csrhash/testdata/sample-616.csr")
	if err != nil {
		fmt.Println(err)
		return
	}
	csr, err := csrhash.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.HashCNAME(csr, csr.Domains[0], csrhash.CASSL, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Record)
	// Output:
	// _4547FDDC7118AC1B676C964534F2DB10.hildegardconsort.org. IN CNAME 0ba404b6326c6790c9abe76fa303b17b.a25b90b732507810df280549d1c5d5b0.ssl.com.
}

func ExampleBuilder_Email() {
	c, err := exampleBuilder.Email("example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Email.Addresses)
	// Output:
	// [admin@example.com administrator@example.com webmaster@example.com hostmaster@example.com postmaster@example.com]
}

func ExampleBuilder_ACMEDNS01() {
	key, err := challenge.ParseAccountKey([]byte(`-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.ACMEDNS01("*.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.KeyAuthorization)
	fmt.Println(c.Record.Name, c.Record.Value)
	// Output:
	// evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
	// _acme-challenge.example.com. lAV291d372xyXVEZRY9j2FQ8g1TYpOaJr620CiahePA
}
