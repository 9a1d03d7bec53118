// Package verifytest provides test doubles for code that uses package
// verify, in the spirit of net/http/httptest: nothing here touches the
// system resolver or any public address.
//
//   - Zone: an in-memory DNS zone answering like a recursive resolver
//     (CNAME chains, wildcards, NXDOMAIN versus NODATA, SOA in negative
//     answers) with per-name fault injection: SERVFAIL and other rcodes,
//     dropped queries (timeouts), truncation, latency, the AD bit. A *Zone
//     is a verify.Exchanger, so it can stand in for the DNS client with no
//     network at all.
//   - Zone.Sign: the same Zone as a DNSSEC-signed hierarchy (a root of
//     its own, TLDs, children, each with fresh keys) for queries with the
//     DO bit: RRSIGs, DNSKEY and DS answers, NSEC or NSEC3 (opt-out)
//     proofs. Sign returns the trust anchor to validate with;
//     BreakSignature and ZoneSigning inject expired or not-yet-valid
//     signatures, missing RRSIGs, tampered records, a DS matching no key,
//     stripped signatures and unsupported algorithms, so DNSSEC failure
//     handling can be tested without a real signed zone.
//   - DNSServer: a real DNS server on loopback (UDP and TCP on one port)
//     serving a Zone, for testing the network client itself.
//     NewDNSServers puts several on 127.0.0.2, 127.0.0.3, ... on one port
//     for authoritative-mode tests.
//   - Responder: an http.Handler serving the well-known validation paths
//     (/.well-known/pki-validation/..., /.well-known/acme-challenge/...)
//     with statuses, redirects, delays and slow bodies; serve it with
//     net/http/httptest.
//   - ALPNResponder: a TLS server on loopback answering tls-alpn-01
//     (RFC 8737) with the challenge certificate for a name, or a wrong one
//     (ALPNOtherDigest, ALPNNonCritical, ALPNExtraSAN, ALPNOtherSAN,
//     ALPNNoExtension, ALPNNotSelfSigned,
//     ALPNDuplicateExtension, ALPNNoALPN), with a delay if
//     asked; names it does not know get what a plain HTTPS server answers.
//
// The DNS doubles cover the resolver behaviour that matters for domain
// control validation — NXDOMAIN versus NODATA, empty non-terminals, CNAME
// chains and loops, wildcards, SERVFAIL, timeouts, truncation and the AD
// bit — and inject each fault per name and type, so one test can exercise
// exactly one failure.
//
// A typical DNS test:
//
//	zone := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "value"`)
//	srv, err := verifytest.NewDNSServer(zone)
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer srv.Close()
//	// point the DNS client at srv.Addr(), or pass zone itself as the Exchanger
//
// A typical HTTP test:
//
//	resp := verifytest.NewResponder()
//	resp.Set("/.well-known/pki-validation/fileauth.txt", "value")
//	ts := httptest.NewServer(resp)
//	defer ts.Close()
package verifytest
