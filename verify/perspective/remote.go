package perspective

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Remote defaults.
const (
	DefaultRemoteTimeout = 10 * time.Second
	DefaultMaxResponse   = 8 << 20
)

// Remote is a perspective in another region, reached over HTTP: a client of
// a Handler deployed there. Label and Region are what the corroborator
// counts; the handler's own view of itself is kept in Result.ServedBy.
//
// The URL is the remote's identity: every request is signed for it, and
// only an answer signed by the handler configured with that URL (its
// Handler.URL) is accepted, so a request or an answer relayed between
// perspectives never counts. Use https:// URLs; plain http:// leaves the
// check and its result readable (though not changeable) on the path.
type Remote struct {
	URL           string // base URL, e.g. "https://mpic-eu.example.net"; CheckPath is appended
	Key           []byte // this remote's secret key (or one shared by all), >= MinKeyLength bytes
	Label, Region string // how results name this perspective, and its region

	// Client sends the requests; nil means a client over
	// http.DefaultTransport. Redirects are never followed, whatever the
	// client's CheckRedirect says. Set its Transport's TLS config for
	// HTTPS with a private CA or client certificates (mutual TLS).
	Client *http.Client

	Timeout     time.Duration    // when ctx has no deadline; 0 means DefaultRemoteTimeout
	MaxResponse int64            // response body limit; 0 means DefaultMaxResponse
	Now         func() time.Time // request timestamps; nil means time.Now
	Rand        io.Reader        // nonces; nil means crypto/rand
}

// RemoteError is a remote perspective's failure: unreachable, refused by
// the handler (Status and Code set) or a bad response. It wraps Kind (one
// of this package's sentinels, for errors.Is) and the cause.
type RemoteError struct {
	Label   string // the remote's label
	URL     string // the remote's URL
	Status  int    // HTTP status, 0 if none arrived
	Code    string // the handler's error code, if any
	Message string // the remote's error message, if it sent one
	Kind    error  // one of the Err* values
	Err     error  // the cause, if any
}

// Error names the remote and says why it failed.
func (e *RemoteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "perspective: %s at %s: %s", e.Label, e.URL, strings.TrimPrefix(e.Kind.Error(), "perspective: "))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the kind and the cause.
func (e *RemoteError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Info returns the label (the URL's host if empty), the region and the
// endpoint: the host and port the remote is reached at, in one spelling,
// so that one server configured twice is refused rather than counted
// twice.
func (r *Remote) Info() Info {
	label := r.Label
	if label == "" {
		if u, err := url.Parse(r.URL); err == nil && u.Host != "" {
			label = u.Host
		} else {
			label = r.URL
		}
	}
	return Info{Label: label, Region: r.Region, Endpoint: r.serverAddr()}
}

// endpoint returns the remote's identity and the URL of its check endpoint.
func (r *Remote) endpoint() (identity string, endpoint *url.URL, err error) {
	identity, err = Identity(r.URL)
	if err != nil {
		return "", nil, err
	}
	u, err := url.Parse(identity + CheckPath)
	if err != nil {
		return "", nil, fmt.Errorf("%w: remote URL: %w", ErrConfig, err)
	}
	return identity, u, nil
}

// serverAddr is the host and port the remote is reached at, in one
// spelling (lower case, no trailing dot, canonical IP, explicit port), or
// "" for a URL that endpoint refuses. The path is left out: two paths on
// one server are one vantage point.
func (r *Remote) serverAddr() string {
	_, u, err := r.endpoint()
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func (r *Remote) client() *http.Client {
	c := http.Client{Transport: http.DefaultTransport}
	if r.Client != nil {
		c = *r.Client // a copy: the caller's client is not changed
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (r *Remote) nonce() (string, error) {
	src := r.Rand
	if src == nil {
		src = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(src, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// requestTimeout is what the handler is told: the time left before ctx's
// deadline, less a margin for the trip back.
func requestTimeout(ctx context.Context) int64 {
	d, _ := ctx.Deadline()
	left := time.Until(d)
	left -= min(left/10, 250*time.Millisecond)
	return max(left.Milliseconds(), 1)
}

// Run sends c to the handler and returns its signed, verified result.
// Any failure (unreachable, refused, timeout, unsigned or mismatched
// response) is a *RemoteError: no determination, never agreement.
func (r *Remote) Run(ctx context.Context, c Check) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	info := r.Info()
	fail := func(status int, kind error, cause error) (*Result, error) {
		return nil, &RemoteError{Label: info.Label, URL: r.URL, Status: status, Kind: kind, Err: cause}
	}
	if err := checkKey(r.Key); err != nil {
		return nil, err
	}
	identity, endpoint, err := r.endpoint()
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, orDefault(r.Timeout, DefaultRemoteTimeout))
		defer cancel()
	}
	nonce, err := r.nonce()
	if err != nil {
		return fail(0, ErrUnreachable, fmt.Errorf("drawing a nonce: %w", err))
	}
	body, err := json.Marshal(Request{Version: Version, TimeoutMS: requestTimeout(ctx), Check: c})
	if err != nil {
		return nil, fmt.Errorf("%w: encoding: %w", ErrBadCheck, err)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderPerspective, identity)
	digest := bodyDigest(body)
	req.Header.Set(HeaderBodyDigest, digest)
	req.Header.Set(HeaderSignature, formatSignature(requestMAC(r.Key, http.MethodPost, req.URL.EscapedPath(), identity, ts, nonce, digest)))

	start := time.Now()
	resp, err := r.client().Do(req)
	if err != nil {
		return fail(0, ErrUnreachable, err)
	}
	defer resp.Body.Close()
	limit := orDefault(r.MaxResponse, DefaultMaxResponse)
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fail(resp.StatusCode, ErrUnreachable, fmt.Errorf("reading the response: %w", err))
	}
	if int64(len(data)) > limit {
		return fail(resp.StatusCode, ErrBadResponse, fmt.Errorf("response body over %d bytes", limit))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, refusal(info.Label, r.URL, resp.StatusCode, data)
	}
	if from := resp.Header.Get(HeaderPerspective); from != identity {
		return fail(resp.StatusCode, ErrBadResponse, fmt.Errorf("answer from perspective %q, not from %s (relayed, or the remote is configured with another URL)", truncate(from, 200), identity))
	}
	mac := responseMAC(r.Key, http.StatusOK, identity, nonce, resp.Header.Get(HeaderTimestamp), data)
	if !validSignature(resp.Header.Get(HeaderSignature), mac) {
		return fail(resp.StatusCode, ErrBadResponse, fmt.Errorf("answer not signed with this remote's key for %s", identity))
	}
	res, err := decodeResponse(data, nonce, c.Determination)
	if err != nil {
		return fail(resp.StatusCode, ErrBadResponse, err)
	}
	res.ServedBy = Info{Label: res.Label, Region: res.Region}.String()
	res.Label, res.Region = info.Label, info.Region
	res.Duration = time.Since(start)
	return res, nil
}

// refusal turns a non-200 answer into a *RemoteError wrapping the sentinel
// of the handler's error code.
func refusal(label, u string, status int, data []byte) error {
	e := &RemoteError{Label: label, URL: u, Status: status, Kind: ErrServer}
	var body response
	if json.Unmarshal(data, &body) == nil && body.Error != nil {
		e.Code, e.Kind = body.Error.Code, errorForCode(body.Error.Code)
		// The handler's message starts with what the code says already.
		e.Message = truncate(strings.TrimPrefix(body.Error.Message, e.Kind.Error()+": "), 500)
	} else {
		e.Message = truncate(strings.TrimSpace(string(data)), 200)
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// decodeResponse reads a signed 200 body and checks that it answers the
// request: same version, the request's nonce, a result of the determination asked
// whose verdict agrees with its evidence.
func decodeResponse(data []byte, nonce string, d Determination) (*Result, error) {
	var body response
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, err
	}
	switch {
	case body.Version != Version:
		return nil, fmt.Errorf("version %d, want %d", body.Version, Version)
	case body.Nonce != nonce:
		return nil, errors.New("response answers another request (nonce differs)")
	case body.Result == nil:
		return nil, errors.New("no result")
	case body.Result.Determination != d:
		return nil, fmt.Errorf("%q result for a %q check", body.Result.Determination, d)
	case body.Result.Verdict == Pass && !body.Result.Passed():
		return nil, errors.New("pass verdict without passing evidence")
	}
	return body.Result, nil
}
