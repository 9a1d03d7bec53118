package caa

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dcvkit/dcv/internal/dnsname"
	"github.com/dcvkit/dcv/internal/flight"
	"github.com/dcvkit/dcv/internal/pool"
	"github.com/dcvkit/dcv/internal/resolve"
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
// level asked for more than one request is looked up once, and every
// request that needs it waits for that one answer (single flight), read
// and parsed once. The shared answer, a failure included, serves only this
// batch: nothing is kept after CheckAll returns, and CheckAll returns only
// after every query it started has ended. A shared lookup is bounded by
// ctx and by Timeout, never by the one request that happened to ask first,
// so one request finishing early cannot fail another's lookup.
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
	vs := make([]vetted, len(reqs))
	var issuers []string
	var issuersErr error
	for i, r := range reqs {
		if i == 0 || !slices.Equal(r.Issuers, reqs[i-1].Issuers) {
			// The usual batch names one CA throughout: vetted once.
			issuers, issuersErr = vetIssuers(r.Issuers)
		}
		domain, err := c.vetDomain(r.Domain)
		if err == nil {
			err = issuersErr
		}
		if err != nil {
			out[i].Err = err
			continue
		}
		vs[i] = vetted{domain: domain, issuers: issuers}
	}
	bctx, cancel := context.WithCancel(ctx)
	b := newBatch(bctx, c.resolver(), c.timeout(), vs)
	defer func() {
		// Shared lookups no request waits for any more end with the batch.
		cancel()
		b.wg.Wait()
	}()
	n := c.Concurrency
	if n <= 0 {
		n = 128
	}
	pool.Each(n, len(reqs), func(i int) {
		if out[i].Err != nil {
			return
		}
		v := vs[i]
		// Each Decision owns its Issuers: a caller changing one changes
		// no other.
		v.issuers = slices.Clone(v.issuers)
		out[i].Decision, out[i].Err = c.check(ctx, reqs[i], v, b.r, b)
	})
	return out
}

// batch is what the requests of one CheckAll share: one Resolver, and one
// lookup for each level that more than one request climbs through.
type batch struct {
	ctx     context.Context // the batch's: bounds every shared lookup
	r       *resolve.Resolver
	timeout time.Duration
	flights map[string]*sharedLevel // by level name; read only once built
	wg      sync.WaitGroup          // running flights
}

// sharedLevel is the one lookup of a shared level, started by its first asker.
type sharedLevel struct {
	*flight.Call[levelResult]
	name    string
	started atomic.Bool
	last    atomic.Pointer[verdict] // the latest evaluation of the answer's rrs
}

// verdict is an evaluation of a flight's RRset and what it depended on:
// names of one batch mostly ask the same of the same records.
type verdict struct {
	issuers         []string
	wild            bool
	account, method string
	at              place
	e               Evaluation
}

// evaluate is evaluate(req, rrs, at) on the flight's ended answer, made
// once for every run of requests that ask the same (same CA, wildcard,
// account and method).
func (f *sharedLevel) evaluate(req Request, at place) Evaluation {
	if v := f.last.Load(); v != nil && v.wild == req.Wildcard && v.account == req.AccountURI &&
		v.method == req.Method && v.at == at && slices.Equal(v.issuers, req.Issuers) {
		return v.e
	}
	res, _ := f.Peek()
	e := evaluate(req, res.rrs, at)
	f.last.Store(&verdict{issuers: req.Issuers, wild: req.Wildcard, account: req.AccountURI,
		method: req.Method, at: at, e: e})
	return e
}

func newBatch(ctx context.Context, r *resolve.Resolver, timeout time.Duration, vs []vetted) *batch {
	seen := make(map[string]int)
	for _, v := range vs {
		if v.domain != "" {
			for _, name := range levels(dnsname.Base(v.domain)) {
				seen[name]++
			}
		}
	}
	flights := make(map[string]*sharedLevel)
	for name, n := range seen {
		if n > 1 {
			flights[name] = &sharedLevel{Call: flight.NewCall[levelResult](), name: name}
		}
	}
	return &batch{ctx: ctx, r: r, timeout: timeout, flights: flights}
}

// shared returns the index of the first of names (a name and its
// ancestors, bottom first) from which on the batch shares every level,
// len(names) if it shares none, and starts the lookups of those levels.
// An ancestor of a shared level is always shared too.
func (b *batch) shared(names []string) int {
	k := len(names)
	for k > 0 && b.flights[names[k-1]] != nil {
		k--
	}
	for _, n := range names[k:] {
		if f := b.flights[n]; !f.started.Load() && f.started.CompareAndSwap(false, true) {
			b.wg.Go(func() { b.fly(f) })
		}
	}
	return k
}

// fly runs one shared lookup under the batch's context and Timeout, not
// the first asker's.
func (b *batch) fly(f *sharedLevel) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	f.Finish(query(ctx, b.r, f.name))
}

// wait returns the answer of the shared level name, or a *LookupError when
// ctx ends first.
func (b *batch) wait(ctx context.Context, name string) levelResult {
	res, err := b.flights[name].Wait(ctx)
	if err != nil {
		return levelResult{err: &LookupError{Name: name, Rcode: -1, Err: err}}
	}
	return res
}
