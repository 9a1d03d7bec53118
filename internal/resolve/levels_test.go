package resolve_test

import (
	"context"
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
