package perspective

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify"
)

// Kind says which determination a check repeats.
type Kind string

// The two determinations BR 3.2.2.9 requires to be corroborated.
const (
	KindDCV Kind = "dcv" // domain control validation: verified or not
	KindCAA Kind = "caa" // CAA: issuance permitted or forbidden
)

// Limits on a check, so a request stays small and cheap to validate.
const (
	MaxURLs        = 16
	MaxURLLength   = 2048
	MaxValueLength = 4096                  // TXT value or CNAME target
	MaxContent     = verify.DefaultMaxBody // expected file content
	MaxIssuers     = 32
	maxShortField  = 2048 // issuer, account URI, method
)

// Check is one determination to repeat: a DCV check, given as a challenge
// or in one of the explicit forms, or a CAA check. Exactly one of
// Challenge, TXT, CNAME and Files is set for KindDCV; CAA for KindCAA. It is
// also the wire form of a remote request (see the package documentation).
type Check struct {
	Kind      Kind
	Challenge *challenge.Challenge // any method with a network check (not email)
	TXT       *TXTCheck
	CNAME     *CNAMECheck
	Files     *FilesCheck
	CAA       *caa.Request

	// FilePolicy, if set, replaces each perspective's own redirect and
	// scheme policy for file checks (Files, and file-method challenges),
	// so every perspective applies the same rules. SchemeDefault keeps the
	// method's rule.
	FilePolicy *verify.FilePolicy
}

// TXTCheck asks for a TXT record at Name with Value (verify.VerifyTXT).
type TXTCheck struct {
	Name, Value string
}

// CNAMECheck asks for a CNAME at Name pointing at Target (verify.VerifyCNAME).
type CNAMECheck struct {
	Name, Target string
}

// FilesCheck asks for Content at every URL (verify.VerifyFiles).
type FilesCheck struct {
	URLs    []string
	Content string
}

func badCheck(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadCheck, fmt.Sprintf(format, a...))
}

// Validate checks that c is complete, consistent and within the limits, so
// no perspective acts on a malformed check. Errors wrap ErrBadCheck.
func (c *Check) Validate() error {
	if c == nil {
		return badCheck("nil check")
	}
	forms := 0
	for _, set := range []bool{c.Challenge != nil, c.TXT != nil, c.CNAME != nil, c.Files != nil} {
		if set {
			forms++
		}
	}
	switch c.Kind {
	case KindDCV:
		if c.CAA != nil {
			return badCheck("a dcv check carries no caa request")
		}
		if forms != 1 {
			return badCheck("a dcv check needs exactly one of challenge, txt, cname, files; has %d", forms)
		}
		return c.validateDCV()
	case KindCAA:
		if forms != 0 || c.FilePolicy != nil {
			return badCheck("a caa check carries only the caa request")
		}
		return validateCAA(c.CAA)
	}
	return badCheck("unknown kind %q (want %q or %q)", c.Kind, KindDCV, KindCAA)
}

func (c *Check) validateDCV() error {
	if p := c.FilePolicy; p != nil && schemeName(p.Schemes) == "" {
		return badCheck("unknown scheme policy %d", p.Schemes)
	}
	switch {
	case c.Challenge != nil:
		if err := c.Challenge.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadCheck, err)
		}
		if c.Challenge.Method == challenge.Email {
			return badCheck("email challenges have no network check to corroborate")
		}
	case c.TXT != nil:
		return validateRecord("txt", c.TXT.Name, c.TXT.Value)
	case c.CNAME != nil:
		return validateRecord("cname", c.CNAME.Name, c.CNAME.Target)
	case c.Files != nil:
		f := c.Files
		if len(f.URLs) == 0 || len(f.URLs) > MaxURLs {
			return badCheck("files: want 1 to %d URLs, have %d", MaxURLs, len(f.URLs))
		}
		for _, raw := range f.URLs {
			if err := validateURL(raw); err != nil {
				return err
			}
		}
		if f.Content == "" || len(f.Content) > MaxContent {
			return badCheck("files: content must be 1 to %d bytes, is %d", MaxContent, len(f.Content))
		}
	}
	return nil
}

func validateRecord(form, name, value string) error {
	if _, err := dnsname.Owner(name); err != nil {
		return fmt.Errorf("%w: %s name: %w", ErrBadCheck, form, err)
	}
	if value == "" || len(value) > MaxValueLength {
		return badCheck("%s: value must be 1 to %d bytes, is %d", form, MaxValueLength, len(value))
	}
	return nil
}

func validateURL(raw string) error {
	if len(raw) > MaxURLLength {
		return badCheck("files: URL longer than %d bytes", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: files: %w", ErrBadCheck, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return badCheck("files: %q is not an http or https URL with a host", raw)
	}
	return nil
}

func validateCAA(r *caa.Request) error {
	if r == nil {
		return badCheck("a caa check needs the caa request")
	}
	if _, err := dnsname.Domain(r.Domain); err != nil {
		return fmt.Errorf("%w: caa domain: %w", ErrBadCheck, err)
	}
	if len(r.Issuers) == 0 || len(r.Issuers) > MaxIssuers {
		return badCheck("caa: want 1 to %d issuers, have %d", MaxIssuers, len(r.Issuers))
	}
	for _, s := range r.Issuers {
		if strings.TrimSpace(s) == "" || len(s) > maxShortField {
			return badCheck("caa: empty or overlong issuer")
		}
	}
	if len(r.AccountURI) > maxShortField || len(r.Method) > maxShortField {
		return badCheck("caa: overlong account URI or method")
	}
	return nil
}

// Scheme policy names on the wire.
func schemeName(p verify.SchemePolicy) string {
	switch p {
	case verify.SchemeDefault:
		return "default"
	case verify.EitherScheme:
		return "either"
	case verify.HTTPSIfServed:
		return "https-if-served"
	case verify.AllURLs:
		return "all"
	}
	return ""
}

func schemeOf(name string) (verify.SchemePolicy, bool) {
	for _, p := range []verify.SchemePolicy{verify.SchemeDefault, verify.EitherScheme, verify.HTTPSIfServed, verify.AllURLs} {
		if schemeName(p) == name {
			return p, true
		}
	}
	return 0, false
}

// The JSON form of a Check: snake_case keys, the challenge in its own JSON
// form (challenge.Decode), the scheme policy by name.
type wireCheck struct {
	Kind       Kind            `json:"kind"`
	Challenge  json.RawMessage `json:"challenge,omitempty"`
	TXT        *wireTXT        `json:"txt,omitempty"`
	CNAME      *wireCNAME      `json:"cname,omitempty"`
	Files      *wireFiles      `json:"files,omitempty"`
	CAA        *wireCAA        `json:"caa,omitempty"`
	FilePolicy *wirePolicy     `json:"file_policy,omitempty"`
}

type wireTXT struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type wireCNAME struct {
	Name   string `json:"name"`
	Target string `json:"target"`
}

type wireFiles struct {
	URLs    []string `json:"urls"`
	Content string   `json:"content"`
}

type wireCAA struct {
	Domain     string   `json:"domain"`
	Issuers    []string `json:"issuers"`
	Wildcard   bool     `json:"wildcard,omitempty"`
	AccountURI string   `json:"account_uri,omitempty"`
	Method     string   `json:"method,omitempty"`
}

type wirePolicy struct {
	Schemes         string `json:"schemes"`
	FollowRedirects bool   `json:"follow_redirects"`
}

// MarshalJSON writes the wire form of c.
func (c Check) MarshalJSON() ([]byte, error) {
	w := wireCheck{Kind: c.Kind}
	if c.Challenge != nil {
		b, err := json.Marshal(c.Challenge)
		if err != nil {
			return nil, err
		}
		w.Challenge = b
	}
	if c.TXT != nil {
		w.TXT = &wireTXT{Name: c.TXT.Name, Value: c.TXT.Value}
	}
	if c.CNAME != nil {
		w.CNAME = &wireCNAME{Name: c.CNAME.Name, Target: c.CNAME.Target}
	}
	if c.Files != nil {
		w.Files = &wireFiles{URLs: c.Files.URLs, Content: c.Files.Content}
	}
	if r := c.CAA; r != nil {
		w.CAA = &wireCAA{Domain: r.Domain, Issuers: r.Issuers, Wildcard: r.Wildcard, AccountURI: r.AccountURI, Method: r.Method}
	}
	if p := c.FilePolicy; p != nil {
		name := schemeName(p.Schemes)
		if name == "" {
			return nil, badCheck("unknown scheme policy %d", p.Schemes)
		}
		w.FilePolicy = &wirePolicy{Schemes: name, FollowRedirects: p.FollowRedirects}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the wire form strictly (unknown fields are refused)
// and validates the result. Errors wrap ErrBadCheck.
func (c *Check) UnmarshalJSON(data []byte) error {
	var w wireCheck
	if err := decodeStrict(data, &w); err != nil {
		return fmt.Errorf("%w: %w", ErrBadCheck, err)
	}
	out := Check{Kind: w.Kind}
	if len(w.Challenge) > 0 && !bytes.Equal(bytes.TrimSpace(w.Challenge), []byte("null")) {
		ch, err := challenge.Decode(w.Challenge)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadCheck, err)
		}
		out.Challenge = ch
	}
	if w.TXT != nil {
		out.TXT = &TXTCheck{Name: w.TXT.Name, Value: w.TXT.Value}
	}
	if w.CNAME != nil {
		out.CNAME = &CNAMECheck{Name: w.CNAME.Name, Target: w.CNAME.Target}
	}
	if w.Files != nil {
		out.Files = &FilesCheck{URLs: w.Files.URLs, Content: w.Files.Content}
	}
	if r := w.CAA; r != nil {
		out.CAA = &caa.Request{Domain: r.Domain, Issuers: r.Issuers, Wildcard: r.Wildcard, AccountURI: r.AccountURI, Method: r.Method}
	}
	if p := w.FilePolicy; p != nil {
		s, ok := schemeOf(p.Schemes)
		if !ok {
			return badCheck("unknown scheme policy %q", p.Schemes)
		}
		out.FilePolicy = &verify.FilePolicy{Schemes: s, FollowRedirects: p.FollowRedirects}
	}
	if err := out.Validate(); err != nil {
		return err
	}
	*c = out
	return nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}
