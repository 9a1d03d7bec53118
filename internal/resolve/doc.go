// Package resolve is the one DNS resolution layer of verify and caa: one
// policy for CNAME and DNAME chains (MaxChain links, loops refused), one
// check that a reply answers the question asked, one classification of
// failures (Kind), and the one place that asks for DNSSEC records and has
// every response validated (internal/dnssec).
//
// A Resolver sends each question through an Exchanger (a recursive
// resolver, or one authoritative server with recursion off) and records
// an Exchange per query for the evidence a CA keeps. With a Validator,
// queries carry DO=1 (and CD=1 to a recursive resolver, so that bogus
// data reaches the validator instead of hiding behind SERVFAIL); a bogus
// or indeterminate response is an *Error of that Kind, never an answer.
package resolve
