package perspective

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// The wire protocol (see the package documentation).
const (
	Version   = 2           // the "version" field of requests and responses
	CheckPath = "/v2/check" // path of the check endpoint, under a remote's base URL

	HeaderTimestamp   = "Dcv-Timestamp"      // Unix time in seconds, decimal
	HeaderNonce       = "Dcv-Nonce"          // 16 to 64 base64url characters, fresh per request
	HeaderPerspective = "Dcv-Perspective"    // the identity (canonical base URL) the message is for or from
	HeaderBodyDigest  = "Dcv-Content-Sha256" // lower-case hex SHA-256 of the request body
	HeaderSignature   = "Dcv-Signature"      // "hmac-sha256=" + lower-case hex

	MinKeyLength = 32 // bytes of secret key
	maxKeyLength = 4096

	sigPrefix      = "hmac-sha256="
	requestDomain  = "dcv-perspective/v2 request\n"
	responseDomain = "dcv-perspective/v2 response\n"
)

// Request is the body of POST /v2/check.
type Request struct {
	Version int `json:"version"` // the protocol version
	// TimeoutMS is how long the caller waits, in milliseconds: the handler
	// answers within it (capped by its own maximum). Required, > 0.
	TimeoutMS int64 `json:"timeout_ms"`
	Check     Check `json:"check"` // what to check
}

// Timeout returns TimeoutMS as a duration.
func (r *Request) Timeout() time.Duration { return time.Duration(r.TimeoutMS) * time.Millisecond }

// maxTimeoutMS bounds timeout_ms (a day) so the conversion cannot overflow.
const maxTimeoutMS = 24 * 60 * 60 * 1000

// decodeRequest reads a request body: one JSON object, no unknown fields,
// this version, a positive timeout and a valid check. Errors wrap
// ErrVersion, or ErrBadRequest (and ErrBadCheck for an invalid check).
func decodeRequest(body []byte) (*Request, error) {
	var head struct {
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if string(head.Version) != strconv.Itoa(Version) {
		return nil, fmt.Errorf("%w: version %s, this side speaks %d", ErrVersion, orMissing(head.Version), Version)
	}
	var r Request
	if err := decodeStrict(body, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if r.TimeoutMS <= 0 || r.TimeoutMS > maxTimeoutMS {
		return nil, fmt.Errorf("%w: timeout_ms must be 1 to %d, is %d", ErrBadRequest, maxTimeoutMS, r.TimeoutMS)
	}
	if err := r.Check.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return &r, nil
}

func orMissing(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	if len(raw) > 20 {
		return string(raw[:20]) + "…"
	}
	return string(raw)
}

// response is the body the handler returns: a result (200) or an error.
type response struct {
	Version int        `json:"version"`
	Nonce   string     `json:"nonce,omitempty"` // the request's nonce, echoed
	Result  *Result    `json:"result,omitempty"`
	Error   *wireError `json:"error,omitempty"`
}

type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func checkKey(key []byte) error {
	if len(key) < MinKeyLength {
		return fmt.Errorf("%w (have %d)", ErrWeakKey, len(key))
	}
	return nil
}

// Identity returns the canonical form of a perspective's base URL, which
// is its identity on the wire: scheme and host in lower case, no trailing
// dot, an IP address in its canonical spelling, the port only when it is
// not the scheme's default, and the path cleaned, without a trailing "/"
// or CheckPath. Two spellings of one URL have one identity. Errors wrap
// ErrConfig.
func Identity(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: perspective URL: %w", ErrConfig, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("%w: perspective URL %q must be http(s)://host[:port][/path]", ErrConfig, raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() == "" {
		host = ip.Unmap().String()
	} else if !hostName(host) {
		return "", fmt.Errorf("%w: perspective URL %q: the host must be an IP address or a name of letters, digits, '-', '_' and dots (IDNs as xn--)", ErrConfig, raw)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return "", fmt.Errorf("%w: perspective URL %q: bad port", ErrConfig, raw)
		}
		port = strconv.FormatUint(n, 10)
		if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
			port = ""
		}
	}
	if port != "" || strings.Contains(host, ":") {
		host = net.JoinHostPort(host, port)
		host = strings.TrimSuffix(host, ":") // an IPv6 address without port keeps its brackets
	}
	p := strings.TrimSuffix(path.Clean("/"+u.EscapedPath()), "/")
	p = strings.TrimSuffix(p, CheckPath)
	return scheme + "://" + host + p, nil
}

// hostName reports whether s is a host name in the ASCII form Identity
// keeps: labels of letters, digits, '-' and '_', separated by single dots.
func hostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// bodyDigest is the hex SHA-256 of a body, as the request's digest header
// and the response's signature carry it.
func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func mac(key []byte, domain string, fields ...string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	for _, f := range fields {
		m.Write([]byte(f))
		m.Write([]byte{'\n'})
	}
	return m.Sum(nil)
}

// requestMAC signs the method, the path, the identity of the perspective
// the request is for, the timestamp, the nonce and the body's digest:
// all of it travels in the request line and headers, so the handler
// checks it before it reads the body. No field can hold a newline (the
// handler checks each one's form first), so the encoding is unambiguous.
func requestMAC(key []byte, method, path, identity, ts, nonce, digest string) []byte {
	return mac(key, requestDomain, method, path, identity, ts, nonce, digest)
}

// responseMAC signs the status, the identity of the perspective that
// answers, the request's nonce, the timestamp and the body's digest, so a
// response answers exactly one request, from the perspective it was for.
func responseMAC(key []byte, status int, identity, nonce, ts string, body []byte) []byte {
	return mac(key, responseDomain, strconv.Itoa(status), identity, nonce, ts, bodyDigest(body))
}

func formatSignature(sum []byte) string { return sigPrefix + hex.EncodeToString(sum) }

// validSignature compares a Dcv-Signature header with want in constant time.
func validSignature(header string, want []byte) bool {
	h, ok := strings.CutPrefix(header, sigPrefix)
	if !ok || len(h) != 2*sha256.Size {
		return false
	}
	got, err := hex.DecodeString(h)
	return err == nil && hmac.Equal(got, want)
}

// validDigest reports whether s is the lower-case hex of a SHA-256 sum.
func validDigest(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validIdentity reports whether s is an identity as Identity returns it.
func validIdentity(s string) bool {
	if len(s) > MaxURLLength {
		return false
	}
	id, err := Identity(s)
	return err == nil && id == s
}

func validNonce(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseTimestamp reads Unix seconds: 1 to 12 digits, nothing else.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) == 0 || len(s) > 12 {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
