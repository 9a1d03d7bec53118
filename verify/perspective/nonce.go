package perspective

import (
	"container/heap"
	"sync"
	"time"
)

// nonceCache remembers the nonces of accepted requests until their
// timestamps leave the window, after which the timestamp check alone
// refuses a replay. It holds at most max entries: when full of unexpired
// nonces it refuses new ones (ErrBusy) rather than forget one, since
// forgetting would let that request be replayed.
type nonceCache struct {
	mu      sync.Mutex
	max     int
	seen    map[string]time.Time
	expires expiryHeap
}

type nonceEntry struct {
	nonce string
	at    time.Time
}

type expiryHeap []nonceEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(nonceEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func newNonceCache(max int) *nonceCache {
	return &nonceCache{max: max, seen: make(map[string]time.Time)}
}

// add records nonce until expiry. It returns ErrReplay if the nonce is
// already recorded and ErrBusy if the cache is full.
func (c *nonceCache) add(nonce string, expiry, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.expires) > 0 && !c.expires[0].at.After(now) {
		e := heap.Pop(&c.expires).(nonceEntry)
		delete(c.seen, e.nonce)
	}
	if _, ok := c.seen[nonce]; ok {
		return ErrReplay
	}
	if len(c.seen) >= c.max {
		return ErrBusy
	}
	c.seen[nonce] = expiry
	heap.Push(&c.expires, nonceEntry{nonce: nonce, at: expiry})
	return nil
}

func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
