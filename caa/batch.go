package caa

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/pool"
	"github.com/miekg/dns"
)

// BatchResult is the outcome of one request of CheckAll: its Decision, or
// the error Check would have returned (a *LookupError, ErrBadRequest, ...).
type BatchResult struct {
	Request  Request   `json:"request"`            // the request, as given
	Decision *Decision `json:"decision,omitempty"` // nil when Err is set
	Err      error     `json:"-"`                  // what Check would have returned
}

// CheckAll checks many requests, at most Concurrency at a time (default
// 128), and returns one result per request, in request order. A fixed pool
// of workers takes the requests in turn, so memory grows with the bound,
// not with len(reqs).
//
// Names of one registrable domain share their ancestors (a.example.com and
// b.example.com both climb to example.com and com): within the batch each
// DNS question asked for more than one request is sent once, and every
// request that needs it waits for that one answer (single flight). The
// shared answer, a failure included, serves only this batch: nothing is
// kept after CheckAll returns, and CheckAll returns only after every query
// it started has ended. A shared query is bounded by ctx and by
// Timeout, never by the one request that happened to ask first, so one
// request finishing early cannot fail another's lookup.
func (c *Checker) CheckAll(ctx context.Context, reqs []Request) []BatchResult {
	out := make([]BatchResult, len(reqs))
	for i, r := range reqs {
		out[i].Request = r
	}
	if c == nil || c.DNS == nil {
		for i := range out {
			out[i].Err = ErrNoResolver
		}
		return out
	}
	bctx, cancel := context.WithCancel(ctx)
	ex := newBatchExchanger(bctx, c.DNS, c.timeout(), reqs)
	defer func() {
		// Shared queries no request waits for any more end with the batch.
		cancel()
		ex.wg.Wait()
	}()
	n := c.Concurrency
	if n <= 0 {
		n = 128
	}
	pool.Each(n, len(reqs), func(i int) {
		out[i].Decision, out[i].Err = c.check(ctx, reqs[i], ex)
	})
	return out
}

// batchExchanger is the single-flight memo of one CheckAll: questions that
// more than one request of the batch will ask go to the network once;
// the others pass straight through.
type batchExchanger struct {
	ex      Exchanger
	ctx     context.Context // the batch's: bounds every shared query
	timeout time.Duration
	shared  map[string]bool // lower-case FQDNs asked by two requests or more

	mu      sync.Mutex
	flights map[questionKey]*flight
	wg      sync.WaitGroup // running flights
}

// questionKey is what makes two queries the same question.
type questionKey struct {
	name                 string
	qtype, qclass        uint16
	rd, ad, cd, dnssecOK bool
}

// flight is one shared query: done closes when resp and err are set.
type flight struct {
	done chan struct{}
	resp *dns.Msg
	err  error
}

func newBatchExchanger(ctx context.Context, ex Exchanger, timeout time.Duration, reqs []Request) *batchExchanger {
	seen := make(map[string]int)
	for _, r := range reqs {
		d, err := dnsname.Domain(r.Domain)
		if err != nil {
			continue
		}
		for _, name := range levels(dnsname.Base(d)) {
			seen[dnsname.FQDN(name)]++
		}
	}
	shared := make(map[string]bool)
	for name, n := range seen {
		if n > 1 {
			shared[name] = true
		}
	}
	return &batchExchanger{ex: ex, ctx: ctx, timeout: timeout, shared: shared, flights: map[questionKey]*flight{}}
}

// Exchange answers m from the batch's flight for its question when the
// question is shared, else asks the wrapped Exchanger.
func (b *batchExchanger) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if len(m.Question) != 1 || !b.shared[strings.ToLower(m.Question[0].Name)] {
		return b.ex.Exchange(ctx, m)
	}
	q := m.Question[0]
	k := questionKey{name: strings.ToLower(q.Name), qtype: q.Qtype, qclass: q.Qclass,
		rd: m.RecursionDesired, ad: m.AuthenticatedData, cd: m.CheckingDisabled}
	if opt := m.IsEdns0(); opt != nil {
		k.dnssecOK = opt.Do()
	}
	b.mu.Lock()
	f, ok := b.flights[k]
	if !ok {
		f = &flight{done: make(chan struct{})}
		b.flights[k] = f
		b.wg.Go(func() { b.fly(f, m.Copy()) })
	}
	b.mu.Unlock()
	select {
	case <-f.done:
		if f.resp != nil {
			// Each asker gets its own copy: nothing one does with its
			// answer can touch another's.
			return f.resp.Copy(), f.err
		}
		return nil, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fly runs one shared query under the batch's context and Timeout, not
// the first asker's.
func (b *batchExchanger) fly(f *flight, m *dns.Msg) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	f.resp, f.err = b.ex.Exchange(ctx, m)
	close(f.done)
}
