package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// redirectPolicy says what fetch does with a 3xx response.
type redirectPolicy int

const (
	// noRedirects: any 3xx is a failure (ErrRedirect, with the status and
	// Location), as the Alibaba Cloud and SSL.com DCV pages require.
	noRedirects redirectPolicy = iota
	// followBR: BR 3.2.2.4.18/.19 — follow 301, 302, 307 and 308 only, to
	// http/https on ports 80/443 only, at most maxRedirects times, every hop
	// through the same HTTPDoer (and so the same address guard); the final
	// response must be 2xx.
	followBR
)

// maxRedirects bounds followBR: the BR sets no limit; Boulder uses 10.
const maxRedirects = 10

// Evidence limits: the body lines kept per hop.
const (
	evidenceBodyBytes = 256
	evidenceBodyLines = 5
)

// fetchResult is what fetch saw: the first and last URL, the final status
// and body, and one Evidence per request (plus the DNS lookups the doer
// reported). It is filled as far as fetch got, on failure too.
type fetchResult struct {
	URL      string
	FinalURL string
	Status   int
	Body     []byte
	Evidence []Evidence
}

// fetch GETs rawURL through doer, applying policy to redirects, and returns
// the body of the final 2xx response, refusing one over maxBody bytes
// (0: DefaultMaxBody). The context bounds everything, body reads included,
// whatever the doer; HTTPClient also bounds each request by its Timeout.
// Errors are *Error: ErrRedirect (a redirect the policy refuses — also
// wrapping ErrPortNotAllowed when the Location has another port),
// ErrHTTPStatus (any status but 2xx and 3xx, and 206), ErrBodyTooLarge,
// ErrPortNotAllowed or ErrBadInput for rawURL itself, or the doer's error.
func fetch(ctx context.Context, doer HTTPDoer, rawURL string, policy redirectPolicy, maxBody int64) (fetchResult, error) {
	res := fetchResult{URL: rawURL, FinalURL: rawURL}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return res, newError(ErrBadInput, rawURL, err)
	}
	if _, _, err := targetOf(u); err != nil {
		return res, err
	}
	for hops := 0; ; hops++ {
		res.FinalURL = u.String()
		h, err := fetchOne(ctx, doer, u, maxBody)
		res.Evidence = append(res.Evidence, h.evidence...)
		res.Status = h.status
		if err != nil {
			return res, err
		}
		target := u.Redacted()
		switch s := h.status; {
		case s >= 200 && s <= 299 && s != http.StatusPartialContent:
			// 206 carries part of a resource (never asked for: no Range
			// header is sent), so it is not the file.
			res.Body = h.body
			return res, nil
		case s >= 300 && s <= 399:
			next, err := redirectTarget(u, h, policy, hops)
			if err != nil {
				e := newError(ErrRedirect, target, err)
				e.Seen, e.Server = redirectSeen(h), h.server
				return res, e
			}
			u = next
		default:
			e := newError(ErrHTTPStatus, target, fmt.Errorf("status %d %s", s, http.StatusText(s)))
			e.Seen = []string{"HTTP " + strconv.Itoa(s)}
			e.Server = h.server
			return res, e
		}
	}
}

// redirectTarget returns where a followable redirect leads, or why it is
// refused.
func redirectTarget(from *url.URL, h hop, policy redirectPolicy, hops int) (*url.URL, error) {
	switch {
	case policy != followBR:
		return nil, fmt.Errorf("status %d to %q: redirects are not allowed", h.status, h.location)
	case h.status != 301 && h.status != 302 && h.status != 307 && h.status != 308:
		return nil, fmt.Errorf("status %d: only 301, 302, 307 and 308 are followed", h.status)
	case h.location == "":
		return nil, fmt.Errorf("status %d without a Location", h.status)
	case hops >= maxRedirects:
		return nil, fmt.Errorf("more than %d redirects", maxRedirects)
	}
	next, err := from.Parse(h.location)
	if err != nil {
		return nil, fmt.Errorf("bad Location: %w", err)
	}
	if _, _, err := targetOf(next); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == ErrPortNotAllowed {
			return nil, fmt.Errorf("redirect to %s: %w", next.Redacted(), ErrPortNotAllowed)
		} else if e != nil {
			return nil, fmt.Errorf("redirect to %s: %v", next.Redacted(), e.Err)
		}
		return nil, err
	}
	return next, nil
}

func redirectSeen(h hop) []string {
	seen := []string{"HTTP " + strconv.Itoa(h.status)}
	if h.location != "" {
		seen = append(seen, "Location: "+h.location)
	}
	return seen
}

// hop is what one request returned.
type hop struct {
	status   int
	location string
	server   string
	body     []byte // the whole body of a 2xx response
	evidence []Evidence
}

// fetchOne sends one GET and, for a 2xx, reads the body within maxBody.
func fetchOne(ctx context.Context, doer HTTPDoer, u *url.URL, maxBody int64) (h hop, _ error) {
	var lookups []Evidence // the doer's DNS lookups, if it reports them
	ev := Evidence{Protocol: "http", Query: "GET " + u.Redacted(), Time: time.Now().UTC()}
	defer func() {
		ev.Duration = time.Since(ev.Time)
		h.evidence = append(lookups, ev)
	}()
	fail := func(err error) (hop, error) {
		ev.Error = err.Error()
		return h, err
	}

	var server string
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if a := info.Conn.RemoteAddr(); a != nil {
			server = a.String()
		}
	}}
	rctx := httptrace.WithClientTrace(ctx, trace)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(newError(ErrBadInput, u.Redacted(), err))
	}
	var resp *http.Response
	if ed, ok := doer.(EvidenceDoer); ok {
		resp, lookups, err = ed.DoWithEvidence(req)
	} else {
		resp, err = doer.Do(req)
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = newError(netKind(ctx, err), u.Redacted(), err)
		}
		ev.Server = e.Server
		return fail(e)
	}
	if resp == nil { // a broken HTTPDoer: no answer is no file
		return fail(newError(ErrConnection, u.Redacted(), errors.New("no response")))
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	defer resp.Body.Close()
	// Reading stops when ctx ends, even through a doer whose body ignores
	// it: a server that sends headers and stalls cannot hold the check.
	stop := context.AfterFunc(ctx, func() { _ = resp.Body.Close() })
	defer stop()
	h.status, h.location, h.server = resp.StatusCode, resp.Header.Get("Location"), server
	ev.Server, ev.Status, ev.Location = server, resp.StatusCode, h.location

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A glimpse of an error page helps the applicant; the rest is unread.
		snip, _ := io.ReadAll(io.LimitReader(resp.Body, evidenceBodyBytes))
		ev.Answer = bodyLines(snip)
		return h, nil
	}
	body, err := readLimited(ctx, resp, maxBody)
	ev.Answer = bodyLines(body)
	if err != nil {
		e := newError(netKind(ctx, err), u.Redacted(), err)
		if errors.Is(err, ErrBodyTooLarge) {
			e = newError(ErrBodyTooLarge, u.Redacted(), err)
		}
		e.Server = server
		return fail(e)
	}
	h.body = body
	return h, nil
}

// readLimited reads the whole body, refusing one over maxBody bytes: a
// truncated body must never match.
func readLimited(ctx context.Context, resp *http.Response, maxBody int64) ([]byte, error) {
	if resp.ContentLength > maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d, limit %d bytes", ErrBodyTooLarge, resp.ContentLength, maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("reading body: %w", ctx.Err())
		}
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, maxBody)
	}
	return body, nil
}

// bodyLines returns the first lines of b for evidence, within the limits.
func bodyLines(b []byte) []string {
	b = b[:min(len(b), evidenceBodyBytes)]
	var out []string
	for line := range bytes.Lines(b) {
		if len(out) == evidenceBodyLines {
			break
		}
		out = append(out, strings.ToValidUTF8(strings.TrimRight(string(line), "\r\n"), "\uFFFD"))
	}
	return out
}

// netKind classifies a transport error from a doer that is not HTTPClient.
func netKind(ctx context.Context, err error) error {
	if ctx.Err() != nil || isTimeout(err) || errors.Is(err, context.Canceled) {
		return ErrTimeout
	}
	return ErrConnection
}
