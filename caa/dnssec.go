package caa

import (
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/resolve"
)

// DNSSECMode says whether CAA answers are validated by DNSSEC: the zero
// value, DNSSECValidate, validates (BR ballot SC-085v2); DNSSECOff is not
// allowed for a CA. verify.DNSSECMode is the same type.
type DNSSECMode = resolve.Mode

// The modes.
const (
	DNSSECValidate = resolve.Validate
	DNSSECOff      = resolve.Off
)

// DNSSECVerdict is the DNSSEC outcome of an answer: "" (not validated),
// "secure", "insecure", "bogus" or "indeterminate". verify.DNSSECVerdict
// is the same type.
type DNSSECVerdict = dnssec.Verdict

// The verdicts.
const (
	DNSSECUnvalidated   = dnssec.Unvalidated
	DNSSECSecure        = dnssec.Secure
	DNSSECInsecure      = dnssec.Insecure
	DNSSECBogus         = dnssec.Bogus
	DNSSECIndeterminate = dnssec.Indeterminate
)
