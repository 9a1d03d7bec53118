package verify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kinds of failure, one per cause in the Alibaba Cloud and SSL.com DCV
// pages. Each *Error wraps exactly one of them: test with
// errors.Is(err, verify.ErrNotFound). OutcomeOf tells whether a kind means
// NotVerified or Undecided.
var (
	// Not verified: the check ran and the answer was no.
	ErrNotFound         = errors.New("record not found")                      // NXDOMAIN / NODATA
	ErrMismatch         = errors.New("record value does not match")           // values seen are in Error.Seen
	ErrNotPropagated    = errors.New("not yet on every authoritative server") // authoritative servers disagree
	ErrHTTPStatus       = errors.New("file not served")                       // non-2xx status, e.g. 404
	ErrRedirect         = errors.New("redirect not allowed")                  // 3xx refused by policy
	ErrContentMismatch  = errors.New("file content does not match")
	ErrExpired          = errors.New("challenge expired")
	ErrCodeMismatch     = errors.New("email code does not match")
	ErrALPNProtocol     = errors.New("acme-tls/1 not negotiated")                // tls-alpn-01: the server chose no or another protocol
	ErrALPNCertificate  = errors.New("challenge certificate breaks a rule")      // tls-alpn-01: the rule is the cause (ErrCert*)
	ErrPersistDenied    = errors.New("no dns-persist-01 record authorizes this") // reasons per record in Error.Seen
	ErrPersistMalformed = errors.New("dns-persist-01 record malformed")          // a record naming the CA breaks the grammar

	// Could not decide: the check did not get a trustworthy answer.
	ErrLookup         = errors.New("DNS lookup failed") // SERVFAIL, REFUSED, FORMERR, truncated, CNAME loop
	ErrTimeout        = errors.New("timed out")         // DNS or HTTP
	ErrConnection     = errors.New("connection failed") // refused, unreachable, reset
	ErrTLS            = errors.New("TLS handshake failed")
	ErrBodyTooLarge   = errors.New("response body over the limit")
	ErrAddressRefused = errors.New("address refused by the address guard")
	ErrPortNotAllowed = errors.New("port not allowed (only 80 and 443)")
	ErrBadInput       = errors.New("bad input")
	// DNSSEC: the answer failed validation (Hint names the broken link),
	// or the chain of trust could not be fetched.
	ErrDNSSECBogus         = errors.New("DNSSEC validation failed")
	ErrDNSSECIndeterminate = errors.New("DNSSEC chain could not be fetched")
)

// Outcome classifies a Verify result.
type Outcome int

const (
	Verified    Outcome = iota // the check passed
	NotVerified                // the check ran and failed: fix the record or file and retry
	Undecided                  // no trustworthy answer: never treat as verified
)

// String returns the outcome in words: "verified", "not verified" or
// "could not decide". MarshalText gives the JSON spelling.
func (o Outcome) String() string {
	switch o {
	case Verified:
		return "verified"
	case NotVerified:
		return "not verified"
	default:
		return "could not decide"
	}
}

// OutcomeOf maps an error from this package to an Outcome: nil is Verified,
// the "not verified" kinds are NotVerified, anything else (including errors
// this package does not know) is Undecided.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return Verified
	}
	// A joined error is as bad as its worst part.
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if _, typed := err.(*Error); !typed {
			worst := Verified
			for _, e := range j.Unwrap() {
				worst = max(worst, OutcomeOf(e))
			}
			return worst
		}
	}
	var e *Error
	if errors.As(err, &e) {
		if k, ok := kinds[e.Kind]; ok {
			return k.outcome
		}
	}
	return Undecided
}

// Error is what every Verify function returns on failure: the kind, what was
// checked, what was expected and seen, and a one-line hint for the
// applicant. Error() says what happened; the hint is only in Hint:
//
//	var e *verify.Error
//	if errors.As(err, &e) {
//		fmt.Println(e.Hint)
//	}
type Error struct {
	Kind     error    // one of the Err* kinds above
	Target   string   // the DNS name or URL checked
	Server   string   // DNS server or IP address asked, if any
	Expected string   // the value or content line expected, for mismatches (never an email code)
	Seen     []string // values, statuses or Locations observed
	Hint     string   // what the applicant should do; not part of Error()
	Err      error    // underlying cause, if any
}

// Error reads "verify: TARGET: KIND: CAUSE (server S)", or for a mismatch
// "verify: KIND: expected X, found Y at TARGET (server S)", on one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("verify: ")
	if e.Expected != "" && (e.Kind == ErrMismatch || e.Kind == ErrContentMismatch) {
		fmt.Fprintf(&b, "%v: expected %s, found %s", e.Kind, quoteValue(e.Expected), foundList(e.Seen))
		if e.Target != "" {
			b.WriteString(" at " + e.Target)
		}
	} else {
		if e.Target != "" {
			b.WriteString(e.Target + ": ")
		}
		fmt.Fprint(&b, e.Kind)
		switch {
		case e.Err != nil:
			// A cause wrapping the kind (checkAddr's) would say it twice.
			kind := e.Kind.Error() + ": "
			b.WriteString(": " + strings.ReplaceAll(strings.TrimPrefix(causeText(e.Err), kind), "; "+kind, "; "))
		case len(e.Seen) > 0:
			b.WriteString(": " + strings.Join(e.Seen, "; "))
		}
	}
	if e.Server != "" {
		fmt.Fprintf(&b, " (server %s)", e.Server)
	}
	return b.String()
}

// maxShown is how many runes of one value a message shows.
const maxShown = 100

// quoteValue quotes v for a message, cut to maxShown runes with "…".
func quoteValue(v string) string {
	if r := []rune(v); len(r) > maxShown {
		v = string(r[:maxShown-1]) + "…"
	}
	return strconv.Quote(v)
}

// foundList quotes up to three values seen: "a", "b" and 2 more.
func foundList(seen []string) string {
	if len(seen) == 0 {
		return "nothing"
	}
	const most = 3
	q := make([]string, 0, most)
	for _, v := range seen[:min(len(seen), most)] {
		q = append(q, quoteValue(v))
	}
	out := strings.Join(q, ", ")
	if n := len(seen) - most; n > 0 {
		out += fmt.Sprintf(" and %d more", n)
	}
	return out
}

// causeText is err's message on one line, without the "pkg: " prefix of
// a package of this module (the *Error already says "verify: ").
func causeText(err error) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	for _, p := range []string{"verify: ", "dcv: ", "challenge: ", "csrhash: ", "caa: ", "dnssec: "} {
		msg = strings.TrimPrefix(msg, p)
		for _, sep := range []string{": ", "; "} {
			msg = strings.ReplaceAll(msg, sep+p, sep)
		}
	}
	return msg
}

// Unwrap returns the kind and the cause, so errors.Is matches either.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// kindInfo is what the package knows of each kind: a stable code for
// machine-readable records, the outcome, and the applicant's hint (the
// Alibaba FAQ's remedies).
type kindInfo struct {
	code    string
	outcome Outcome
	hint    string
}

var kinds = map[error]kindInfo{
	ErrNotFound:            {"not_found", NotVerified, "add the record exactly as shown, then wait for its TTL before retrying"},
	ErrMismatch:            {"mismatch", NotVerified, "copy the host record and value again; remove stale records"},
	ErrNotPropagated:       {"not_propagated", NotVerified, "wait for every authoritative server to serve the record; check each NS"},
	ErrHTTPStatus:          {"http_status", NotVerified, "upload the file to /.well-known/pki-validation/ (or the path shown) so it is served with status 200"},
	ErrRedirect:            {"redirect", NotVerified, "serve the file directly, without any 301/302 redirect"},
	ErrContentMismatch:     {"content_mismatch", NotVerified, "serve the same file on every URL (apex and www, HTTP and HTTPS); purge CDN caches"},
	ErrExpired:             {"expired", NotVerified, "request a new challenge value"},
	ErrCodeMismatch:        {"code_mismatch", NotVerified, "enter the code from the latest email exactly"},
	ErrALPNProtocol:        {"alpn_protocol", NotVerified, "answer TLS connections that offer ALPN acme-tls/1 (SNI = the domain) on port 443 with the challenge certificate"},
	ErrALPNCertificate:     {"alpn_certificate", NotVerified, "present the self-signed challenge certificate as built: one dNSName SAN (the domain) and the critical acmeIdentifier extension holding SHA-256 of the key authorization"},
	ErrPersistDenied:       {"persist_denied", NotVerified, "publish \"<issuer>; accounturi=<uri>\" at _validation-persist.<domain>, with policy=wildcard for wildcards and subdomains, and a persistUntil in the future if any"},
	ErrPersistMalformed:    {"persist_malformed", NotVerified, "fix the record: \"<issuer>; accounturi=<uri>[; policy=wildcard][; persistUntil=<unix seconds>]\", each parameter once"},
	ErrLookup:              {"lookup", Undecided, "fix the DNS servers for the zone (SERVFAIL/REFUSED) and retry"},
	ErrTimeout:             {"timeout", Undecided, "check that the DNS or web server answers from the Internet; allow the CA's addresses"},
	ErrConnection:          {"connection", Undecided, "open port 80/443 to the Internet and allow the CA's addresses"},
	ErrTLS:                 {"tls", Undecided, "fix the HTTPS server's TLS setup, or stop listening on 443"},
	ErrBodyTooLarge:        {"body_too_large", Undecided, "serve only the validation content in the file"},
	ErrAddressRefused:      {"address_refused", Undecided, "point the name at a public address"},
	ErrPortNotAllowed:      {"port_not_allowed", Undecided, "use port 80 (http) or 443 (https)"},
	ErrBadInput:            {"bad_input", Undecided, "check the name, URL or value given"},
	ErrDNSSECBogus:         {"dnssec_bogus", Undecided, "the zone's DNSSEC is broken; every CA will refuse it: fix the signatures or the DS at the parent"},
	ErrDNSSECIndeterminate: {"dnssec_indeterminate", Undecided, "the DNSSEC chain could not be fetched: use a DNSSEC-aware resolver and retry"},
}

// KindCode returns the stable code of err's kind ("not_found",
// "timeout", …), as Result.Kind records it; "" if err is no *Error.
func KindCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return kinds[e.Kind].code
	}
	return ""
}

// KindByCode returns the kind a code stands for, or nil: it turns a
// recorded or remote Result.Kind back into something errors.Is and
// Terminal understand.
func KindByCode(code string) error {
	for k, info := range kinds {
		if info.code == code {
			return k
		}
	}
	return nil
}

// newError builds an *Error with the kind's default hint.
func newError(kind error, target string, cause error) *Error {
	return &Error{Kind: kind, Target: target, Hint: kinds[kind].hint, Err: cause}
}
