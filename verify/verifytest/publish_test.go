package verifytest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

func TestPublishThenVerify(t *testing.T) {
	var b challenge.Builder
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1", "www.example.com. 300 IN A 127.0.0.1")
	site := verifytest.NewResponder()
	web := verifytest.NewWeb(site)
	defer web.Close()
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: web.Dial}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	txt, err := b.DNSTXT("example.com")
	require.NoError(t, err)
	file, err := b.File("example.com")
	require.NoError(t, err)
	for _, c := range []*challenge.Challenge{txt, file} {
		_, err := v.Verify(ctx, c)
		require.Error(t, err, "not published yet")
		require.NoError(t, verifytest.Publish(zone, site, c))
		_, err = v.Verify(ctx, c)
		assert.NoError(t, err, c.Method)
	}

	// A value longer than one character-string is split and joined again.
	long := strings.Repeat("v", 600)
	txt.Record.Value = long
	require.NoError(t, verifytest.Publish(zone, site, txt))
	_, err = v.VerifyTXT(ctx, txt.Record.Name, long)
	assert.NoError(t, err)

	// Web dials only 80 and 443.
	_, err = web.Dial(ctx, "tcp", "127.0.0.1:8080")
	assert.Error(t, err)
}
