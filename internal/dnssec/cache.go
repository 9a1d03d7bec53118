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

// answer is the outcome of one chain query.
type answer struct {
	msg *dns.Msg
	err error
}

// ask sends a chain query once for all who ask it at the same time (single
// flight): the first asker runs it under its own context, the others share
// its answer read-only, and nothing is kept after it ends. A waiter whose
// leader's context ended, not its own, asks again itself.
func (v *Validator) ask(ctx context.Context, q Querier, name string, qtype uint16) (*dns.Msg, error) {
	k := qkey{name, qtype}
	for range 2 {
		c, leader := v.flights.Join(k, 0) // no limit: one call per query under way
		if leader {
			var a answer
			a.msg, a.err = query(ctx, q, name, qtype)
			v.flights.Forget(k, c)
			c.Finish(a)
			return a.msg, a.err
		}
		a, err := c.Wait(ctx)
		if err != nil {
			return nil, err
		}
		if a.err == nil || ctx.Err() != nil ||
			!errors.Is(a.err, context.Canceled) && !errors.Is(a.err, context.DeadlineExceeded) {
			return a.msg, a.err
		}
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
