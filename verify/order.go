package verify

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dcvkit/dcv/challenge"
)

// OrderItem is one domain of a multi-domain (UCC/SAN) order: its challenge,
// and for an email challenge the code the applicant submitted.
type OrderItem struct {
	Challenge *challenge.Challenge
	EmailCode string
}

// OrderResult reports a whole order: the worst outcome and every result, in
// the order of the items.
type OrderResult struct {
	Outcome Outcome   `json:"outcome"`
	Results []*Result `json:"results"`
}

// VerifyOrder verifies every item concurrently, at most Concurrency at a
// time. The order is verified only if every item is; the error joins the
// failures (OutcomeOf gives the worst).
func (v *Verifier) VerifyOrder(ctx context.Context, items []OrderItem) (*OrderResult, error) {
	n := v.Concurrency
	if n <= 0 {
		n = 128
	}
	sem := make(chan struct{}, n)
	res := &OrderResult{Results: make([]*Result, len(items))}
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				e := newError(ErrTimeout, "order", ctx.Err())
				res.Results[i], errs[i] = v.finish(&Result{}, v.now(), e)
				return
			}
			if it.Challenge != nil && it.Challenge.Method == challenge.Email {
				res.Results[i], errs[i] = v.VerifyEmail(it.Challenge, it.EmailCode)
				return
			}
			res.Results[i], errs[i] = v.Verify(ctx, it.Challenge)
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	res.Outcome = OutcomeOf(err)
	return res, err
}

// PollOptions controls Poll. The zero value waits 10 s after the first
// attempt, growing by half each time up to 2 min.
type PollOptions struct {
	Interval    time.Duration                           // first wait, default 10s
	MaxInterval time.Duration                           // longest wait, default 2m
	OnAttempt   func(attempt int, r *Result, err error) // progress, e.g. a status line
}

// Poll verifies c until it passes, fails terminally (expired, bad input,
// refused address or port), or ctx is done: the seeds' "wait a few minutes
// and retry", automated. It returns the last attempt's result.
func (v *Verifier) Poll(ctx context.Context, c *challenge.Challenge, opt PollOptions) (*Result, error) {
	wait, most := opt.Interval, opt.MaxInterval
	if wait <= 0 {
		wait = 10 * time.Second
	}
	if most <= 0 {
		most = 2 * time.Minute
	}
	for attempt := 1; ; attempt++ {
		r, err := v.Verify(ctx, c)
		if opt.OnAttempt != nil {
			opt.OnAttempt(attempt, r, err)
		}
		if err == nil || terminal(err) {
			return r, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return r, err
		case <-t.C:
		}
		wait = min(wait+wait/2, most)
	}
}

// terminal reports failures that retrying cannot fix.
func terminal(err error) bool {
	for _, k := range []error{ErrExpired, ErrBadInput, ErrPortNotAllowed, ErrAddressRefused} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
