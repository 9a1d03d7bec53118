package perspective_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const rtt = 20 * time.Millisecond

// delayed is a Local whose in-memory zone answers after rtt.
func delayed(label string) *perspective.Local {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	z.SetDelay(rtt)
	return &perspective.Local{Label: label, Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z}}
}

// BenchmarkCorroborate: a primary and 5 remotes, each 20 ms away. The
// checks run concurrently, so the wall time stays near one round trip:
// x-rtt is wall time / 20 ms (target <= 1.3 plus the remote call overhead).
func BenchmarkCorroborate(b *testing.B) {
	for _, mode := range []string{"local", "remote-http"} {
		b.Run(mode, func(b *testing.B) {
			c := &perspective.Corroborator{Primary: delayed("primary")}
			for i := range 5 {
				l := delayed("r" + string(rune('1'+i)))
				if mode == "local" {
					c.Remotes = append(c.Remotes, l)
					continue
				}
				srv := serveHandler(b, &perspective.Handler{Key: testKey, Local: l})
				c.Remotes = append(c.Remotes, &perspective.Remote{URL: srv.URL, Key: testKey, Label: l.Label})
			}
			ctx := context.Background()
			start := time.Now()
			for b.Loop() {
				if _, err := c.Run(ctx, txtCheck()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(rtt), "x-rtt")
		})
	}
}
