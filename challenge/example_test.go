package challenge_test

import (
	"bytes"
	"encoding/json"
	"errors"
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

// sampleCSR reads the shared test vector (CN hildegardconsort.org).
func sampleCSR() (*csrhash.CSR, error) {
	data, err := os.ReadFile("../csrhash/testdata/sample-616.csr")
	if err != nil {
		return nil, err
	}
	return csrhash.Parse(data)
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
	// challenge: *.example.com: method cannot validate a wildcard name: use a DNS method
}

func ExampleBuilder_HashCNAME() {
	csr, err := sampleCSR()
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

func ExampleBuilder_ForCSR() {
	csr, err := sampleCSR()
	if err != nil {
		fmt.Println(err)
		return
	}
	// One hash-based file challenge per domain of a multi-domain order.
	all, err := exampleBuilder.ForCSR(csr, challenge.HashFile, csrhash.CASSL, "10TmfZdb9tj")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range all {
		fmt.Println(c.File.URLs[0])
		fmt.Printf("%q\n", c.File.Content)
	}
	// Output:
	// http://hildegardconsort.org/.well-known/pki-validation/4547FDDC7118AC1B676C964534F2DB10.txt
	// "0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0\nssl.com\n10TmfZdb9tj"
}

func ExampleDecode() {
	c, err := exampleBuilder.DNSTXT("example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := json.Marshal(c) // what `dcv challenge --json` prints
	back, err := challenge.Decode(data)
	fmt.Println(back.Record.Name, err)

	// A tampered challenge is refused before anyone acts on it.
	_, err = challenge.Decode([]byte(`{"method":"dns-txt","domain":"co.uk","adn":"co.uk"}`))
	fmt.Println(errors.Is(err, challenge.ErrBadChallenge))
	// Output:
	// _dnsauth.example.com. <nil>
	// true
}

func ExampleBuilder_HashFile() {
	csr, err := sampleCSR()
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.HashFile(csr, "hildegardconsort.org", csrhash.CASectigo, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.File.Path)
	fmt.Println(c.File.Content)
	// Output:
	// /.well-known/pki-validation/4547FDDC7118AC1B676C964534F2DB10.txt
	// 0ba404b6326c6790c9abe76fa303b17ba25b90b732507810df280549d1c5d5b0
	// sectigo.com
}

func ExampleBuilder_ACMEHTTP01() {
	key, err := challenge.ParseAccountKey([]byte(`-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := exampleBuilder.ACMEHTTP01("www.example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.File.URLs[0])
	fmt.Println(c.File.Content)
	// Output:
	// http://www.example.com/.well-known/acme-challenge/evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
	// evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
}
