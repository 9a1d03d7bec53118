// Package csrhash computes the "validation hashes" that SSL.com and Sectigo
// (formerly Comodo) use for domain control validation, and the file and DNS
// record built from them.
//
// Instead of handing out a random value, these CAs derive the challenge from
// the certificate signing request itself: an MD5 and a SHA-256 of the CSR.
// That ties the proof to the request being ordered: a new CSR (new key) gives
// new hashes, and nobody can publish them before the CSR exists. Both
// hashes are taken over the CSR's DER bytes, never over its PEM text: the same
// CSR pasted with CRLF line endings, a different header or text around it must
// give the same hashes. The MD5 is printed in upper case because it becomes a
// file name: the CA requests exactly "<MD5>.txt" in upper case, and most web
// servers match file names case-sensitively. The SHA-256 is lower case.
//
// The flow:
//
//	c, err := csrhash.Parse(pemOrDER) // refuses certificates, keys, garbage, bad signatures
//	// HTTP file (BR 3.2.2.4.18), for each non-wildcard domain in c.Domains:
//	path := c.Hashes.FilePath() // /.well-known/pki-validation/<MD5>.txt
//	body, err := c.Hashes.FileContent(csrhash.CASSL, token)
//	//   <sha256>\nssl.com\n<token>   (two lines when there is no token)
//	// or DNS CNAME (BR 3.2.2.4.7), also for wildcards:
//	name, target, err := c.Hashes.CNAME(domain, csrhash.CASectigo, "")
//	//   _<MD5>.<ADN>.  CNAME  <sha256[:32]>.<sha256[32:]>.sectigo.com.
//
// The SHA-256 is split into two 32-character labels because a DNS label holds
// at most 63 characters. The token ("unique value") is the short order value
// SSL.com adds; Sectigo's format has none.
//
// Parse fails closed: every refusal is an *InputError whose Kind (ErrNotCSR,
// ErrSignature, ...) says what was wrong and whose message says what to give
// instead. Sum hashes DER that is already known to be the CSR, with no parsing.
package csrhash
