package perspective

import (
	"context"
	"fmt"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
)

// Local runs checks in-process, through its own resolver and HTTP client
// (those of Verifier and CAA). As the primary perspective it is the CA's
// own view; behind a Handler in another region it is a remote perspective.
// A nil Verifier or CAA means that kind of check is not served here
// (ErrUnsupported): a perspective never falls back to the system resolver.
type Local struct {
	Label, Region string           // how results name this perspective, and its region
	Verifier      *verify.Verifier // runs dcv checks; nil refuses them
	CAA           *caa.Checker     // runs caa checks; nil refuses them
}

// Info returns the label ("local" if empty) and region.
func (l *Local) Info() Info {
	label := l.Label
	if label == "" {
		label = "local"
	}
	return Info{Label: label, Region: l.Region}
}

// Run validates c and runs it. The error is non-nil only for a bad check
// or an unsupported kind; a failed determination is in the Result.
func (l *Local) Run(ctx context.Context, c Check) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	info := l.Info()
	res := &Result{Label: info.Label, Region: info.Region, Determination: c.Determination}
	start := time.Now()
	switch c.Determination {
	case DCV:
		if l.Verifier == nil {
			return nil, fmt.Errorf("%w: %s has no verifier for dcv checks", ErrUnsupported, info.Label)
		}
		r, err := l.runDCV(ctx, c)
		dcvResult(res, r, err)
	case CAA:
		if l.CAA == nil {
			return nil, fmt.Errorf("%w: %s has no CAA checker", ErrUnsupported, info.Label)
		}
		checker := l.CAA
		if c.DNSSEC != nil {
			cc := *checker // a copy, so the shared checker is not changed
			cc.DNSSEC = *c.DNSSEC
			checker = &cc
		}
		d, err := checker.Check(ctx, *c.CAA)
		caaResult(res, d, err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (l *Local) runDCV(ctx context.Context, c Check) (*verify.Result, error) {
	v := l.Verifier
	if c.FilePolicy != nil || c.DNSSEC != nil {
		vv := *v // a copy, so the shared verifier is not changed
		if c.FilePolicy != nil {
			vv.Files = *c.FilePolicy
		}
		if c.DNSSEC != nil {
			vv.DNSSEC = *c.DNSSEC
		}
		v = &vv
	}
	switch {
	case c.Challenge != nil:
		return v.Verify(ctx, c.Challenge)
	case c.TXT != nil:
		return v.VerifyTXT(ctx, c.TXT.Name, c.TXT.Value)
	case c.CNAME != nil:
		return v.VerifyCNAME(ctx, c.CNAME.Name, c.CNAME.Target)
	case c.TLSALPN != nil:
		return v.VerifyTLSALPN01(ctx, c.TLSALPN.Domain, c.TLSALPN.KeyAuthorization)
	case c.Persist != nil:
		p := c.Persist
		return v.VerifyPersist(ctx, p.Domain, verify.PersistPolicy{Issuers: p.Issuers, AccountURIs: p.AccountURIs, At: p.At})
	default:
		return v.VerifyFiles(ctx, c.Files.URLs, c.Files.Content)
	}
}
