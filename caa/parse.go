package caa

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Property tags this package knows. Tags compare case-insensitively.
const (
	TagIssue        = "issue"
	TagIssueWild    = "issuewild"
	TagIodef        = "iodef"
	TagIssueMail    = "issuemail"    // RFC 9495: S/MIME only, never restricts TLS
	TagIssueVMC     = "issuevmc"     // RFC 9495 companion: mark certificates (VMC/CMC) only, never restricts TLS
	TagContactEmail = "contactemail" // BR appendix A: contact only
	TagContactPhone = "contactphone" // BR appendix A: contact only
)

// FlagCritical is the issuer-critical bit of the CAA flags octet.
const FlagCritical = 0x80

// Parameter names from RFC 8657.
const (
	ParamAccountURI        = "accounturi"
	ParamValidationMethods = "validationmethods"
)

// ErrMalformed is wrapped by every ParseIssueValue error. A record whose
// value is malformed authorizes no one; other records may still do.
var ErrMalformed = errors.New("malformed CAA issue value")

// Param is one key=value parameter of an issue or issuewild value. Key is
// lower-cased.
type Param struct {
	Key   string `json:"key"`   // lower case
	Value string `json:"value"` // as written
}

// IssueValue is a parsed issue / issuewild value (RFC 8659 section 4.2).
// An empty Issuer (the value ";") authorizes no CA.
type IssueValue struct {
	Issuer string  `json:"issuer"`           // lower case, no trailing dot
	Params []Param `json:"params,omitempty"` // the parameters after ";", in order
}

// Param returns the value of parameter key (case-insensitive).
func (v IssueValue) Param(key string) (string, bool) {
	key = strings.ToLower(key)
	for _, p := range v.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// ParseIssueValue parses the value of an issue or issuewild property:
//
//	*WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]
//
// with parameters "key=value" separated by ";". "ssl.com;" and ";" are
// valid. An accounturi or validationmethods parameter given twice is
// refused: its value would be ambiguous, and ambiguity must not widen
// permission. Other (unknown) parameters may repeat: they bind nothing, so
// they are kept as given and never invalidate the record.
func ParseIssueValue(v string) (IssueValue, error) {
	var out IssueValue
	issuer, rest, hasParams := strings.Cut(v, ";")
	issuer = trimWSP(issuer)
	if issuer != "" {
		if !isDomain(issuer) {
			return IssueValue{}, malformed(v, "issuer %q is not a domain name", issuer)
		}
		out.Issuer = strings.ToLower(issuer)
	}
	if !hasParams {
		return out, nil
	}
	rest = trimWSP(rest)
	if rest == "" {
		return out, nil
	}
	for _, part := range strings.Split(rest, ";") {
		key, val, ok := strings.Cut(trimWSP(part), "=")
		if !ok {
			return IssueValue{}, malformed(v, "parameter %q has no '='", trimWSP(part))
		}
		key, val = trimWSP(key), trimWSP(val)
		if !isLabel(key) {
			return IssueValue{}, malformed(v, "parameter key %q is invalid", key)
		}
		for i := 0; i < len(val); i++ {
			// value = *(%x21-3A / %x3C-7E): visible ASCII except ';'.
			if c := val[i]; c < 0x21 || c > 0x7e {
				return IssueValue{}, malformed(v, "parameter %s has a bad character %q", key, c)
			}
		}
		key = strings.ToLower(key)
		if _, dup := out.Param(key); dup && (key == ParamAccountURI || key == ParamValidationMethods) {
			return IssueValue{}, malformed(v, "parameter %s given twice", key)
		}
		out.Params = append(out.Params, Param{Key: key, Value: val})
	}
	return out, nil
}

func malformed(v, format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrMalformed, v, fmt.Sprintf(format, args...))
}

func trimWSP(s string) string { return strings.Trim(s, " \t") }

// isDomain reports whether s is label *("." label).
func isDomain(s string) bool {
	for {
		l, rest, more := strings.Cut(s, ".")
		if !isLabel(l) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// isLabel reports whether s is (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT)):
// letters, digits and inner hyphens.
func isLabel(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// acmeMethods are the ACME validation method names a validationmethods
// label may carry (RFC 8657 section 4): the IANA registry's and those of
// the dns-account-01 and dns-persist-01 drafts.
var acmeMethods = []string{"http-01", "dns-01", "tls-alpn-01", "dns-account-01", "dns-persist-01"}

// ValidMethod reports whether m is a label Request.Method may hold: an
// ACME method name ("dns-01", "http-01", "tls-alpn-01", ...) or a
// CA-specific "ca-..." label of letters, digits and inner hyphens (RFC 8657
// section 4). Check compares Method with the record's labels as given; a
// caller taking it from a user vets it here first.
func ValidMethod(m string) bool {
	if !isLabel(m) || len(m) > 63 {
		return false
	}
	return slices.Contains(acmeMethods, m) || strings.HasPrefix(m, "ca-") && len(m) > len("ca-")
}
