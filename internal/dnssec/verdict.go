package dnssec

import "fmt"

// Verdict is the outcome of validating one answer (RFC 4033 §5, RFC 4035
// §4.3). The zero value, Unvalidated, means no validation took place.
type Verdict int

// The verdicts, from "not validated" to "the chain could not be fetched".
const (
	// Unvalidated: validation was not performed (switched off).
	Unvalidated Verdict = iota
	// Secure: every RRset that decided was authenticated back to a trust anchor.
	Secure
	// Insecure: the answer lies in a zone proven unsigned (a validated
	// proof that no DS exists at a delegation, or a DS set whose
	// algorithms or digest types are all unsupported).
	Insecure
	// Bogus: the chain says the data should be signed, and it does not
	// validate. Never permission.
	Bogus
	// Indeterminate: the chain could not be fetched (timeout, server
	// failure), so no verdict is possible. Never permission.
	Indeterminate
)

var verdictNames = [...]string{"", "secure", "insecure", "bogus", "indeterminate"}

// String returns "secure", "insecure", "bogus", "indeterminate", or "" for
// Unvalidated.
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("Verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("dnssec: invalid verdict %d", int(v))
	}
	return []byte(verdictNames[v]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts String's
// names ("" is Unvalidated).
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("dnssec: unknown verdict %q", b)
}

// OK reports whether an answer with this verdict may be used: Secure or
// Insecure.
func (v Verdict) OK() bool { return v == Secure || v == Insecure }

// strength orders verdicts: higher is stronger.
func (v Verdict) strength() int {
	switch v {
	case Secure:
		return 4
	case Insecure:
		return 3
	case Indeterminate:
		return 2
	case Bogus:
		return 1
	}
	return 0 // Unvalidated and unknown values
}

// Weakest returns the weakest of vs in the order Secure > Insecure >
// Indeterminate > Bogus. Unvalidated entries are ignored unless every
// entry is Unvalidated (or vs is empty), then the result is Unvalidated.
func Weakest(vs ...Verdict) Verdict {
	out := Unvalidated
	for _, v := range vs {
		if v.strength() == 0 {
			if v != Unvalidated {
				return Bogus // an unknown value is never better than bogus
			}
			continue
		}
		if out == Unvalidated || v.strength() < out.strength() {
			out = v
		}
	}
	return out
}
