package verifytest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// route is what one path answers.
type route struct {
	status   int
	body     string
	location string
	perByte  time.Duration // drip-feed the body, one byte per interval
}

// Responder is an http.Handler that answers configured paths, such as
// /.well-known/pki-validation/fileauth.txt, and 404 for every other path.
// The Host header and query string are ignored: use one Responder per site.
// The zero value is not usable; call NewResponder. Safe for concurrent use.
type Responder struct {
	mu       sync.Mutex
	routes   map[string]route
	delay    time.Duration
	requests map[string]int
}

// NewResponder returns a Responder that answers 404 everywhere.
func NewResponder() *Responder {
	return &Responder{routes: make(map[string]route), requests: make(map[string]int)}
}

func (r *Responder) set(path string, rt route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[path] = rt
}

// Set makes path answer 200 with body as text/plain.
func (r *Responder) Set(path, body string) {
	r.set(path, route{status: http.StatusOK, body: body})
}

// SetStatus makes path answer code, e.g. 404 or 500, with the status text
// as body (an empty body for 2xx codes).
func (r *Responder) SetStatus(path string, code int) {
	body := ""
	if code < 200 || code > 299 {
		body = http.StatusText(code) + "\n"
	}
	r.set(path, route{status: code, body: body})
}

// SetRedirect makes path answer code (301, 302, 307, 308, ...) with a
// Location header of location, which may be relative or absolute.
func (r *Responder) SetRedirect(path string, code int, location string) {
	r.set(path, route{status: code, location: location})
}

// SetSlowBody makes path answer 200 and send body one byte every perByte,
// for tests of read deadlines and slow-body limits.
func (r *Responder) SetSlowBody(path, body string, perByte time.Duration) {
	r.set(path, route{status: http.StatusOK, body: body, perByte: perByte})
}

// SetDelay makes every request wait d before the headers are written.
func (r *Responder) SetDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// Remove makes path answer 404 again.
func (r *Responder) Remove(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.routes, path)
}

// Requests reports how many requests for path arrived, configured or not.
func (r *Responder) Requests(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[path]
}

// ServeHTTP answers req from the configured paths.
func (r *Responder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path := req.URL.Path
	r.mu.Lock()
	r.requests[path]++
	rt, ok := r.routes[path]
	delay := r.delay
	r.mu.Unlock()

	ctx := req.Context()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
	if !ok {
		http.NotFound(w, req)
		return
	}
	if rt.location != "" {
		w.Header().Set("Location", rt.location)
		w.WriteHeader(rt.status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(rt.body)))
	w.WriteHeader(rt.status)
	if rt.perByte <= 0 {
		_, _ = w.Write([]byte(rt.body))
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	t := time.NewTicker(rt.perByte)
	defer t.Stop()
	for i := 0; i < len(rt.body); i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.Write([]byte{rt.body[i]}); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
