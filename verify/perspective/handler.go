package perspective

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler defaults.
const (
	DefaultWindow     = 60 * time.Second
	DefaultMaxBody    = 1 << 20
	DefaultMaxTimeout = 30 * time.Second
	DefaultMaxNonces  = 1 << 16
)

// Handler serves checks to remote callers: it is what a remote
// perspective deploys in its region (POST /v1/check, see the package
// documentation). It runs exactly the check a request carries, through
// Local, and only for requests that are signed with Key, fresh (timestamp
// within Window) and not replayed (nonce not seen within the window).
// Mount it at the root or under a prefix (without stripping the prefix:
// the signature covers the request path as the client sent it). Mutual
// TLS, if wanted, is configured on the http.Server; HMAC is always
// required. Configure the fields before serving; do not copy a Handler
// after first use.
type Handler struct {
	Key        []byte        // shared secret, >= MinKeyLength bytes
	Local      *Local        // runs the checks
	Window     time.Duration // accepted clock difference; 0 means DefaultWindow
	MaxBody    int64         // request body limit; 0 means DefaultMaxBody
	MaxTimeout time.Duration // cap on the request's timeout; 0 means DefaultMaxTimeout
	MaxNonces  int           // replay cache size; 0 means DefaultMaxNonces
	Now        func() time.Time

	once   sync.Once
	nonces *nonceCache
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) window() time.Duration     { return orDefault(h.Window, DefaultWindow) }
func (h *Handler) maxBody() int64            { return orDefault(h.MaxBody, DefaultMaxBody) }
func (h *Handler) maxTimeout() time.Duration { return orDefault(h.MaxTimeout, DefaultMaxTimeout) }

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// otherVersion reports whether path names the check endpoint of some
// version ("/v2/check").
func otherVersion(path string) bool {
	rest, ok := strings.CutSuffix(path, "/check")
	if !ok {
		return false
	}
	i := strings.LastIndex(rest, "/v")
	if i < 0 || i+2 == len(rest) {
		return false
	}
	for _, c := range rest[i+2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ServeHTTP authenticates the request, runs its check and answers with a
// signed result, or refuses with an error body and status: 401
// (unauthenticated, stale, replay), 413 (too large), 400 (malformed or
// bad check), 404 (unknown path or version), 405, 501 (kind not served),
// 503 (replay cache full).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() { h.nonces = newNonceCache(orDefault(h.MaxNonces, DefaultMaxNonces)) })

	if !strings.HasSuffix(r.URL.Path, CheckPath) {
		if otherVersion(r.URL.Path) {
			writeError(w, http.StatusNotFound, codeVersion, fmt.Sprintf("unsupported protocol version in path %q; this side serves %s", r.URL.Path, CheckPath))
			return
		}
		writeError(w, http.StatusNotFound, codeBadRequest, "no such endpoint; checks are served at "+CheckPath)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, codeBadRequest, "use POST")
		return
	}
	if checkKey(h.Key) != nil || h.Local == nil {
		writeError(w, http.StatusInternalServerError, codeServer, "handler not configured (key or local perspective)")
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, codeTooLarge, err.Error())
		return
	}
	nonce, status, code, err := h.authenticate(r, body)
	if err != nil {
		writeError(w, status, code, err.Error())
		return
	}
	req, err := DecodeRequest(body)
	if err != nil {
		code := codeBadRequest
		if errors.Is(err, ErrVersion) {
			code = codeVersion
		}
		writeError(w, http.StatusBadRequest, code, err.Error())
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), min(req.Timeout(), h.maxTimeout()))
	defer cancel()
	res, err := h.Local.Run(ctx, req.Check)
	switch {
	case errors.Is(err, ErrUnsupported):
		writeError(w, http.StatusNotImplemented, codeUnsupported, err.Error())
		return
	case errors.Is(err, ErrBadCheck):
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, codeServer, err.Error())
		return
	}
	h.writeResult(w, nonce, res)
}

func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.maxBody()
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, r.ContentLength, limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, fmt.Errorf("%w: limit %d", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrTooLarge, err)
	}
	return b, nil
}

// authenticate checks the signature, then the timestamp window, then the
// nonce: only an authenticated request can enter the replay cache.
func (h *Handler) authenticate(r *http.Request, body []byte) (nonce string, status int, code string, err error) {
	unauth := func(format string, a ...any) (string, int, string, error) {
		return "", http.StatusUnauthorized, codeUnauthenticated, fmt.Errorf("%w: %s", ErrUnauthenticated, fmt.Sprintf(format, a...))
	}
	tsText := r.Header.Get(HeaderTimestamp)
	nonce = r.Header.Get(HeaderNonce)
	sig := r.Header.Get(HeaderSignature)
	ts, ok := parseTimestamp(tsText)
	if !ok {
		return unauth("missing or malformed %s", HeaderTimestamp)
	}
	if !validNonce(nonce) {
		return unauth("missing or malformed %s", HeaderNonce)
	}
	if sig == "" {
		return unauth("missing %s", HeaderSignature)
	}
	if !validSignature(sig, requestMAC(h.Key, r.Method, signedPath(r), tsText, nonce, body)) {
		return unauth("signature does not match (wrong key, or the request was changed)")
	}
	now, win := h.now(), h.window()
	if d := now.Sub(ts); d > win || d < -win {
		return "", http.StatusUnauthorized, codeStale, fmt.Errorf("%w: timestamp %s is %s from this server's clock, window %s",
			ErrStale, ts.UTC().Format(time.RFC3339), d.Round(time.Second), win)
	}
	// Keep the nonce until the timestamp itself is out of the window.
	switch err := h.nonces.add(nonce, ts.Add(win+time.Second), now); {
	case errors.Is(err, ErrReplay):
		return "", http.StatusUnauthorized, codeReplay, fmt.Errorf("%w: nonce %s already used", ErrReplay, nonce)
	case err != nil:
		return "", http.StatusServiceUnavailable, codeBusy, err
	}
	return nonce, 0, "", nil
}

// signedPath is the path as the client sent it: RequestURI survives
// http.StripPrefix, which rewrites URL.Path.
func signedPath(r *http.Request) string {
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			return u.EscapedPath()
		}
	}
	return r.URL.EscapedPath()
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	body, _ := json.Marshal(response{Version: Version, Error: &wireError{Code: code, Message: msg}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h *Handler) writeResult(w http.ResponseWriter, nonce string, res *Result) {
	body, err := json.Marshal(response{Version: Version, Nonce: nonce, Result: res})
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeServer, "encoding the result: "+err.Error())
		return
	}
	ts := strconv.FormatInt(h.now().Unix(), 10)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set(HeaderTimestamp, ts)
	w.Header().Set(HeaderSignature, formatSignature(responseMAC(h.Key, http.StatusOK, nonce, ts, body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
