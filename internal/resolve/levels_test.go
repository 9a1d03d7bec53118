package resolve_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/dcvkit/dcv/internal/resolve"
	"github.com/stretchr/testify/assert"
)

func TestLevelsDecidesBottomFirstAndCancelsTheRest(t *testing.T) {
	names := []string{"a.b.example", "b.example", "example"}
	var all sync.WaitGroup // every level is asked at once
	all.Add(len(names))
	var decided []string
	cancelled := make(chan bool, 1)
	resolve.Levels(context.Background(), names, func(ctx context.Context, n string) string {
		all.Done()
		if n == "example" { // the top level answers only when cancelled
			<-ctx.Done()
			cancelled <- true
			return "cancelled"
		}
		all.Wait()
		return n
	}, func(i int, answer string) bool {
		decided = append(decided, answer)
		return i == 1 // b.example decides
	})
	assert.Equal(t, []string{"a.b.example", "b.example"}, decided)
	assert.True(t, <-cancelled, "the ask above the deciding level was cancelled, and Levels waited for it")
}

// One name has nothing to overlap: it is asked without a goroutine of its
// own, under the caller's context, and decided.
func TestLevelsAsksASingleNameInline(t *testing.T) {
	before := runtime.NumGoroutine()
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "caller's")
	var during int
	var got []string
	resolve.Levels(ctx, []string{"example.com."}, func(ctx context.Context, n string) string {
		during = runtime.NumGoroutine()
		return n + " " + ctx.Value(key{}).(string)
	}, func(i int, a string) bool {
		got = append(got, a)
		return false
	})
	assert.Equal(t, before, during, "no goroutine started for one name")
	assert.Equal(t, []string{"example.com. caller's"}, got)
}
