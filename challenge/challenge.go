package challenge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/random"
)

// Method names a validation method. The strings are stable: they appear in
// the JSON encoding and on the dcv tool's command line.
type Method string

// The methods of the two source documents plus ACME.
const (
	DNSTXT     Method = "dns-txt"      // random value in a TXT record at _dnsauth.<domain> (Alibaba/DigiCert)
	File       Method = "file"         // random value in /.well-known/pki-validation/fileauth.txt (Alibaba/DigiCert)
	HashFile   Method = "hash-file"    // CSR hashes in /.well-known/pki-validation/<MD5>.txt (SSL.com/Sectigo)
	HashCNAME  Method = "hash-cname"   // CSR hashes in a CNAME at _<MD5>.<domain> (SSL.com/Sectigo)
	Email      Method = "email"        // random code mailed to a constructed address (BR 3.2.2.4.4)
	ACMEHTTP01 Method = "acme-http-01" // RFC 8555 §8.3
	ACMEDNS01  Method = "acme-dns-01"  // RFC 8555 §8.4
)

// Methods lists every method, in the order the documentation presents them.
func Methods() []Method {
	return []Method{DNSTXT, File, HashFile, HashCNAME, Email, ACMEHTTP01, ACMEDNS01}
}

func (m Method) known() bool {
	for _, k := range Methods() {
		if m == k {
			return true
		}
	}
	return false
}

// Lifetimes. The library defaults to 30 days for every method (BR maximum for
// the file and email methods); the presets match what the Alibaba Cloud and
// SSL.com DCV pages document.
const (
	DefaultLifetime     = 30 * 24 * time.Hour
	LifetimeDigiCertDNS = 24 * time.Hour // Alibaba FAQ: a DigiCert DV value older than 24 h is refused
	LifetimeAlibabaFile = 72 * time.Hour // Alibaba: the file is valid 3 days after download
)

// Fixed names from the source documents.
const (
	DefaultTXTLabel = "_dnsauth"
	FileAuthPath    = "/.well-known/pki-validation/fileauth.txt"
	ACMEHTTPPrefix  = "/.well-known/acme-challenge/"
	ACMEDNSLabel    = "_acme-challenge"
)

// Errors. Name errors come from the one normalizer and are re-exported here;
// match them with errors.Is and read details with errors.As(*NameError).
var (
	ErrEmptyName    = dnsname.ErrEmpty
	ErrIPAddress    = dnsname.ErrIPAddress
	ErrPublicSuffix = dnsname.ErrPublicSuffix
	ErrSingleLabel  = dnsname.ErrSingleLabel
	ErrEmptyLabel   = dnsname.ErrEmptyLabel
	ErrUnderscore   = dnsname.ErrUnderscore
	ErrWildcardPos  = dnsname.ErrWildcard
	ErrNameTooLong  = dnsname.ErrTooLong
	ErrInvalidName  = dnsname.ErrInvalid

	ErrWildcard       = errors.New("method cannot validate a wildcard name")
	ErrToken          = errors.New("invalid token")
	ErrAccountKey     = errors.New("invalid or unsupported account key")
	ErrMethodRetired  = errors.New("method no longer allowed by the Baseline Requirements")
	ErrDomainNotInCSR = errors.New("domain is not in the CSR")
	ErrBadChallenge   = errors.New("invalid challenge")
	ErrLifetime       = errors.New("lifetime too long for the method")
)

// NameError reports a refused domain or owner name.
type NameError = dnsname.Error

// Record is a DNS record the applicant must publish.
type Record struct {
	Type  string `json:"type"`  // "TXT" or "CNAME"
	Name  string `json:"name"`  // owner, fully qualified with a trailing dot
	Zone  string `json:"zone"`  // the zone guessed from the public suffix list (the registrable domain)
	Host  string `json:"host"`  // Name relative to Zone, as typed in a DNS console ("_dnsauth.www")
	Value string `json:"value"` // TXT value, or CNAME target with a trailing dot
}

// String returns the record in zone-file form.
func (r Record) String() string {
	if r.Type == "TXT" {
		return fmt.Sprintf("%s IN TXT %q", r.Name, r.Value)
	}
	return fmt.Sprintf("%s IN %s %s", r.Name, r.Type, r.Value)
}

// FileSpec is a file the applicant must serve.
type FileSpec struct {
	Path    string   `json:"path"`    // URL path, e.g. /.well-known/pki-validation/fileauth.txt
	Content string   `json:"content"` // exact body
	URLs    []string `json:"urls"`    // every URL the verifier fetches
}

// EmailSpec is a constructed-email challenge: the code is mailed to one of
// the addresses and the applicant submits it back.
type EmailSpec struct {
	Addresses []string `json:"addresses"` // where the code may be sent (BR 3.2.2.4.4)
	Code      string   `json:"code"`      // the random value mailed; keep it from the applicant's view until submitted
}

// Challenge says exactly what the applicant must publish and what the
// verifier will check. Exactly one of Record, File and Email is set. Its JSON
// form (snake_case keys, RFC 3339 times) is what `dcv challenge --json` prints
// and `dcv verify --challenge` reads back through Decode.
type Challenge struct {
	Method           Method     `json:"method"`                      // how control is shown
	Domain           string     `json:"domain"`                      // as requested, normalized; may start with "*."
	ADN              string     `json:"adn"`                         // authorization domain name: the name validated
	Record           *Record    `json:"record,omitempty"`            // DNS methods: the record to publish
	File             *FileSpec  `json:"file,omitempty"`              // file methods: the file to serve
	Email            *EmailSpec `json:"email,omitempty"`             // email: where the code goes
	Token            string     `json:"token,omitempty"`             // ACME token or SSL.com unique value
	KeyAuthorization string     `json:"key_authorization,omitempty"` // ACME
	CADomain         string     `json:"ca_domain,omitempty"`         // hash methods: ssl.com, sectigo.com, …
	IssuedAt         time.Time  `json:"issued_at"`                   // when the value was drawn
	ExpiresAt        time.Time  `json:"expires_at"`                  // after this the verifier refuses it (ErrExpired)
	Notes            []string   `json:"notes,omitempty"`             // e.g. a deprecation notice
}

// Expired reports whether the challenge can no longer be used at now.
func (c *Challenge) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }

// Builder builds challenges. The zero value is ready: crypto/rand, the
// system clock, DefaultLifetime and the _dnsauth label.
type Builder struct {
	Rand     io.Reader        // source of random values; nil means crypto/rand
	Now      func() time.Time // clock; nil means time.Now
	Lifetime time.Duration    // 0 means DefaultLifetime
	TXTLabel string           // owner label for DNSTXT; "" means DefaultTXTLabel
}

func (b Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b Builder) random() (string, error) {
	v, err := random.Source{Reader: b.Rand}.Value()
	if err != nil {
		return "", fmt.Errorf("challenge: %w", err)
	}
	return v, nil
}

// NewToken draws an ACME-style token (128 bits, base64url), for CAs and tests
// that play the server side.
func (b Builder) NewToken() (string, error) {
	t, err := random.Source{Reader: b.Rand}.Token()
	if err != nil {
		return "", fmt.Errorf("challenge: %w", err)
	}
	return t, nil
}

// base fills the fields every challenge has, refusing a lifetime longer than
// the method allows.
func (b Builder) base(m Method, domain string) (*Challenge, error) {
	life := b.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	if most := maxLifetime(m); most > 0 && life > most {
		return nil, fmt.Errorf("challenge: %w: %s values may be used for at most %s (BR 3.2.2.4), not %s", ErrLifetime, m, most, life)
	}
	now := b.now().UTC().Truncate(time.Second)
	return &Challenge{Method: m, Domain: domain, ADN: dnsname.Base(domain), IssuedAt: now, ExpiresAt: now.Add(life)}, nil
}

// maxLifetime is the longest a method's value may be used, 0 for no cap:
// 30 days for email and file methods (BR 3.2.2.4.4, .18, .19); DNS values
// may be reused for the longer data-reuse period (.7).
func maxLifetime(m Method) time.Duration {
	switch m {
	case File, HashFile, ACMEHTTP01, Email:
		return DefaultLifetime
	}
	return 0
}

// record builds a Record for owner, with the zone guessed from the public
// suffix list.
func record(typ, owner, value string) (*Record, error) {
	owner = strings.TrimSuffix(owner, ".")
	zone, err := dnsname.Registrable(owner)
	if err != nil {
		return nil, nameErr(err)
	}
	return &Record{Type: typ, Name: dnsname.FQDN(owner), Zone: zone, Host: dnsname.HostRecord(owner, zone), Value: value}, nil
}

// DNSTXT builds the Alibaba/DigiCert random-value TXT challenge: a TXT record
// at <label>.<ADN>; a wildcard *.d is validated at d.
func (b Builder) DNSTXT(domain string) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, nameErr(err)
	}
	label := b.TXTLabel
	if label == "" {
		label = DefaultTXTLabel
	}
	owner, err := dnsname.Owner(label + "." + dnsname.Base(d))
	if err != nil {
		return nil, nameErr(err)
	}
	v, err := b.random()
	if err != nil {
		return nil, err
	}
	c, err := b.base(DNSTXT, d)
	if err != nil {
		return nil, err
	}
	if c.Record, err = record("TXT", owner, v); err != nil {
		return nil, err
	}
	return c, nil
}

// File builds the Alibaba/DigiCert random-value file challenge: the value in
// /.well-known/pki-validation/fileauth.txt, over http and https, on the name
// and its apex/www pair (Alibaba checks both). Wildcards are refused.
func (b Builder) File(domain string) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, nameErr(err)
	}
	if dnsname.IsWildcard(d) {
		return nil, fmt.Errorf("challenge: %s: %w: use a DNS method", d, ErrWildcard)
	}
	v, err := b.random()
	if err != nil {
		return nil, err
	}
	hosts := []string{d}
	if pair := WWWPair(d); pair != "" {
		hosts = append(hosts, pair)
	}
	c, err := b.base(File, d)
	if err != nil {
		return nil, err
	}
	c.File = &FileSpec{Path: FileAuthPath, Content: v, URLs: urls(hosts, FileAuthPath, "http", "https")}
	return c, nil
}

// WWWPair returns the other half of an apex/www pair: "www.example.com" for
// "example.com" and back; "" for any other name. The input is normalized.
func WWWPair(domain string) string {
	rd, err := dnsname.Registrable(domain)
	if err != nil || dnsname.IsWildcard(domain) {
		return ""
	}
	switch domain {
	case rd:
		return "www." + rd
	case "www." + rd:
		return rd
	}
	return ""
}

func urls(hosts []string, path string, schemes ...string) []string {
	var out []string
	for _, h := range hosts {
		for _, s := range schemes {
			out = append(out, (&url.URL{Scheme: s, Host: h, Path: path}).String())
		}
	}
	return out
}

// emailLocals are the constructed local parts of BR 3.2.2.4.4.
var emailLocals = [...]string{"admin", "administrator", "webmaster", "hostmaster", "postmaster"}

// BR 3.2.2.4.4 dates: SHOULD NOT from the first, MUST NOT from the second.
var (
	emailShouldNot = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	emailMustNot   = time.Date(2028, 3, 15, 0, 0, 0, 0, time.UTC)
)

// Email builds a constructed-email challenge: the five BR addresses at the
// ADN and at each parent down to the registrable domain, and a random code.
// From 2026-03-15 the challenge carries a deprecation note; from 2028-03-15
// the method is refused (ErrMethodRetired).
func (b Builder) Email(domain string) (*Challenge, error) {
	d, err := dnsname.Domain(domain)
	if err != nil {
		return nil, nameErr(err)
	}
	now := b.now()
	if !now.Before(emailMustNot) {
		return nil, fmt.Errorf("challenge: %s: %w: BR 3.2.2.4.4 email to constructed addresses MUST NOT be used from 2028-03-15; use a DNS or file method", d, ErrMethodRetired)
	}
	rd, err := dnsname.Registrable(d)
	if err != nil {
		return nil, nameErr(err)
	}
	code, err := b.random()
	if err != nil {
		return nil, err
	}
	c, err := b.base(Email, d)
	if err != nil {
		return nil, err
	}
	var addrs []string
	for _, name := range dnsname.Parents(c.ADN, rd) {
		for _, l := range emailLocals {
			addrs = append(addrs, l+"@"+name)
		}
	}
	c.Email = &EmailSpec{Addresses: addrs, Code: code}
	if !now.Before(emailShouldNot) {
		c.Notes = append(c.Notes, "BR 3.2.2.4.4: email to constructed addresses SHOULD NOT be used from 2026-03-15 and MUST NOT from 2028-03-15; prefer a DNS or file method")
	}
	return c, nil
}

// Decode reads a challenge from its JSON form and checks that it is
// complete and consistent, so a verifier never acts on a malformed one.
func Decode(data []byte) (*Challenge, error) {
	var c Challenge
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("challenge: %w: %v", ErrBadChallenge, err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks that c is complete and consistent: a known method, a
// normalized domain, the part the method needs, and sane times.
func (c *Challenge) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("challenge: %w: %s", ErrBadChallenge, fmt.Sprintf(format, a...))
	}
	if !c.Method.known() {
		return bad("unknown method %q", c.Method)
	}
	d, err := dnsname.Domain(c.Domain)
	if err != nil {
		return fmt.Errorf("challenge: %w: %w", ErrBadChallenge, err)
	}
	if d != c.Domain || c.ADN != dnsname.Base(d) {
		return bad("domain %q / adn %q not normalized", c.Domain, c.ADN)
	}
	if c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() || !c.ExpiresAt.After(c.IssuedAt) {
		return bad("issued_at/expires_at missing or out of order")
	}
	if most, life := maxLifetime(c.Method), c.ExpiresAt.Sub(c.IssuedAt); most > 0 && life > most {
		return bad("%s value lives %s, more than the %s the Baseline Requirements allow", c.Method, life, most)
	}
	parts := 0
	for _, set := range []bool{c.Record != nil, c.File != nil, c.Email != nil} {
		if set {
			parts++
		}
	}
	if parts != 1 {
		return bad("want exactly one of record, file, email; have %d", parts)
	}
	switch c.Method {
	case DNSTXT, ACMEDNS01, HashCNAME:
		want := "TXT"
		if c.Method == HashCNAME {
			want = "CNAME"
		}
		if c.Record == nil || c.Record.Type != want || c.Record.Value == "" {
			return bad("%s needs a %s record with a value", c.Method, want)
		}
		owner, err := dnsname.Owner(c.Record.Name)
		if err != nil {
			return fmt.Errorf("challenge: %w: record name: %w", ErrBadChallenge, err)
		}
		if owner != c.ADN && !strings.HasSuffix(owner, "."+c.ADN) {
			return bad("record %q is not at or below %q", c.Record.Name, c.ADN)
		}
		if c.Method == ACMEDNS01 && owner != ACMEDNSLabel+"."+c.ADN {
			return bad("dns-01 record %q is not at %s.%s", c.Record.Name, ACMEDNSLabel, c.ADN)
		}
	case File, HashFile, ACMEHTTP01:
		if c.File == nil || c.File.Content == "" || len(c.File.URLs) == 0 {
			return bad("%s needs a file with content and URLs", c.Method)
		}
		if dnsname.IsWildcard(d) {
			return bad("%s cannot validate a wildcard name", c.Method)
		}
		if !c.filePathOK() {
			return bad("file path %q is not where %s puts the file", c.File.Path, c.Method)
		}
		for _, raw := range c.File.URLs {
			// Exactly scheme://host/path: a query, userinfo, port or
			// fragment would make the server read another resource.
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != c.File.Path ||
				u.User != nil || u.Port() != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
				return bad("file URL %q is not http(s)://host%s", raw, c.File.Path)
			}
			host := u.Hostname()
			if host != c.ADN && host != WWWPair(c.ADN) {
				return bad("file URL %q is not on %q or its www pair", raw, c.ADN)
			}
		}
	case Email:
		if c.Email == nil || c.Email.Code == "" || len(c.Email.Addresses) == 0 {
			return bad("email needs addresses and a code")
		}
	}
	return nil
}

// filePathOK reports whether c.File.Path is where the method's file lives:
// one file name in /.well-known/pki-validation/ (BR 3.2.2.4.18; the name
// is the CA's: fileauth.txt, <MD5>.txt), or the ACME path of c.Token.
func (c *Challenge) filePathOK() bool {
	p := c.File.Path
	switch c.Method {
	case File, HashFile:
		name, ok := strings.CutPrefix(p, "/.well-known/pki-validation/")
		if !ok || name == "" || name == "." || name == ".." {
			return false
		}
		for i := 0; i < len(name); i++ {
			if ch := name[i]; !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch == '.' || ch == '-' || ch == '_') {
				return false
			}
		}
		return true
	case ACMEHTTP01:
		return ValidACMEToken(c.Token) == nil && p == ACMEHTTPPrefix+c.Token
	}
	return false
}

// nameErr puts this package's prefix on a refused name; errors.As still
// finds the *NameError.
func nameErr(err error) error { return fmt.Errorf("challenge: %w", err) }
