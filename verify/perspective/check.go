package perspective

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/verify"
)

// Determination says which determination a check repeats. (Its JSON name
// is "determination", apart from the "code" of a verify.Result and the
// "protocol" of its evidence.)
type Determination string

// The two determinations BR 3.2.2.9 requires to be corroborated.
const (
	DCV Determination = "dcv" // domain control validation: verified or not
	CAA Determination = "caa" // CAA: issuance permitted or forbidden
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
// Challenge, TXT, CNAME and Files (the DCV forms) is set for DCV; CAA for
// CAA. It is also the wire form of a remote request (see the package
// documentation, which says how to add a form or a setting).
type Check struct {
	Determination Determination `json:"determination"` // what is being determined: dcv or caa

	Challenge *challenge.Challenge `json:"challenge,omitempty"` // any method with a network check (not email)
	TXT       *TXTCheck            `json:"txt,omitempty"`       // a TXT record check
	CNAME     *CNAMECheck          `json:"cname,omitempty"`     // a CNAME record check
	Files     *FilesCheck          `json:"files,omitempty"`     // a file check
	TLSALPN   *TLSALPNCheck        `json:"tls_alpn,omitempty"`  // compatible extension of version 2
	Persist   *PersistCheck        `json:"persist,omitempty"`   // compatible extension of version 2
	CAA       *caa.Request         `json:"caa,omitempty"`       // the CAA request of a caa check

	// FilePolicy, if set, replaces each perspective's own redirect and
	// scheme policy for file checks (Files, and file-method challenges),
	// so every perspective applies the same rules. SchemeDefault keeps the
	// method's rule.
	FilePolicy *verify.FilePolicy `json:"file_policy,omitempty"`

	// DNSSEC, if set, replaces each perspective's own DNSSEC setting for
	// the DNS lookups of this check ("validate" or "off"), so remotes
	// validate as the primary does; their verdicts appear in the results.
	// A compatible extension of version 2: nil means each perspective's
	// own setting, as before.
	DNSSEC *verify.DNSSECMode `json:"dnssec,omitempty"`
}

// TXTCheck asks for a TXT record at Name with Value (verify.VerifyTXT).
type TXTCheck struct {
	Name  string `json:"name"`  // the owner name
	Value string `json:"value"` // the value expected
}

// CNAMECheck asks for a CNAME at Name pointing at Target (verify.VerifyCNAME).
type CNAMECheck struct {
	Name   string `json:"name"`   // the owner name
	Target string `json:"target"` // the target expected
}

// TLSALPNCheck asks for a tls-alpn-01 certificate for Domain carrying
// KeyAuthorization's digest (verify.VerifyTLSALPN01).
type TLSALPNCheck struct {
	Domain           string `json:"domain"`            // the name validated
	KeyAuthorization string `json:"key_authorization"` // the ACME key authorization
}

// PersistCheck asks whether a dns-persist-01 record authorizes Domain for
// one of Issuers and AccountURIs (verify.VerifyPersist), at At if set
// (each perspective's clock otherwise).
type PersistCheck struct {
	Domain      string    `json:"domain"`       // the name validated
	Issuers     []string  `json:"issuers"`      // the CA's issuer domain names
	AccountURIs []string  `json:"account_uris"` // the account URIs that may have published
	At          time.Time `json:"at,omitzero"`  // the time the record must be usable at; zero means now
}

// FilesCheck asks for Content at every URL (verify.VerifyFiles).
type FilesCheck struct {
	URLs    []string `json:"urls"`    // every URL to fetch
	Content string   `json:"content"` // the content expected
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
	if c.DNSSEC != nil && *c.DNSSEC != verify.DNSSECValidate && *c.DNSSEC != verify.DNSSECOff {
		return badCheck("unknown dnssec mode %d", int(*c.DNSSEC))
	}
	forms := c.dcvForms()
	switch c.Determination {
	case DCV:
		if c.CAA != nil {
			return badCheck("a dcv check carries no caa request")
		}
		if forms != 1 {
			return badCheck("a dcv check needs exactly one of challenge, txt, cname, files, tls_alpn, persist; has %d", forms)
		}
		return c.validateDCV()
	case CAA:
		if forms != 0 || c.FilePolicy != nil {
			return badCheck("a caa check carries only the caa request")
		}
		return validateCAA(c.CAA)
	}
	return badCheck("unknown determination %q (want %q or %q)", c.Determination, DCV, CAA)
}

// dcvForms counts the DCV forms that are set.
func (c *Check) dcvForms() int {
	n := 0
	for _, set := range []bool{c.Challenge != nil, c.TXT != nil, c.CNAME != nil, c.Files != nil, c.TLSALPN != nil, c.Persist != nil} {
		if set {
			n++
		}
	}
	return n
}

func (c *Check) validateDCV() error {
	if p := c.FilePolicy; p != nil {
		if _, err := p.Schemes.MarshalText(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadCheck, err)
		}
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
	case c.TLSALPN != nil:
		if _, err := dnsname.Domain(c.TLSALPN.Domain); err != nil {
			return fmt.Errorf("%w: tls_alpn domain: %w", ErrBadCheck, err)
		}
		if ka := c.TLSALPN.KeyAuthorization; ka == "" || len(ka) > maxShortField {
			return badCheck("tls_alpn: key authorization must be 1 to %d bytes, is %d", maxShortField, len(ka))
		}
	case c.Persist != nil:
		return validatePersist(c.Persist)
	}
	return nil
}

func validatePersist(p *PersistCheck) error {
	if _, err := dnsname.Domain(p.Domain); err != nil {
		return fmt.Errorf("%w: persist domain: %w", ErrBadCheck, err)
	}
	for _, list := range [][]string{p.Issuers, p.AccountURIs} {
		if len(list) == 0 || len(list) > MaxIssuers {
			return badCheck("persist: want 1 to %d issuers and account URIs each", MaxIssuers)
		}
		for _, s := range list {
			if strings.TrimSpace(s) == "" || len(s) > maxShortField {
				return badCheck("persist: empty or overlong issuer or account URI")
			}
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

// UnmarshalJSON reads a check strictly (unknown fields, here or in the
// challenge, are refused) and validates it. Errors wrap ErrBadCheck.
func (c *Check) UnmarshalJSON(data []byte) error {
	type plain Check // the same fields, without this method
	var p plain
	if err := decodeStrict(data, &p); err != nil {
		return fmt.Errorf("%w: %w", ErrBadCheck, err)
	}
	out := Check(p)
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
