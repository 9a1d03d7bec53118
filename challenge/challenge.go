package challenge

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dcvkit/dcv/csrhash"
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

	TLSALPN01    Method = "tls-alpn-01"    // RFC 8737; BR 3.2.2.4.20
	DNSAccount01 Method = "dns-account-01" // draft-ietf-acme-dns-account-label; BR 3.2.2.4.21
	DNSPersist01 Method = "dns-persist-01" // draft-ietf-acme-dns-persist; BR 3.2.2.4.22
)

// Methods lists every method, in the order the documentation presents them.
func Methods() []Method {
	return []Method{DNSTXT, File, HashFile, HashCNAME, Email, ACMEHTTP01, ACMEDNS01, TLSALPN01, DNSAccount01, DNSPersist01}
}

func (m Method) known() bool {
	for _, k := range Methods() {
		if m == k {
			return true
		}
	}
	return false
}

// Lifetimes. The library defaults to 30 days for every method, the BR
// maximum (see MaxLifetime); the presets match what the Alibaba Cloud and
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
	ErrNotPublic    = dnsname.ErrNotPublic // special-use or non-ICANN name; see Builder.AllowPrivate

	ErrWildcard       = errors.New("method cannot validate a wildcard name")
	ErrToken          = errors.New("invalid token")
	ErrAccountKey     = errors.New("invalid or unsupported account key")
	ErrMethodRetired  = errors.New("method no longer allowed by the Baseline Requirements")
	ErrDomainNotInCSR = errors.New("domain is not in the CSR")
	ErrBadChallenge   = errors.New("invalid challenge")
	ErrLifetime       = errors.New("lifetime too long for the method")
	ErrAccountURL     = errors.New("invalid ACME account URL")
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
// verifier will check. Exactly one of Record, File, Email and TLSALPN is set. Its JSON
// form (snake_case keys, RFC 3339 times) is what `dcv challenge --json` prints
// and `dcv verify --challenge` reads back through Decode.
type Challenge struct {
	Method           Method       `json:"method"`                      // how control is shown
	Domain           string       `json:"domain"`                      // as requested, normalized; may start with "*."
	ADN              string       `json:"adn"`                         // authorization domain name: the name validated
	Record           *Record      `json:"record,omitempty"`            // DNS methods: the record to publish
	File             *FileSpec    `json:"file,omitempty"`              // file methods: the file to serve
	Email            *EmailSpec   `json:"email,omitempty"`             // email: where the code goes
	TLSALPN          *TLSALPNSpec `json:"tls_alpn,omitempty"`          // tls-alpn-01: the certificate to present
	Token            string       `json:"token,omitempty"`             // ACME token or SSL.com unique value
	KeyAuthorization string       `json:"key_authorization,omitempty"` // ACME
	CADomain         string       `json:"ca_domain,omitempty"`         // hash methods: ssl.com, sectigo.com, …
	AccountURL       string       `json:"account_url,omitempty"`       // dns-account-01, dns-persist-01
	IssuedAt         time.Time    `json:"issued_at"`                   // when the value was drawn
	ExpiresAt        time.Time    `json:"expires_at"`                  // after this the verifier refuses it (ErrExpired)
	Notes            []string     `json:"notes,omitempty"`             // e.g. a deprecation notice
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
	// AllowPrivate permits special-use and non-public names (.test,
	// .internal, .local, a TLD outside ICANN, ...), which no public CA can
	// validate; labs and tests set it. Otherwise they are ErrNotPublic.
	AllowPrivate bool
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

// base fills the fields every challenge has, refusing a non-public name
// (unless AllowPrivate) and a lifetime longer than the method allows.
func (b Builder) base(m Method, domain string) (*Challenge, error) {
	if !b.AllowPrivate {
		if err := dnsname.Public(domain); err != nil {
			return nil, nameErr(err)
		}
	}
	life := b.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	if most := MaxLifetime(m); life > most {
		return nil, fmt.Errorf("challenge: %w: %s values may be used for at most %s (BR 4.2.1), not %s", ErrLifetime, m, most, life)
	}
	now := b.now().UTC().Truncate(time.Second)
	return &Challenge{Method: m, Domain: domain, ADN: dnsname.Base(domain), IssuedAt: now, ExpiresAt: now.Add(life)}, nil
}

// MaxLifetime is the longest a method's random value or token may be used:
// 30 days for every method (BR 3.2.2.4.7, .18, .19 and 4.2.1; ballot
// SC-081). A longer Builder.Lifetime is refused with ErrLifetime.
func MaxLifetime(Method) time.Duration { return DefaultLifetime }

// record builds a Record for owner, with the zone guessed from the public
// suffix list.
func record(typ, owner, value string) (*Record, error) {
	name := dnsname.FQDN(owner)
	owner = name[:len(name)-1] // Zone and Host are cut from Name: one string, not two
	zone, err := dnsname.Registrable(owner)
	if err != nil {
		return nil, nameErr(err)
	}
	return &Record{Type: typ, Name: name, Zone: zone, Host: dnsname.HostRecord(owner, zone), Value: value}, nil
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
	rec, err := txtRecord(label, dnsname.Base(d), "")
	if err != nil {
		return nil, err
	}
	if rec.Value, err = b.random(); err != nil {
		return nil, err
	}
	c, err := b.base(DNSTXT, d)
	if err != nil {
		return nil, err
	}
	c.Record = rec
	return c, nil
}

// txtRecord builds the dns-txt record at <label>.<adn>. The label must be
// one "_" label (an underscored name is never a host, so the record cannot
// sit on one).
func txtRecord(label, adn, value string) (*Record, error) {
	owner, err := dnsname.Owner(label + "." + adn)
	if err != nil {
		return nil, nameErr(err)
	}
	if !strings.HasPrefix(label, "_") || strings.Contains(label, ".") {
		return nil, nameErr(&NameError{Input: label, Reason: ErrInvalidName, Detail: "the TXT label must be one label starting with '_'"})
	}
	return record("TXT", owner, value)
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
	if _, err := dnsname.Registrable(d); err != nil {
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
	addrs, err := emailAddresses(c.ADN)
	if err != nil {
		return nil, nameErr(err)
	}
	c.Email = &EmailSpec{Addresses: addrs, Code: code}
	if !now.Before(emailShouldNot) {
		c.Notes = append(c.Notes, "BR 3.2.2.4.4: email to constructed addresses SHOULD NOT be used from 2026-03-15 and MUST NOT from 2028-03-15; prefer a DNS or file method")
	}
	return c, nil
}

// emailAddresses returns the BR constructed addresses for adn: each local
// part at adn and at each parent down to the registrable domain.
func emailAddresses(adn string) ([]string, error) {
	rd, err := dnsname.Registrable(adn)
	if err != nil {
		return nil, err
	}
	var addrs []string
	for _, name := range dnsname.Parents(adn, rd) {
		for _, l := range emailLocals {
			addrs = append(addrs, l+"@"+name)
		}
	}
	return addrs, nil
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
// normalized domain, sane times, and targets that are exactly what the
// method prescribes for the domain — the record name and value form, the
// file path, content form and URLs (scheme, host, port, path), the email
// addresses — as the Builder would produce them. A challenge edited to
// point anywhere else is refused, so it can never verify the domain
// without touching it.
func (c *Challenge) Validate() error {
	if !c.Method.known() {
		return badChallenge("unknown method %q", c.Method)
	}
	d, zone, err := dnsname.DomainRegistrable(c.Domain)
	if err != nil {
		return fmt.Errorf("challenge: %w: %w", ErrBadChallenge, err)
	}
	if d != c.Domain || c.ADN != dnsname.Base(d) {
		return badChallenge("domain %q / adn %q not normalized", c.Domain, c.ADN)
	}
	if c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() || !c.ExpiresAt.After(c.IssuedAt) {
		return badChallenge("issued_at/expires_at missing or out of order")
	}
	if most, life := MaxLifetime(c.Method), c.ExpiresAt.Sub(c.IssuedAt); life > most {
		return badChallenge("%s value lives %s, more than the %s the Baseline Requirements allow", c.Method, life, most)
	}
	parts := 0
	for _, set := range []bool{c.Record != nil, c.File != nil, c.Email != nil, c.TLSALPN != nil} {
		if set {
			parts++
		}
	}
	if parts != 1 {
		return badChallenge("want exactly one of record, file, email, tls_alpn; have %d", parts)
	}
	return c.validTargets(d, zone)
}

// badChallenge is an ErrBadChallenge saying what is wrong.
func badChallenge(format string, a ...any) error {
	return fmt.Errorf("challenge: %w: %s", ErrBadChallenge, fmt.Sprintf(format, a...))
}

// asBadChallenge makes err (a refused name, say) an ErrBadChallenge.
func asBadChallenge(err error) error {
	if errors.Is(err, ErrBadChallenge) {
		return err
	}
	return fmt.Errorf("challenge: %w: %w", ErrBadChallenge, err)
}

// validTargets checks that every target of c (record name and value form,
// file path, URLs, addresses) is exactly what the builder of c.Method
// produces for d, whose registrable domain is zone: a challenge edited to
// point at another name (a record at customer-blog.victim.com, a file URL
// on www.victim.com only) could otherwise be verified for d without
// touching d.
func (c *Challenge) validTargets(d, zone string) error {
	switch c.Method {
	case DNSTXT, ACMEDNS01, HashCNAME, DNSAccount01, DNSPersist01:
		if c.Record == nil {
			return badChallenge("%s needs a record", c.Method)
		}
		typ, labels, value, err := c.wantRecord()
		if err != nil {
			return asBadChallenge(err)
		}
		if !recordIs(c.Record, typ, labels, c.ADN, zone, value) {
			want, err := record(typ, labels+"."+c.ADN, value)
			if err != nil {
				return asBadChallenge(err)
			}
			return badChallenge("record %s is not what %s prescribes for %s (%s)", c.Record, c.Method, c.ADN, want)
		}
	case File, HashFile, ACMEHTTP01:
		if c.File == nil || c.File.Content == "" {
			return badChallenge("%s needs a file with content", c.Method)
		}
		if dnsname.IsWildcard(d) {
			return badChallenge("%s cannot validate a wildcard name", c.Method)
		}
		path, content, urls, err := c.wantFile()
		if err != nil {
			return asBadChallenge(err)
		}
		if c.File.Path != path {
			return badChallenge("file path %q is not where %s puts the file (%s)", c.File.Path, c.Method, path)
		}
		if c.File.Content != content {
			return badChallenge("file content is not in the form %s prescribes", c.Method)
		}
		if !slices.Equal(c.File.URLs, urls) {
			return badChallenge("file URLs %q are not the ones %s fetches for %s (%q)", c.File.URLs, c.Method, c.ADN, urls)
		}
	case TLSALPN01:
		return c.validateTLSALPN()
	case Email:
		if c.Email == nil || !random.IsValue(c.Email.Code) {
			return badChallenge("email needs a code of %d random bits", random.Bits)
		}
		want, err := emailAddresses(c.ADN)
		if err != nil {
			return asBadChallenge(err)
		}
		if !slices.Equal(c.Email.Addresses, want) {
			return badChallenge("email addresses %q are not the constructed addresses of %s", c.Email.Addresses, c.ADN)
		}
	default:
		// A method without a rule here has targets nobody checked.
		return badChallenge("%s has no target check", c.Method)
	}
	return nil
}

// wantRecord recomputes the record of a DNS challenge from its ADN, token,
// CA domain and value, refusing a value not in the method's form: the
// record's type, the labels its owner has above the ADN, and its value.
func (c *Challenge) wantRecord() (typ, labels, value string, err error) {
	v := c.Record.Value
	switch c.Method {
	case DNSTXT:
		// <label>.<ADN>, the label the CA chose: one "_" label, never a
		// host name.
		owner, _ := strings.CutSuffix(c.Record.Name, ".")
		label, rest, _ := strings.Cut(owner, ".")
		if !strings.HasPrefix(label, "_") || rest != c.ADN {
			return "", "", "", badChallenge("dns-txt record %q is not at _<label>.%s", c.Record.Name, c.ADN)
		}
		if !random.IsValue(v) {
			return "", "", "", badChallenge("dns-txt value %q is not a random value of %d bits", v, random.Bits)
		}
		// The owner as the builder makes it: the label's characters and
		// case, the name's length.
		if n, err := dnsname.Owner(owner); err != nil {
			return "", "", "", nameErr(err)
		} else if n != owner {
			return "", "", "", badChallenge("dns-txt record %q is not normalized (%s.)", c.Record.Name, n)
		}
		return "TXT", label, v, nil
	case ACMEDNS01:
		if err := c.validKeyAuthorization(); err != nil {
			return "", "", "", err
		}
		if !dns01Matches(c.KeyAuthorization, v) {
			return "", "", "", badChallenge("dns-01 value is not the digest of the key authorization")
		}
		return "TXT", ACMEDNSLabel, v, nil
	case DNSAccount01:
		return c.wantDNSAccount()
	case DNSPersist01:
		return c.wantPersist()
	}
	// HashCNAME: _<MD5>.<ADN> CNAME <sha256 split>[.<token>].<ca>.
	label, _, _ := strings.Cut(c.Record.Name, ".")
	if !strings.HasPrefix(label, "_") || !isHex(label[1:], 32, true) {
		return "", "", "", badChallenge("hash-cname record %q is not at _<MD5>.%s", c.Record.Name, c.ADN)
	}
	var sha string
	if parts := strings.SplitN(v, ".", 3); len(parts) == 3 {
		sha = parts[0] + parts[1]
	}
	sha, err = c.hashParts(sha)
	if err != nil {
		return "", "", "", err
	}
	target := sha[:32] + "." + sha[32:]
	if c.Token != "" {
		target += "." + c.Token
	}
	return "CNAME", label, dnsname.FQDN(target + "." + c.CADomain), nil
}

// recordIs reports whether r is the record that record(typ,
// labels+"."+adn, value) builds when adn's registrable domain is zone,
// comparing the parts in place instead of building it.
func recordIs(r *Record, typ, labels, adn, zone, value string) bool {
	owner, dot := strings.CutSuffix(r.Name, ".")
	rest, ok := strings.CutPrefix(owner, labels)
	return dot && ok && r.Type == typ && r.Value == value && r.Zone == zone &&
		len(rest) == 1+len(adn) && rest[0] == '.' && rest[1:] == adn &&
		r.Host == dnsname.HostRecord(owner, zone)
}

// wantFile recomputes the path, content and URLs of a file challenge.
func (c *Challenge) wantFile() (path, content string, urlList []string, err error) {
	switch c.Method {
	case File:
		if !random.IsValue(c.File.Content) {
			return "", "", nil, badChallenge("file content is not a random value of %d bits", random.Bits)
		}
		hosts := []string{c.ADN}
		if pair := WWWPair(c.ADN); pair != "" {
			hosts = append(hosts, pair)
		}
		return FileAuthPath, c.File.Content, urls(hosts, FileAuthPath, "http", "https"), nil
	case ACMEHTTP01:
		if err := c.validKeyAuthorization(); err != nil {
			return "", "", nil, err
		}
		path = ACMEHTTPPrefix + c.Token
		return path, c.KeyAuthorization, urls([]string{c.ADN}, path, "http"), nil
	}
	// HashFile: /.well-known/pki-validation/<MD5>.txt holding
	// sha256 "\n" ca ["\n" token].
	name, ok := strings.CutPrefix(c.File.Path, csrhash.WellKnownDir)
	md5, ok2 := strings.CutSuffix(name, ".txt")
	if !ok || !ok2 || !isHex(md5, 32, true) {
		return "", "", nil, badChallenge("hash-file path %q is not %s<MD5>.txt", c.File.Path, csrhash.WellKnownDir)
	}
	sha, _, _ := strings.Cut(c.File.Content, "\n")
	if sha, err = c.hashParts(sha); err != nil {
		return "", "", nil, err
	}
	content = sha + "\n" + c.CADomain
	if c.Token != "" {
		content += "\n" + c.Token
	}
	path = csrhash.WellKnownDir + md5 + ".txt"
	return path, content, urls([]string{c.ADN}, path, "http", "https"), nil
}

// hashParts checks the SHA-256, CA domain and token of a hash challenge and
// returns the SHA-256.
func (c *Challenge) hashParts(sha string) (string, error) {
	if !isHex(sha, 64, false) {
		return "", badChallenge("%s value does not hold a lower-case SHA-256", c.Method)
	}
	ca, err := dnsname.Domain(c.CADomain)
	if err != nil || ca != c.CADomain || dnsname.IsWildcard(ca) {
		return "", badChallenge("CA domain %q is not a normalized domain", c.CADomain)
	}
	if err := csrhash.ValidToken(c.Token); err != nil {
		return "", asBadChallenge(err)
	}
	return sha, nil
}

// validKeyAuthorization checks an ACME challenge's token and that its key
// authorization is token "." thumbprint (RFC 8555 section 8.1).
func (c *Challenge) validKeyAuthorization() error {
	if err := ValidACMEToken(c.Token); err != nil {
		return asBadChallenge(err)
	}
	ka, n := c.KeyAuthorization, len(c.Token)
	if len(ka) <= n || ka[:n] != c.Token || ka[n] != '.' || !isThumbprint(ka[n+1:]) {
		return badChallenge("key authorization is not <token>.<SHA-256 thumbprint>")
	}
	return nil
}

// isThumbprint reports whether s is a SHA-256 in unpadded base64url: 43
// characters, the last with its two low bits clear (43 x 6 = 258 bits).
func isThumbprint(s string) bool {
	if len(s) != 43 || ValidACMEToken(s) != nil {
		return false
	}
	return strings.IndexByte("AEIMQUYcgkosw048", s[42]) >= 0
}

// dns01Matches reports whether value is DNS01Value(keyAuthorization),
// without allocating for a key authorization of up to 600 bytes (a token
// of 512 characters, a dot and a thumbprint).
func dns01Matches(keyAuthorization, value string) bool {
	var in [600]byte
	sum := sha256.Sum256(append(in[:0], keyAuthorization...))
	var buf [43]byte
	b64.Encode(buf[:], sum[:])
	return string(buf[:]) == value
}

// isHex reports whether s is n hex digits, upper-case or lower-case as asked.
func isHex(s string, n int, upper bool) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || upper && c >= 'A' && c <= 'F' || !upper && c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// nameErr puts this package's prefix on a refused name; errors.As still
// finds the *NameError.
func nameErr(err error) error { return fmt.Errorf("challenge: %w", err) }
