package resolve

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/miekg/dns"
)

// Kind classifies why a lookup gave no usable answer. verify and caa map
// each kind onto their own error kinds.
type Kind int

// The kinds of failure.
const (
	// NotFound: NXDOMAIN or NODATA (Error.NXDOMAIN tells which), securely
	// proven or from an unsigned (or unvalidated) zone.
	NotFound Kind = iota + 1
	// Lookup: an error rcode, a truncated answer, a reply to another
	// question, a CNAME loop or overlong chain, a malformed answer.
	Lookup
	// Timeout: no answer in time, or the caller stopped waiting.
	Timeout
	// Connection: the server refused the connection or could not be reached.
	Connection
	// BadInput: the question itself is unusable.
	BadInput
	// Bogus: DNSSEC validation failed (Error.Reason names the broken link).
	Bogus
	// Indeterminate: the DNSSEC chain could not be fetched.
	Indeterminate
)

var kindNames = [...]string{"", "not found", "lookup failed", "timeout", "connection failed", "bad input", "DNSSEC bogus", "DNSSEC indeterminate"}

// String names the kind.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ClassifyNetErr maps a transport error to a Kind: Timeout for timeouts
// and cancellation (the caller stopped waiting), Connection for refused,
// reset or unreachable, Lookup for anything else (an unreadable reply).
func ClassifyNetErr(ctx context.Context, err error) Kind {
	switch {
	case IsTimeout(err), ctx.Err() != nil, errors.Is(err, context.Canceled):
		return Timeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return Connection
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return Connection
	}
	return Lookup
}

// IsTimeout reports whether err is a deadline or a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// ErrQuestionMismatch: a reply that is not for the question asked.
var ErrQuestionMismatch = errors.New("reply does not answer the question asked")

// SameQuestion reports whether r answers q: one question of the same
// name (any case), type and class. Error responses (FORMERR, NOTIMP…)
// may come without a question section.
func SameQuestion(q, r *dns.Msg) bool {
	if len(r.Question) == 0 {
		return r.Rcode != dns.RcodeSuccess
	}
	if len(r.Question) != 1 || len(q.Question) != 1 {
		return false
	}
	a, b := q.Question[0], r.Question[0]
	return a.Qtype == b.Qtype && a.Qclass == b.Qclass && strings.EqualFold(a.Name, b.Name)
}

// RcodeString names an rcode ("SERVFAIL"), or "RCODE<n>" for an unknown one.
func RcodeString(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(rc)
}

// Mode says whether answers are validated by DNSSEC. The zero value
// validates; verify.DNSSECMode and caa.DNSSECMode are this type.
type Mode int

// The modes.
const (
	// Validate: every response is validated back to the trust anchors;
	// bogus and indeterminate answers are never used (BR ballot SC-085v2).
	Validate Mode = iota
	// Off: no validation; the resolver's AD bit is recorded. The Baseline
	// Requirements do not allow a CA to switch validation off.
	Off
)

var modeNames = [...]string{Validate: "validate", Off: "off"}

// String returns "validate" or "off".
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// MarshalText writes the mode's name; an unknown mode is an error.
func (m Mode) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(modeNames) {
		return nil, errors.New("dnssec mode " + strconv.Itoa(int(m)) + " is unknown")
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText reads "validate" or "off" ("" is validate).
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "validate":
		*m = Validate
	case "off":
		*m = Off
	default:
		return errors.New(`unknown dnssec mode "` + string(b) + `": want validate or off`)
	}
	return nil
}
