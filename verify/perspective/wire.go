package perspective

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The wire protocol (see the package documentation).
const (
	Version   = 1           // the "version" field of requests and responses
	CheckPath = "/v1/check" // path of the check endpoint, under a remote's base URL

	HeaderTimestamp = "Dcv-Timestamp" // Unix time in seconds, decimal
	HeaderNonce     = "Dcv-Nonce"     // 16 to 64 base64url characters, fresh per request
	HeaderSignature = "Dcv-Signature" // "hmac-sha256=" + lower-case hex

	MinKeyLength = 32 // bytes of shared secret
	maxKeyLength = 4096

	sigPrefix      = "hmac-sha256="
	requestDomain  = "dcv-perspective/v1 request\n"
	responseDomain = "dcv-perspective/v1 response\n"
)

// Request is the body of POST /v1/check.
type Request struct {
	Version int `json:"version"`
	// TimeoutMS is how long the caller waits, in milliseconds: the handler
	// answers within it (capped by its own maximum). Required, > 0.
	TimeoutMS int64 `json:"timeout_ms"`
	Check     Check `json:"check"`
}

// Timeout returns TimeoutMS as a duration.
func (r *Request) Timeout() time.Duration { return time.Duration(r.TimeoutMS) * time.Millisecond }

// maxTimeoutMS bounds timeout_ms (a day) so the conversion cannot overflow.
const maxTimeoutMS = 24 * 60 * 60 * 1000

// DecodeRequest reads a request body: one JSON object, no unknown fields,
// version 1, a positive timeout and a valid check. Errors wrap ErrVersion,
// or ErrBadRequest (and ErrBadCheck for an invalid check).
func DecodeRequest(body []byte) (*Request, error) {
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

func mac(key []byte, domain string, fields []string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	for _, f := range fields {
		m.Write([]byte(f))
		m.Write([]byte{'\n'})
	}
	m.Write(body)
	return m.Sum(nil)
}

// requestMAC signs method, path, timestamp, nonce and body. None of the
// fields before the body can hold a newline, so the encoding is unambiguous.
func requestMAC(key []byte, method, path, ts, nonce string, body []byte) []byte {
	return mac(key, requestDomain, []string{method, path, ts, nonce}, body)
}

// responseMAC signs the status, the request's nonce, the timestamp and the
// body, so a response answers exactly one request.
func responseMAC(key []byte, status int, nonce, ts string, body []byte) []byte {
	return mac(key, responseDomain, []string{strconv.Itoa(status), nonce, ts}, body)
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

// SignRequest returns the Dcv-Signature header value for a request, for
// clients written without Remote. path is the escaped request path as sent.
func SignRequest(key []byte, method, path, timestamp, nonce string, body []byte) string {
	return formatSignature(requestMAC(key, method, path, timestamp, nonce, body))
}

// SignResponse returns the Dcv-Signature header value of a response to the
// request that carried nonce.
func SignResponse(key []byte, status int, nonce, timestamp string, body []byte) string {
	return formatSignature(responseMAC(key, status, nonce, timestamp, body))
}
