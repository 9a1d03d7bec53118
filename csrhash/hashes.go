package csrhash

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/dcvkit/dcv/internal/dnsname"
)

// MaxSize is the largest input Parse accepts; a CSR is a few KiB at most.
const MaxSize = 64 << 10

// CA domains written into the file and the CNAME target.
const (
	CASSL     = "ssl.com"
	CASectigo = "sectigo.com"
	CAComodo  = "comodoca.com" // legacy Comodo
)

// MaxTokenLen is the longest unique value (token) accepted.
const MaxTokenLen = 20

// WellKnownDir is the directory the hash-based file is served from.
const WellKnownDir = "/.well-known/pki-validation/"

// Hashes are the validation hashes of one CSR's DER bytes.
type Hashes struct {
	MD5    string `json:"md5"`    // uppercase hex of MD5(DER)
	SHA256 string `json:"sha256"` // lowercase hex of SHA-256(DER)
}

// Sum hashes DER bytes as they are, without parsing them. Use Parse for
// input from a user; Sum is for DER already known to be the CSR.
func Sum(der []byte) Hashes {
	m := md5.Sum(der)
	s := sha256.Sum256(der)
	var buf [2*md5.Size + 2*sha256.Size]byte
	hex.Encode(buf[:2*md5.Size], m[:])
	hex.Encode(buf[2*md5.Size:], s[:])
	for i, c := range buf[:2*md5.Size] {
		if c >= 'a' {
			buf[i] = c - ('a' - 'A')
		}
	}
	// One allocation for both strings.
	all := string(buf[:])
	return Hashes{MD5: all[:2*md5.Size], SHA256: all[2*md5.Size:]}
}

// FileName is the name of the hash-based file: "<MD5>.txt", MD5 in upper case.
func (h Hashes) FileName() string { return strings.ToUpper(h.MD5) + ".txt" }

// FilePath is the URL path of the hash-based file:
// "/.well-known/pki-validation/<MD5>.txt".
func (h Hashes) FilePath() string { return WellKnownDir + h.FileName() }

// FileContent is the body of the hash-based file: the SHA-256 in lower case,
// the CA domain and, if token is not empty, the token, joined by "\n" with no
// trailing newline.
func (h Hashes) FileContent(caDomain, token string) (string, error) {
	sha, err := hexOf(h.SHA256, 2*sha256.Size)
	if err != nil {
		return "", err
	}
	ca, err := normalizeCA(caDomain)
	if err != nil {
		return "", err
	}
	if err := ValidToken(token); err != nil {
		return "", err
	}
	s := sha + "\n" + ca
	if token != "" {
		s += "\n" + token
	}
	return s, nil
}

// CNAME returns the owner name and target of the hash-based CNAME record for
// domain, both fully qualified:
//
//	_<MD5>.<ADN>.  CNAME  <sha256[0:32]>.<sha256[32:64]>[.<token>].<ca>.
//
// The ADN is domain normalized, with a leading "*." removed. Pass a parent
// domain to validate it instead (as the BR allows).
func (h Hashes) CNAME(domain, caDomain, token string) (name, target string, err error) {
	md, err := hexOf(h.MD5, 2*md5.Size)
	if err != nil {
		return "", "", err
	}
	sha, err := hexOf(h.SHA256, 2*sha256.Size)
	if err != nil {
		return "", "", err
	}
	d, err := dnsname.Domain(domain)
	if err != nil {
		return "", "", inputError(ErrBadDomain, domain, err)
	}
	ca, err := normalizeCA(caDomain)
	if err != nil {
		return "", "", err
	}
	if err := ValidToken(token); err != nil {
		return "", "", err
	}
	owner, err := dnsname.Owner("_" + strings.ToUpper(md) + "." + dnsname.Base(d))
	if err != nil {
		// Only length can fail here: the "_<MD5>." label adds 34 octets.
		return "", "", inputError(ErrBadDomain, domain, err)
	}
	target = sha[:32] + "." + sha[32:]
	if token != "" {
		target += "." + token
	}
	target += "." + ca
	if len(target) > 253 {
		return "", "", inputError(ErrBadCADomain, caDomain, dnsname.ErrTooLong)
	}
	// Owner lower-cases "_" labels; the MD5 label is shown in upper case as
	// CAs print it (DNS names compare case-insensitively).
	return "_" + strings.ToUpper(md) + owner[1+len(md):] + ".", target + ".", nil
}

// MatchMD5 reports whether s (surrounding spaces ignored) is this MD5, in
// either case. A Hashes without a valid MD5 matches nothing.
func (h Hashes) MatchMD5(s string) bool { return match(h.MD5, s, 2*md5.Size) }

// MatchSHA256 reports whether s (surrounding spaces ignored) is this SHA-256,
// in either case. A Hashes without a valid SHA-256 matches nothing.
func (h Hashes) MatchSHA256(s string) bool { return match(h.SHA256, s, 2*sha256.Size) }

func match(have, s string, n int) bool {
	s = strings.TrimSpace(s)
	return len(have) == n && isHex(have) && strings.EqualFold(have, s)
}

// ValidToken accepts "" (no token) or 1 to MaxTokenLen ASCII letters and
// digits; anything else is ErrBadToken.
func ValidToken(token string) error {
	if len(token) > MaxTokenLen {
		return inputError(ErrBadToken, token, nil)
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return inputError(ErrBadToken, token, nil)
		}
	}
	return nil
}

func normalizeCA(caDomain string) (string, error) {
	ca, err := dnsname.Domain(caDomain)
	if err != nil {
		return "", inputError(ErrBadCADomain, caDomain, err)
	}
	if dnsname.IsWildcard(ca) {
		return "", inputError(ErrBadCADomain, caDomain, dnsname.ErrWildcard)
	}
	return ca, nil
}

// hexOf checks that s is n hex digits and returns it in lower case.
func hexOf(s string, n int) (string, error) {
	if len(s) != n || !isHex(s) {
		return "", inputError(ErrBadHash, s, nil)
	}
	return strings.ToLower(s), nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
