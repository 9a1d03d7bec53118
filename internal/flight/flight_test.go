package flight_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dcvkit/dcv/internal/flight"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWaitEndsWithTheContext(t *testing.T) {
	c := flight.NewCall[int]()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		_, err := c.Wait(ctx)
		got <- err
	}()
	cancel()
	assert.ErrorIs(t, <-got, context.Canceled)

	c.Finish(7) // the call itself goes on for others
	v, err := c.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 7, v)
}

func TestWaitAnswersAFinishedCallUnderAnEndedContext(t *testing.T) {
	c := flight.NewCall[string]()
	c.Finish("answer")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 { // an ended context never wins over a finished call
		v, err := c.Wait(ctx)
		require.NoError(t, err)
		assert.Equal(t, "answer", v)
	}
}

func TestPeekSaysWhetherTheCallFinished(t *testing.T) {
	c := flight.NewCall[int]()
	v, ok := c.Peek()
	assert.False(t, ok)
	assert.Zero(t, v)
	c.Finish(3)
	v, ok = c.Peek()
	assert.True(t, ok)
	assert.Equal(t, 3, v)
}

func TestFollowersGetTheLeadersValue(t *testing.T) {
	var g flight.Group[string, int]
	lead, leader := g.Join("q", 0)
	require.True(t, leader, "the first to join leads")
	var wg sync.WaitGroup
	got := make(chan int, 10)
	for range 10 {
		c, leader := g.Join("q", 0)
		require.False(t, leader, "a call under way is joined, not started again")
		require.Same(t, lead, c)
		wg.Go(func() {
			v, err := c.Wait(context.Background())
			assert.NoError(t, err)
			got <- v
		})
	}
	time.Sleep(5 * time.Millisecond) // let the followers wait
	lead.Finish(42)
	wg.Wait()
	close(got)
	for v := range got {
		assert.Equal(t, 42, v)
	}
	_, leader = g.Join("other", 0)
	assert.True(t, leader, "another key is another call")
}

// finished joins k in g and finishes its call with v.
func finished(g *flight.Group[string, int], k string, v int) *flight.Call[int] {
	c, _ := g.Join(k, 0)
	c.Finish(v)
	return c
}

func TestForgottenKeyStartsANewCall(t *testing.T) {
	var g flight.Group[string, int]
	old := finished(&g, "q", 1)
	c, leader := g.Join("q", 0)
	assert.False(t, leader, "a finished call stays joinable until forgotten")
	assert.Same(t, old, c)

	g.Forget("q", old)
	c, leader = g.Join("q", 0)
	assert.True(t, leader)
	assert.NotSame(t, old, c)

	g.Forget("q", old) // no longer the call of q: nothing happens
	again, leader := g.Join("q", 0)
	assert.False(t, leader)
	assert.Same(t, c, again)
	v, err := old.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, v, "a forgotten call still answers its waiters")
}

func TestJoinBeyondTheLimitKeepsNoCall(t *testing.T) {
	var g flight.Group[int, int]
	for k := range 2 {
		_, leader := g.Join(k, 2)
		require.True(t, leader)
	}
	first, leader := g.Join(2, 2)
	require.True(t, leader, "beyond the limit a caller still leads")
	second, leader := g.Join(2, 2)
	assert.True(t, leader, "but no one joins its call")
	assert.NotSame(t, first, second)
	_, leader = g.Join(0, 2)
	assert.False(t, leader, "the calls kept are joined as before")

	c, _ := g.Join(0, 2)
	g.Forget(0, c)
	_, leader = g.Join(2, 2)
	require.True(t, leader)
	_, leader = g.Join(2, 2)
	assert.False(t, leader, "room made by Forget is used again")
}

func TestSweepForgetsOnlyFinishedCallsItIsToldTo(t *testing.T) {
	var g flight.Group[string, int]
	finished(&g, "old", 1)
	finished(&g, "fresh", 2)
	running, _ := g.Join("running", 0)
	require.Equal(t, 3, g.Len())

	g.Sweep(func(v int) bool { return true })
	assert.Equal(t, 1, g.Len(), "a call under way is never swept")
	_, leader := g.Join("running", 0)
	assert.False(t, leader)

	running.Finish(3)
	finished(&g, "fresh", 2)
	g.Sweep(func(v int) bool { return v == 3 })
	assert.Equal(t, 1, g.Len())
	_, leader = g.Join("fresh", 0)
	assert.False(t, leader, "a value drop keeps stays")
}
