// DNSSEC settings and verdicts, as the Verifier, the HTTP client and the
// evidence carry them. Validation itself lives in internal/dnssec and is
// applied to every response by the one resolution layer (internal/resolve).

package verify

import (
	"io"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// DNSSECMode says whether DNS answers are validated by DNSSEC. The zero
// value, DNSSECValidate, validates every answer a check relies on back to
// the trust anchors, as the Baseline Requirements oblige a CA (ballot
// SC-085v2). caa.DNSSECMode is the same type.
type DNSSECMode = resolve.Mode

const (
	// DNSSECValidate validates every answer (the default).
	DNSSECValidate = resolve.Validate
	// DNSSECOff switches validation off; only the resolver's AD bit is
	// recorded. Not allowed for a CA's domain validation or CAA checks.
	DNSSECOff = resolve.Off
)

// DNSSECVerdict is the DNSSEC outcome of an answer: "" (not validated),
// "secure", "insecure" (proven unsigned), "bogus" or "indeterminate". Only
// secure and insecure answers are used. caa.DNSSECVerdict is the same type.
type DNSSECVerdict = dnssec.Verdict

// The verdicts.
const (
	DNSSECUnvalidated   = dnssec.Unvalidated
	DNSSECSecure        = dnssec.Secure
	DNSSECInsecure      = dnssec.Insecure
	DNSSECBogus         = dnssec.Bogus
	DNSSECIndeterminate = dnssec.Indeterminate
)

// RootTrustAnchors returns the IANA root trust anchors the validator uses
// by default: the DS records of KSK-2017 (key tag 20326) and KSK-2024 (key
// tag 38696).
func RootTrustAnchors() []dns.RR { return dnssec.RootAnchors() }

// ParseTrustAnchors reads trust anchors: zone-file lines of DS or DNSKEY
// records of any owner (a lab root or an island of trust), ';' comments
// and blank lines allowed.
func ParseTrustAnchors(r io.Reader) ([]dns.RR, error) { return dnssec.ParseAnchors(r) }
