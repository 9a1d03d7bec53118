package flight

import (
	"context"
	"sync"
)

// Call is one value in the making, read by any number of waiters. Make it
// with NewCall; its leader Finishes it once.
type Call[V any] struct {
	done chan struct{}
	v    V // set before done closes, read only after
}

// NewCall returns a call not yet finished.
func NewCall[V any]() *Call[V] { return &Call[V]{done: make(chan struct{})} }

// Finish sets the call's value and wakes every waiter. Call it once.
func (c *Call[V]) Finish(v V) {
	c.v = v
	close(c.done)
}

// Peek returns the value and true if the call has finished, without
// waiting.
func (c *Call[V]) Peek() (V, bool) {
	select {
	case <-c.done:
		return c.v, true
	default:
		var zero V
		return zero, false
	}
}

// Wait returns the call's value, or ctx's error if ctx ends first. A
// finished call answers even under an ended context.
func (c *Call[V]) Wait(ctx context.Context) (V, error) {
	if v, ok := c.Peek(); ok {
		return v, nil // the usual case: ctx's Done channel is not even made
	}
	select {
	case <-c.done:
		return c.v, nil
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Group is the calls under way (or kept) by key. The zero value is an
// empty group; do not copy it after first use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*Call[V]
}

// Join returns the call of k and whether the caller leads it: a leader
// made a new call and must Finish it; a follower waits for it. At most limit
// calls are kept at once (limit <= 0: no bound); beyond, a leader's call is
// joined by no one.
func (g *Group[K, V]) Join(k K, limit int) (c *Call[V], leader bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[k]; ok {
		return c, false
	}
	if g.calls == nil {
		g.calls = make(map[K]*Call[V])
	}
	c = NewCall[V]()
	if limit <= 0 || len(g.calls) < limit {
		g.calls[k] = c
	}
	return c, true
}

// Forget drops the call of k if it is still c, so that the next Join of k
// starts a new call. Waiters of c still get its value.
func (g *Group[K, V]) Forget(k K, c *Call[V]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.calls[k] == c {
		delete(g.calls, k)
	}
}

// Len returns the number of calls kept.
func (g *Group[K, V]) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

// Sweep forgets every finished call whose value drop says to drop.
func (g *Group[K, V]) Sweep(drop func(V) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, c := range g.calls {
		if v, ok := c.Peek(); ok && drop(v) {
			delete(g.calls, k)
		}
	}
}
