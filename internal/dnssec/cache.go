package dnssec

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// linkKind says what the chain walk learnt about one name below a secure
// zone.
type linkKind int

const (
	linkZone     linkKind = iota + 1 // a secure zone cut: zone holds its keys
	linkInsecure                     // a delegation proven to have no usable DS
	linkNotCut                       // the name exists (or is an empty non-terminal) inside its parent's zone
	linkNoName                       // the name provably does not exist
)

// zoneKeys is a zone whose DNSKEY set was authenticated (secure) or that
// was proven unsigned (not secure).
type zoneKeys struct {
	name   string
	secure bool
	keys   []*dns.DNSKEY // usable keys of the authenticated DNSKEY set
	tags   []uint16      // every key tag in the DNSKEY set, for messages
	why    string        // for an insecure zone: what proved it unsigned
}

type link struct {
	kind    linkKind
	zone    *zoneKeys // linkZone, linkInsecure
	expires time.Time
}

type cacheEntry struct {
	name string
	l    *link
}

// cache is a bounded LRU of validated links keyed by canonical name.
// Only successes are stored: a failure is never cached.
type cache struct {
	mu    sync.Mutex
	size  int
	items map[string]*list.Element
	order *list.List
}

func (c *cache) get(name string, now time.Time) *link {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[name]
	if !ok {
		return nil
	}
	ent := e.Value.(*cacheEntry)
	if !now.Before(ent.l.expires) {
		c.order.Remove(e)
		delete(c.items, name)
		return nil
	}
	c.order.MoveToFront(e)
	return ent.l
}

func (c *cache) put(name string, l *link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = make(map[string]*list.Element)
		c.order = list.New()
	}
	if e, ok := c.items[name]; ok {
		e.Value.(*cacheEntry).l = l
		c.order.MoveToFront(e)
		return
	}
	c.items[name] = c.order.PushFront(&cacheEntry{name: name, l: l})
	for c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).name)
	}
}

func (c *cache) remove(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[name]; ok {
		c.order.Remove(e)
		delete(c.items, name)
	}
}

type qkey struct {
	name  string
	qtype uint16
}

// call is one in-flight chain query shared by concurrent callers.
type call struct {
	done chan struct{}
	msg  *dns.Msg
	err  error
}

// flight merges concurrent identical chain queries (single flight). The
// result is shared read-only; nothing is kept after the query ends.
type flight struct {
	mu    sync.Mutex
	calls map[qkey]*call
}

func (f *flight) do(ctx context.Context, q Querier, name string, qtype uint16) (*dns.Msg, error) {
	k := qkey{name, qtype}
	for attempt := 0; attempt < 2; attempt++ {
		f.mu.Lock()
		if f.calls == nil {
			f.calls = make(map[qkey]*call)
		}
		if c, ok := f.calls[k]; ok {
			f.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			// The leader's context ended, not ours: ask again ourselves.
			if c.err != nil && ctx.Err() == nil &&
				(errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
				continue
			}
			return c.msg, c.err
		}
		c := &call{done: make(chan struct{})}
		f.calls[k] = c
		f.mu.Unlock()
		c.msg, c.err = query(ctx, q, name, qtype)
		f.mu.Lock()
		delete(f.calls, k)
		f.mu.Unlock()
		close(c.done)
		return c.msg, c.err
	}
	return query(ctx, q, name, qtype)
}

// query asks q, turning a panic-free nil answer into an error.
func query(ctx context.Context, q Querier, name string, qtype uint16) (*dns.Msg, error) {
	m, err := q.Query(ctx, name, qtype)
	if err == nil && m == nil {
		err = errors.New("no response")
	}
	return m, err
}
