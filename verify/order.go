package verify

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/dcvkit/dcv/internal/pool"
	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
)

// OrderItem is one domain of a multi-domain (UCC/SAN) order: its challenge,
// and for an email challenge the code the applicant submitted.
type OrderItem struct {
	Challenge *challenge.Challenge // the challenge issued for the domain
	EmailCode string               // email challenges only: the code submitted
}

// OrderResult reports a whole order: the worst outcome and every result, in
// the order of the items.
type OrderResult struct {
	Outcome Outcome   `json:"outcome"` // the worst outcome of the items
	Results []*Result `json:"results"` // one per item, in order
}

// VerifyOrder verifies every item concurrently, at most Concurrency at a
// time (default 128). A fixed pool of that many workers takes the items in
// order, so the work in flight grows with the bound, not with the order:
// an item costs nothing until a worker starts it. The order is verified
// only if every item is; the error joins the failures (OutcomeOf gives the
// worst). An order without items is ErrBadInput: nothing checked is
// nothing verified. Items not started when ctx ends fail with ErrTimeout.
// VerifyOrder keeps every Result; VerifyEach hands each one over instead.
func (v *Verifier) VerifyOrder(ctx context.Context, items []OrderItem) (*OrderResult, error) {
	if len(items) == 0 {
		err := errNoItems()
		return &OrderResult{Outcome: OutcomeOf(err)}, err
	}
	res := &OrderResult{Results: make([]*Result, len(items))}
	errs := make([]error, len(items))
	v.each(ctx, items, func(i int, r *Result, err error) { res.Results[i], errs[i] = r, err })
	err := errors.Join(errs...)
	res.Outcome = OutcomeOf(err)
	return res, err
}

// VerifyEach verifies the items as VerifyOrder does (the same bounded
// pool, the same sharing) but keeps no results: fn gets each item's
// index, result and error as soon as its check ends, one call at a time
// (fn needs no lock), in the order the checks end. Memory then stays flat
// however many items there are: a re-validation of 100,000 names can
// write each result out as it comes. A slow fn holds up the workers.
//
// It returns the order's outcome, the worst of the items', and nil only
// if every item was verified; otherwise an *OrderError that counts the
// failures and carries the error of the first item with that outcome. An
// order without items is ErrBadInput.
func (v *Verifier) VerifyEach(ctx context.Context, items []OrderItem, fn func(i int, r *Result, err error)) (Outcome, error) {
	if len(items) == 0 {
		err := errNoItems()
		return OutcomeOf(err), err
	}
	var mu sync.Mutex
	oe := &OrderError{Total: len(items), Index: -1}
	v.each(ctx, items, func(i int, r *Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			oe.Failed++
			if o, worst := OutcomeOf(err), OutcomeOf(oe.Err); oe.Err == nil || o > worst || o == worst && i < oe.Index {
				oe.Index, oe.Err = i, err
			}
		}
		if fn != nil {
			fn(i, r, err)
		}
	})
	if oe.Err == nil {
		return Verified, nil
	}
	return OutcomeOf(oe.Err), oe
}

// OrderError is VerifyEach's error when some items were not verified:
// how many, and the first item (by index) with the worst outcome. It
// unwraps to that item's error, so errors.Is, errors.As and OutcomeOf
// see it.
type OrderError struct {
	Failed int   // items not verified
	Total  int   // items in the order
	Index  int   // the item whose error Err is
	Err    error // that item's error
}

// Error says how many items failed and why the first of the worst did.
func (e *OrderError) Error() string {
	return fmt.Sprintf("%d of %d items not verified; item %d: %v", e.Failed, e.Total, e.Index, e.Err)
}

// Unwrap returns the error of item Index.
func (e *OrderError) Unwrap() error { return e.Err }

func errNoItems() error { return newError(ErrBadInput, "order", errors.New("no items to verify")) }

// each runs the order's checks on the pool and gives each result to fn,
// from the worker that ran it.
func (v *Verifier) each(ctx context.Context, items []OrderItem, fn func(i int, r *Result, err error)) {
	n := v.Concurrency
	if n <= 0 {
		n = 128
	}
	ov := v.forOrder(ctx, items)
	pool.Each(n, len(items), func(i int) {
		r, err := ov.verifyItem(ctx, items[i])
		fn(i, r, err)
	})
}

// forOrder returns the verifier for the items of one order. In
// authoritative mode the names of an order share their zones' SOA, NS and
// name-server address lookups: each question goes to the recursive
// resolver once per order while its TTL lasts (resolve.Shared), and the
// evidence of a shared answer says so (Evidence.Shared). The per-server
// questions, the ones being checked, are never shared.
func (v *Verifier) forOrder(ctx context.Context, items []OrderItem) *Verifier {
	if v.Authoritative == nil {
		return v
	}
	opt := *v.Authoritative
	base := v.dns()
	shared := opt.Cache.sharedFor(v.DNS)
	if shared != nil {
		base = shared.Exchanger // v.DNS, or the cache's own client for nil
	}
	if opt.Servers == nil {
		sx, ok := base.(ServerExchanger)
		if !ok {
			return v // checkAuthoritative reports it
		}
		opt.Servers = sx
	}
	if shared == nil {
		shared = &resolve.Shared{Exchanger: base, Ctx: ctx, Share: sharedZoneWalk(items)}
	}
	ov := *v // a copy: the caller's verifier is not changed
	ov.DNS = &orderDNS{Shared: shared, base: base}
	ov.Authoritative = &opt
	return &ov
}

// ZoneCache lets authoritative mode share its zone walks across checks
// and orders for as long as the caller keeps it (AuthOptions.Cache): the
// recursive resolver's answers to the SOA, NS, name-server address and
// DNSSEC key questions, each while its TTL lasts (at most 5 minutes), at
// most 65,536 at once. Concurrent askers wait for one answer; a failure
// or an error rcode is never kept; the Evidence of a kept answer says
// Shared. The records being checked are never kept: every check asks the
// authoritative servers itself. Without a ZoneCache, an order shares its
// walks among its own items only.
//
// The zero value is ready. A ZoneCache serves the first Verifier.DNS it
// is used with (for a nil one, a DNSClient of its own, as Verifier would
// make); with any other, checks run as if it were not set.
type ZoneCache struct {
	mu     sync.Mutex
	dns    Exchanger // the Verifier.DNS it serves, nil included
	shared *resolve.Shared
}

// sharedFor returns the cache's flights for a Verifier whose DNS is dns,
// nil for a nil cache or one that serves another Exchanger.
func (z *ZoneCache) sharedFor(dns Exchanger) *resolve.Shared {
	if z == nil {
		return nil
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.shared == nil {
		base := dns
		if base == nil {
			base = &DNSClient{}
		}
		z.dns = dns
		z.shared = &resolve.Shared{Exchanger: base, Share: zoneWalkQuestion}
	}
	if !sameExchanger(z.dns, dns) {
		return nil
	}
	return z.shared
}

// sameExchanger compares two Exchangers without the panic == gives for
// values of an uncomparable type.
func sameExchanger(a, b Exchanger) bool {
	ta := reflect.TypeOf(a)
	if ta == nil || ta != reflect.TypeOf(b) || !ta.Comparable() {
		return a == nil && b == nil
	}
	return a == b
}

// zoneWalkQuestion says which questions a ZoneCache keeps: those of zone
// walks and of DNSSEC chains, never the record types a check looks for.
func zoneWalkQuestion(q dns.Question) bool {
	switch q.Qtype {
	case dns.TypeSOA, dns.TypeNS, dns.TypeA, dns.TypeAAAA, dns.TypeDS, dns.TypeDNSKEY:
		return true
	}
	return false
}

// sharedZoneWalk says which questions of an order's zone walks are worth
// sharing: an SOA query for a name that two items' walks ask (the zone
// apex and above, typically), and every other question (the NS set and
// the name servers' addresses). A name only one item asks goes straight
// to the resolver: no flight, nothing kept.
func sharedZoneWalk(items []OrderItem) func(dns.Question) bool {
	seen := make(map[string]int)
	for _, it := range items {
		c := it.Challenge
		if c == nil || c.Record == nil {
			continue
		}
		for n := strings.ToLower(trimDot(c.Record.Name)); n != ""; _, n, _ = strings.Cut(n, ".") {
			seen[n+"."]++
		}
	}
	return func(q dns.Question) bool {
		return q.Qtype != dns.TypeSOA || seen[strings.ToLower(q.Name)] != 1
	}
}

// orderDNS is the recursive resolver of one order: questions shared, and
// the DNSSEC validator (with its DS/DNSKEY cache) of the base client, or
// one for the whole order.
type orderDNS struct {
	*resolve.Shared
	base Exchanger

	once sync.Once
	val  *dnssec.Validator

	mu    sync.Mutex
	zones map[string][]AuthServer // "zone port" -> its servers, as found in this order
}

// rememberZone records the servers found for zone.
func (o *orderDNS) rememberZone(zone, port string, servers []AuthServer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.zones == nil {
		o.zones = make(map[string][]AuthServer)
	}
	o.zones[zone+" "+port] = servers
}

// serversFor returns the servers of the deepest zone found in this order
// that encloses name, or nil.
func (o *orderDNS) serversFor(name, port string) []AuthServer {
	o.mu.Lock()
	defer o.mu.Unlock()
	for n := strings.ToLower(trimDot(name)); n != ""; _, n, _ = strings.Cut(n, ".") {
		if s, ok := o.zones[n+" "+port]; ok {
			return s
		}
	}
	return nil
}

func (o *orderDNS) String() string { return serverName(o.base) }

// DNSSECValidator returns the base client's validator for anchors, or one
// kept for the order.
func (o *orderDNS) DNSSECValidator(anchors []dns.RR) *dnssec.Validator {
	if vs, ok := o.base.(resolve.ValidatorSource); ok {
		return vs.DNSSECValidator(anchors)
	}
	o.once.Do(func() { o.val = &dnssec.Validator{Anchors: anchors} })
	return o.val
}

func (v *Verifier) verifyItem(ctx context.Context, it OrderItem) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return v.finish(&Result{}, v.begin(), newError(ErrTimeout, "order", err))
	}
	if it.Challenge != nil && it.Challenge.Method == challenge.Email {
		return v.VerifyEmail(it.Challenge, it.EmailCode)
	}
	return v.Verify(ctx, it.Challenge)
}

// PollOptions controls Poll and Retry. The zero value waits 10 s after the
// first attempt, growing by half each time up to 2 min, and bounds an
// attempt only by the context. Pauses are never shorter than
// MinPollInterval: a smaller Interval or MaxInterval is raised to it, so a
// typo cannot turn polling into a flood of queries.
type PollOptions struct {
	Interval       time.Duration                           // first pause, default 10s
	MaxInterval    time.Duration                           // longest pause, default 2m
	AttemptTimeout time.Duration                           // bound on each attempt; 0: the context only
	OnAttempt      func(attempt int, r *Result, err error) // Poll only: progress, e.g. a status line
}

// MinPollInterval is the shortest pause Poll and Retry make between
// attempts, whatever PollOptions asks for.
const MinPollInterval = time.Second

// Poll verifies c until it passes, fails terminally (see Terminal), or ctx
// is done: the "wait a few minutes and retry" of the Alibaba Cloud and
// SSL.com DCV pages, automated. It returns the last attempt's result.
func (v *Verifier) Poll(ctx context.Context, c *challenge.Challenge, opt PollOptions) (*Result, error) {
	return Retry(ctx, opt, func(ctx context.Context, n int) (*Result, error) {
		r, err := v.Verify(ctx, c)
		if opt.OnAttempt != nil {
			opt.OnAttempt(n, r, err)
		}
		return r, err
	})
}

// Retry runs attempt (numbered from 1) until it returns no error, a
// terminal one, or ctx is done, pausing between attempts as opt says. It
// returns the last attempt's value and error: when ctx ends during a pause,
// that is the last real answer, not a timeout. Poll is Retry over Verify;
// use Retry for other checks (VerifyTXT, VerifyFiles, VerifyOrder).
func Retry[T any](ctx context.Context, opt PollOptions, attempt func(ctx context.Context, n int) (T, error)) (T, error) {
	wait, most := opt.Interval, opt.MaxInterval
	if wait <= 0 {
		wait = 10 * time.Second
	}
	if most <= 0 {
		most = 2 * time.Minute
	}
	wait = max(wait, MinPollInterval)
	most = max(most, wait)
	var lastRes T
	var lastErr error
	for n := 1; ; n++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if opt.AttemptTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, opt.AttemptTimeout)
		}
		res, err := attempt(actx, n)
		cancel()
		if err != nil && n > 1 && ctx.Err() != nil {
			// The wait ended during this attempt: the last complete
			// attempt's answer stands, not a timeout of its own making.
			return lastRes, lastErr
		}
		if err == nil || Terminal(err) || ctx.Err() != nil {
			return res, err
		}
		lastRes, lastErr = res, err
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, err
		case <-t.C:
		}
		if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && !time.Now().Before(dl) {
			// The timer and the deadline fired together (the context may
			// not know it yet): the last complete attempt stands, not one
			// started without time to run.
			return res, err
		}
		wait = min(wait+wait/2, most)
	}
}

// Terminal reports failures that retrying cannot fix: an expired challenge,
// bad input, a refused port or address, a wrong email code.
func Terminal(err error) bool {
	for _, k := range []error{ErrExpired, ErrBadInput, ErrPortNotAllowed, ErrAddressRefused, ErrCodeMismatch} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
