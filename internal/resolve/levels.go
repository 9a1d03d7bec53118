package resolve

import (
	"context"
	"sync"
)

// Levels asks about every name at once (ask runs concurrently, one per
// name) and hands the answers to decide in the order of names, the
// bottom level first, waiting for each in turn; decide returns true to
// stop. A deep name costs one round trip, and answers above the level
// that decided are not waited for: their asks are cancelled. Levels
// returns only after every ask has ended. A single name is asked on the
// caller's goroutine: there is nothing to overlap. caa's climb to the
// relevant RRset and the authoritative mode's search for the zone apex
// use it.
func Levels[T any](ctx context.Context, names []string, ask func(ctx context.Context, name string) T, decide func(i int, answer T) bool) {
	if len(names) == 1 {
		decide(0, ask(ctx, names[0]))
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	results := make([]chan T, len(names))
	for i, n := range names {
		results[i] = make(chan T, 1)
		wg.Go(func() { results[i] <- ask(ctx, n) })
	}
	for i := range names {
		if decide(i, <-results[i]) {
			return
		}
	}
}
