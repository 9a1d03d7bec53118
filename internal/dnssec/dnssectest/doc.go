// Package dnssectest signs DNS hierarchies for tests: a root of your own,
// TLDs and children, each zone with fresh keys of a chosen algorithm, NSEC
// or NSEC3 (opt-out) denial, and faults injected per RRset or per zone
// (expired or not-yet-valid signatures, a missing RRSIG, tampered data, a
// DS that matches no key, a server that strips signatures, unsupported
// algorithms and digests). A Hierarchy answers queries the way a
// recursive resolver asked with DO=1 and CD=1 would, so it is a
// dnssec.Querier, and Anchors returns the trust anchor to validate it with.
//
// The package is internal; library users reach it through verify/verifytest.
package dnssectest
