package perspective

import (
	"context"
	"fmt"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
)

// Perspective is a network vantage point that can run a check: in-process
// (Local) or in another region over HTTP (Remote). Run returns an error only
// when no determination was made (bad check, perspective unreachable,
// refused); a determination that fails is a Result with Verdict Fail or
// Undecided. Implementations must honour ctx.
type Perspective interface {
	// Info names the perspective.
	Info() Info
	// Run performs c from this perspective.
	Run(ctx context.Context, c Check) (*Result, error)
}

// Info names a perspective. Region is where it sits, as the quorum policy
// counts regions: for BR 3.2.2.9, the RIR whose service region it is in
// ("ARIN", "RIPE", "APNIC", "LACNIC", "AFRINIC"). Endpoint, if set, is
// where the perspective is reached, in one spelling (host:port for a
// Remote): the Corroborator refuses two perspectives with one endpoint,
// which would be one vantage point counted twice. An implementation of
// Perspective that calls out to a server should set it.
type Info struct {
	Label    string `json:"label"`              // names the perspective in results
	Region   string `json:"region,omitempty"`   // its RIR region
	Endpoint string `json:"endpoint,omitempty"` // where a remote is reached
}

// String is the label, with the region in parentheses if known.
func (i Info) String() string {
	if i.Region == "" {
		return i.Label
	}
	return i.Label + " (" + i.Region + ")"
}

// Verdict is a perspective's determination. The zero value is Undecided,
// so a missing or unreadable verdict never passes.
type Verdict int

const (
	Undecided Verdict = iota // error, timeout, unreachable: never agreement
	Pass                     // DCV verified / CAA permits issuance
	Fail                     // DCV not verified / CAA forbids issuance
)

var verdictNames = [...]string{Undecided: "undecided", Pass: "pass", Fail: "fail"}

// String returns the verdict in words.
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// MarshalText writes "pass", "fail" or "undecided".
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("perspective: unknown verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if string(b) == n {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("perspective: unknown verdict %q", b)
}

// Result is one perspective's determination with its evidence: the
// verify.Result of a DCV check or the caa.Decision of a CAA check.
type Result struct {
	Label         string        `json:"label"`            // the perspective's label
	Region        string        `json:"region,omitempty"` // its region
	Determination Determination `json:"determination"`    // dcv or caa
	Verdict       Verdict       `json:"verdict"`          // the perspective's verdict
	Error         string        `json:"error,omitempty"`  // why it did not pass

	DCV *verify.Result `json:"dcv,omitempty"` // a dcv check's result
	CAA *caa.Decision  `json:"caa,omitempty"` // a caa check's decision

	// ServedBy is the label and region a remote handler reported for
	// itself; Label and Region are what the caller configured.
	ServedBy string        `json:"served_by,omitempty"`
	Duration time.Duration `json:"duration_ns"` // how long the check took
}

// Passed reports whether the result is a pass backed by its evidence: a
// DCV result whose outcome is verified, or a CAA decision that permits.
// A Pass verdict without that evidence does not count.
func (r *Result) Passed() bool {
	if r == nil || r.Verdict != Pass {
		return false
	}
	switch r.Determination {
	case DCV:
		return r.DCV != nil && r.DCV.Outcome == verify.Verified
	case CAA:
		return r.CAA != nil && r.CAA.Permitted
	}
	return false
}

// Outcome says the determination in its own words: "verified",
// "not verified", "permitted", "forbidden" or "could not decide".
func (r *Result) Outcome() string {
	if r == nil {
		return "could not decide"
	}
	switch {
	case r.Verdict == Pass && r.Determination == CAA:
		return "permitted"
	case r.Verdict == Pass:
		return "verified"
	case r.Verdict == Fail && r.Determination == CAA:
		return "forbidden"
	case r.Verdict == Fail:
		return "not verified"
	}
	return "could not decide"
}

// dcvResult turns what the verifier returned into a Result.
func dcvResult(res *Result, r *verify.Result, err error) {
	res.DCV = r
	switch {
	case r == nil:
		res.Verdict = Undecided
	case err == nil && r.Outcome == verify.Verified:
		res.Verdict = Pass
	case r.Outcome == verify.NotVerified:
		res.Verdict = Fail
	default:
		res.Verdict = Undecided
	}
	if err != nil {
		res.Error = err.Error()
	} else if res.Verdict != Pass {
		res.Error = "not verified"
	}
}

// caaResult turns what the CAA checker returned into a Result.
func caaResult(res *Result, d *caa.Decision, err error) {
	res.CAA = d
	switch {
	case err != nil || d == nil:
		res.Verdict = Undecided
		res.Error = "no CAA decision"
		if err != nil {
			res.Error = err.Error()
		}
	case d.Permitted:
		res.Verdict = Pass
	default:
		res.Verdict = Fail
		res.Error = "forbidden by CAA: " + d.Rule
	}
}
