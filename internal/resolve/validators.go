package resolve

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
)

// ValidatorFor returns the validator one check uses: nil when mode is
// Off; the one ex keeps for anchors when ex is a ValidatorSource and now
// is nil (the wall clock), so its DS/DNSKEY cache outlives the check;
// else a fresh one on the caller's clock. nil anchors are the IANA root's.
func ValidatorFor(mode Mode, anchors []dns.RR, now func() time.Time, ex Exchanger) *dnssec.Validator {
	if mode == Off {
		return nil
	}
	if vs, ok := ex.(ValidatorSource); ok && now == nil {
		return vs.DNSSECValidator(anchors)
	}
	return &dnssec.Validator{Anchors: anchors, Now: now}
}

// maxValidators bounds the anchor sets a Validators keeps.
const maxValidators = 8

// Validators keeps one validator per set of trust anchors, for a client
// that implements ValidatorSource. The zero value is ready; it must not
// be copied after first use.
type Validators struct {
	mu   sync.Mutex
	keys []string
	vals []*dnssec.Validator
}

// Get returns the validator for anchors (nil: the IANA root anchors),
// creating it on first use. Beyond a few anchor sets the oldest is
// dropped (its cache with it).
func (p *Validators) Get(anchors []dns.RR) *dnssec.Validator {
	k := anchorKey(anchors)
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := slices.Index(p.keys, k); i >= 0 {
		return p.vals[i]
	}
	v := &dnssec.Validator{Anchors: anchors}
	if len(p.keys) >= maxValidators {
		p.keys, p.vals = p.keys[1:], p.vals[1:]
	}
	p.keys, p.vals = append(p.keys, k), append(p.vals, v)
	return v
}

func anchorKey(anchors []dns.RR) string {
	s := make([]string, len(anchors))
	for i, rr := range anchors {
		s[i] = rr.String()
	}
	slices.Sort(s)
	return strings.Join(s, "\n")
}
