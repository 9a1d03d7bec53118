// Package pool runs indexed work on a fixed number of workers: the one home
// of the bounded fan-out that VerifyOrder and caa's CheckAll share. Memory
// grows with the bound, not with the amount of work: an index costs
// nothing until a worker takes it.
package pool

import (
	"sync"
	"sync/atomic"
)

// Each calls f(i) for every i in [0, count), on at most workers goroutines
// (at least one), taking the indices in order, and returns when every call
// has returned.
func Each(workers, count int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(workers, 1), count) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
