package perspective

import (
	"context"
	"crypto/subtle"
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
	DefaultWindow        = 60 * time.Second
	DefaultMaxBody       = 1 << 20
	DefaultMaxTimeout    = 30 * time.Second
	DefaultMaxNonces     = 1 << 16
	DefaultMaxConcurrent = 64 // requests handled at once; more are answered 503 busy
)

// Timeouts of the http.Server that Handler.Server returns.
const (
	DefaultReadHeaderTimeout = 5 * time.Second  // request line and headers
	DefaultReadTimeout       = 15 * time.Second // the whole request, body included
	DefaultIdleTimeout       = 60 * time.Second // a kept-alive connection between requests
	DefaultMaxHeaderBytes    = 16 << 10
)

// Handler serves checks to remote callers: it is what a remote
// perspective deploys in its region (POST <URL>/v2/check, see the package
// documentation). It runs exactly the check a request carries, through
// Local, and only for a request that is addressed to its own URL, signed
// with Key, fresh (timestamp within Window) and not replayed (nonce not
// seen within the window). All of that is in the request's headers and is
// checked before the body is read; at most MaxConcurrent requests are
// handled at once.
//
// Mount it at the root or under a prefix (without stripping the prefix:
// the signature covers the request path as the client sent it), and serve
// it with the timeouts of Server. Mutual TLS, if wanted, is configured on
// the http.Server; the HMAC is always required. Configure the fields
// before serving; do not copy a Handler after first use.
type Handler struct {
	// URL is the base URL callers reach this perspective at, e.g.
	// "https://mpic-eu.example.net:8443": its identity (see Identity).
	// A request addressed to another perspective is refused (421
	// misdirected) and every answer is signed for this one, so an answer
	// relayed to a caller of another perspective is refused there.
	// Required.
	URL string

	Key           []byte           // secret key, >= MinKeyLength bytes; one per perspective, or shared
	Local         *Local           // runs the checks
	Window        time.Duration    // accepted clock difference; 0 means DefaultWindow
	MaxBody       int64            // request body limit; 0 means DefaultMaxBody
	MaxTimeout    time.Duration    // cap on the request's timeout; 0 means DefaultMaxTimeout
	MaxNonces     int              // replay cache size; 0 means DefaultMaxNonces
	MaxConcurrent int              // requests handled at once; 0 means DefaultMaxConcurrent
	Now           func() time.Time // the clock for request freshness; nil means time.Now

	once   sync.Once
	nonces *nonceCache
	slots  chan struct{}
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

// Server returns an http.Server that serves h with timeouts that close
// slow clients: DefaultReadHeaderTimeout for the headers,
// DefaultReadTimeout for the whole request, the handler's MaxTimeout plus
// 10 s to answer, DefaultIdleTimeout between requests, and headers of at
// most DefaultMaxHeaderBytes. Set Addr, TLSConfig and ErrorLog, or wrap its
// Handler, before serving.
func (h *Handler) Server() *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      h.maxTimeout() + 10*time.Second,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
	}
}

// otherVersion reports whether path names the check endpoint of some
// version ("/v1/check").
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

// ServeHTTP authenticates the request's headers, reads its body, runs its
// check and answers with a signed result, or refuses with an error body
// and status: 401 (unauthenticated, stale, replay), 421 (addressed to
// another perspective), 413 (too large), 400 (malformed or bad check), 404
// (unknown path or version), 405, 501 (kind not served), 503 (too many
// requests at once, or replay cache full).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() {
		h.nonces = newNonceCache(orDefault(h.MaxNonces, DefaultMaxNonces))
		h.slots = make(chan struct{}, orDefault(h.MaxConcurrent, DefaultMaxConcurrent))
	})

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
	self, err := h.config()
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeServer, err.Error())
		return
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		writeError(w, http.StatusServiceUnavailable, codeBusy, "too many requests at once; retry later")
		return
	}
	nonce, status, code, err := h.authenticate(r, self)
	if err != nil {
		writeError(w, status, code, err.Error())
		return
	}
	body, err := h.readBody(w, r)
	if errors.Is(err, ErrTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, codeTooLarge, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	}
	if subtle.ConstantTimeCompare([]byte(bodyDigest(body)), []byte(r.Header.Get(HeaderBodyDigest))) != 1 {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated,
			fmt.Sprintf("%v: the body does not match the signed %s", ErrUnauthenticated, HeaderBodyDigest))
		return
	}
	req, err := decodeRequest(body)
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
	h.writeResult(w, self, nonce, res)
}

// config returns the handler's identity, or what is missing.
func (h *Handler) config() (string, error) {
	self, err := Identity(h.URL)
	switch {
	case h.URL == "":
		return "", fmt.Errorf("%w: handler has no URL (its identity)", ErrConfig)
	case err != nil:
		return "", err
	case checkKey(h.Key) != nil:
		return "", fmt.Errorf("%w: handler key: %w", ErrConfig, checkKey(h.Key))
	case h.Local == nil:
		return "", fmt.Errorf("%w: handler has no Local perspective", ErrConfig)
	}
	return self, nil
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
		return nil, fmt.Errorf("%w: reading the body: %v", ErrBadRequest, err)
	}
	return b, nil
}

// authenticate checks, from the headers alone, the form of each signed
// field, the signature, the identity, the timestamp window, then the
// nonce: only an authenticated request addressed to self enters the
// replay cache, and no body is read for any other.
func (h *Handler) authenticate(r *http.Request, self string) (nonce string, status int, code string, err error) {
	unauth := func(format string, a ...any) (string, int, string, error) {
		return "", http.StatusUnauthorized, codeUnauthenticated, fmt.Errorf("%w: %s", ErrUnauthenticated, fmt.Sprintf(format, a...))
	}
	tsText := r.Header.Get(HeaderTimestamp)
	nonce = r.Header.Get(HeaderNonce)
	to := r.Header.Get(HeaderPerspective)
	digest := r.Header.Get(HeaderBodyDigest)
	sig := r.Header.Get(HeaderSignature)
	ts, ok := parseTimestamp(tsText)
	switch {
	case !ok:
		return unauth("missing or malformed %s", HeaderTimestamp)
	case !validNonce(nonce):
		return unauth("missing or malformed %s", HeaderNonce)
	case !validIdentity(to):
		return unauth("missing or malformed %s (want a canonical base URL)", HeaderPerspective)
	case !validDigest(digest):
		return unauth("missing or malformed %s", HeaderBodyDigest)
	case sig == "":
		return unauth("missing %s", HeaderSignature)
	}
	if !validSignature(sig, requestMAC(h.Key, r.Method, signedPath(r), to, tsText, nonce, digest)) {
		return unauth("signature does not match (wrong key, or the request was changed)")
	}
	if to != self {
		return "", http.StatusMisdirectedRequest, codeMisdirected,
			fmt.Errorf("%w: the request is for perspective %s; this is %s", ErrMisdirected, to, self)
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

func (h *Handler) writeResult(w http.ResponseWriter, self, nonce string, res *Result) {
	body, err := json.Marshal(response{Version: Version, Nonce: nonce, Result: res})
	if err != nil {
		writeError(w, http.StatusInternalServerError, codeServer, "encoding the result: "+err.Error())
		return
	}
	ts := strconv.FormatInt(h.now().Unix(), 10)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set(HeaderTimestamp, ts)
	w.Header().Set(HeaderPerspective, self)
	w.Header().Set(HeaderSignature, formatSignature(responseMAC(h.Key, http.StatusOK, self, nonce, ts, body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
