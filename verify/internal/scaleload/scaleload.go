// Package scaleload holds what the two programs of verify's
// BenchmarkScale10k share: the size of the run and its 10,000 dns-01
// challenges. The program serve answers them on a loopback DNS server;
// the program pass runs one pass of checks against it.
package scaleload

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/dcvkit/dcv/challenge"
)

// The run: N names, checked Conc at a time, each answer Delay late.
const (
	N     = 10_000
	Conc  = 128
	Delay = 20 * time.Millisecond
)

// Now is the clock of the challenges and of the checks.
var Now = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// Challenges builds the same dns-01 challenges in every process: a fixed
// key, token and clock.
func Challenges() ([]*challenge.Challenge, error) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	b := challenge.Builder{Now: func() time.Time { return Now }}
	out := make([]*challenge.Challenge, N)
	for i := range out {
		c, err := b.ACMEDNS01(fmt.Sprintf("d%05d.example.com", i), "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}
