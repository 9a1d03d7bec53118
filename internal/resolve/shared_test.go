package resolve_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowEx answers after a pause, counting queries; fail makes it fail.
type slowEx struct {
	n     atomic.Int64
	pause time.Duration
	fail  atomic.Bool
	ttl   uint32
}

func (s *slowEx) Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	s.n.Add(1)
	select {
	case <-time.After(s.pause):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.fail.Load() {
		return nil, errors.New("refused")
	}
	r := new(dns.Msg).SetReply(m)
	r.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: m.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: s.ttl}, A: []byte{192, 0, 2, 1}}}
	return r, nil
}

func q(name string) *dns.Msg { return new(dns.Msg).SetQuestion(name, dns.TypeA) }

func TestSharedAsksEachQuestionOnce(t *testing.T) {
	ex := &slowEx{pause: 20 * time.Millisecond, ttl: 300}
	s := &resolve.Shared{Exchanger: ex}
	var wg sync.WaitGroup
	var shared atomic.Int64
	for range 20 {
		wg.Go(func() {
			r, _, sh, err := s.ExchangeShared(context.Background(), q("a.example."))
			assert.NoError(t, err)
			assert.Len(t, r.Answer, 1)
			r.Answer = nil // a copy: another asker's answer is untouched
			if sh {
				shared.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, ex.n.Load(), "concurrent askers wait for one flight")
	assert.EqualValues(t, 19, shared.Load())
	r, err := s.Exchange(context.Background(), q("A.EXAMPLE."))
	require.NoError(t, err)
	assert.Len(t, r.Answer, 1, "kept for its TTL, whatever the case")
	assert.EqualValues(t, 1, ex.n.Load())
	_, err = s.Exchange(context.Background(), q("b.example."))
	require.NoError(t, err)
	assert.EqualValues(t, 2, ex.n.Load(), "another question is asked")
}

func TestSharedKeepsNoFailureAndNoZeroTTL(t *testing.T) {
	ex := &slowEx{ttl: 0}
	s := &resolve.Shared{Exchanger: ex}
	for range 2 {
		_, err := s.Exchange(context.Background(), q("a.example."))
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, ex.n.Load(), "a TTL of 0 is not kept")

	ex = &slowEx{ttl: 300}
	ex.fail.Store(true)
	s = &resolve.Shared{Exchanger: ex}
	_, err := s.Exchange(context.Background(), q("a.example."))
	require.Error(t, err)
	ex.fail.Store(false)
	_, err = s.Exchange(context.Background(), q("a.example."))
	require.NoError(t, err, "a failure is not kept beyond its flight")
}

func TestSharedAskerGivingUpFailsNoOther(t *testing.T) {
	ex := &slowEx{pause: 50 * time.Millisecond, ttl: 300}
	s := &resolve.Shared{Exchanger: ex}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Exchange(ctx, q("a.example.")); done <- err }()
	time.Sleep(5 * time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	_, err := s.Exchange(context.Background(), q("a.example."))
	require.NoError(t, err)
	assert.EqualValues(t, 1, ex.n.Load(), "the flight went on for the other asker")
}

// A memo that lives long fills with answers no one asks again: when it is
// full, the expired ones are swept so that new questions are kept again.
func TestSharedSweepsExpiredAnswersWhenFull(t *testing.T) {
	clock := time.Unix(1_000_000_000, 0)
	ex := &slowEx{ttl: 60}
	s := &resolve.Shared{Exchanger: ex, MaxEntries: 2, Now: func() time.Time { return clock }}
	ask := func(name string) {
		t.Helper()
		_, err := s.Exchange(context.Background(), q(name))
		require.NoError(t, err)
	}
	ask("a.example.")
	ask("b.example.")
	ask("c.example.")
	ask("c.example.")
	assert.EqualValues(t, 4, ex.n.Load(), "full: c is answered but not kept")
	ask("a.example.")
	assert.EqualValues(t, 4, ex.n.Load(), "a is still kept")

	clock = clock.Add(61 * time.Second) // a and b have expired
	ask("d.example.")
	ask("d.example.")
	assert.EqualValues(t, 5, ex.n.Load(), "the sweep made room: d is kept")
}

type nilEx struct{}

func (nilEx) Exchange(context.Context, *dns.Msg) (*dns.Msg, error) { return nil, nil }

func TestSharedNoResponseIsAnError(t *testing.T) {
	_, err := (&resolve.Shared{Exchanger: nilEx{}}).Exchange(context.Background(), q("a.example."))
	require.Error(t, err)
}
