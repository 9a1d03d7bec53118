// Package dnstest provides DNS test doubles: Zone, an in-memory set of
// records that answers queries the way a recursive resolver would, and
// Server, a real miekg/dns server on loopback (UDP and TCP on one port)
// serving a Zone.
//
// The doubles exist so that the DNS client, the CAA lookup and the
// verifiers can be tested against resolver behaviour that matters for
// domain control validation — NXDOMAIN versus NODATA, empty non-terminals,
// CNAME chains and loops, wildcards, SERVFAIL, timeouts, truncation and the
// AD bit — without ever touching the system resolver or the network beyond
// 127.0.0.0/8. Faults (SetRcode, Drop, SetTruncate, SetDelay) are injected
// per name and type so one test can exercise exactly one failure.
//
// The package is internal; library users reach it through verify/verifytest.
package dnstest
