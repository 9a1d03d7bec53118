package pool

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestEachCallsEveryIndexOnceWithinTheBound(t *testing.T) {
	for _, tc := range []struct{ workers, count int }{{4, 1000}, {1, 10}, {0, 3}, {-1, 3}, {8, 0}, {50, 5}} {
		var mu sync.Mutex
		seen := make([]int, tc.count)
		var running, peak atomic.Int64
		Each(tc.workers, tc.count, func(i int) {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(10 * time.Microsecond)
			running.Add(-1)
			mu.Lock()
			seen[i]++
			mu.Unlock()
		})
		for i, n := range seen {
			assert.Equal(t, 1, n, "index %d of %+v", i, tc)
		}
		assert.LessOrEqual(t, peak.Load(), int64(max(tc.workers, 1)), "%+v", tc)
	}
}
