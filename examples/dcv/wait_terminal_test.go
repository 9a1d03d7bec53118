package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// --wait with --perspective stops at once when the primary's failure is
// terminal: an expired challenge stays expired, so the remote is asked once.
func TestCorroborateWaitStopsOnTerminal(t *testing.T) {
	old := challenge.Builder{Now: func() time.Time { return time.Now().Add(-48 * time.Hour) }, Lifetime: time.Hour}
	c, err := old.DNSTXT("example.com")
	require.NoError(t, err)
	data, err := json.Marshal(c)
	require.NoError(t, err)
	file := writeFile(t, "expired.jsonl", string(data)+"\n")

	zone := verifytest.NewZone()
	require.NoError(t, verifytest.Publish(zone, nil, c))
	var asked atomic.Int32
	h := &perspective.Handler{Key: []byte(testKey), Local: &perspective.Local{Label: "remote",
		Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}, CAA: &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: zone}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	res := startDNS(t, zone)
	kf := writeFile(t, "key", testKey)
	o := dcv(t, "verify", "--challenge", file, "--resolver", res, "--key-file", kf,
		"--perspective", srv.URL, "--wait", "3s", "--interval", "1s")
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stdout+o.stderr, "expired")
	assert.Equal(t, int32(1), asked.Load(), "a terminal failure is not retried")
}
