package diagnose_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// ports are the loopback ports of one run: normalized in golden files.
var ports = regexp.MustCompile(`(127\.0\.0\.\d+|\[::1\]|localhost):\d+`)

// TestMisconfiguredReportGolden renders the report of a domain with
// several common mistakes (the README shows this output) and compares it
// with testdata/misconfigured.golden, ports normalized.
func TestMisconfiguredReportGolden(t *testing.T) {
	l := newLab(t, 2)
	// A fixed random stream and clock, for a fixed value in the golden file.
	c, err := challenge.Builder{AllowPrivate: true, Rand: bytes.NewReader(bytes.Repeat([]byte{0x5a}, 64)), Now: time.Now}.File("example.test")
	require.NoError(t, err)
	l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org"`, "example.test. 300 IN A 127.0.0.10")
	l.auth[1].Remove("example.test.", dns.TypeSOA)
	l.auth[1].MustAdd(fmt.Sprintf(soaLine, 2))
	plain, tlsr := verifytest.NewResponder(), verifytest.NewResponder()
	plain.Set(c.File.Path, c.File.Content+"\r\n")
	tlsr.Set(c.File.Path, "an-older-value")
	l.route("127.0.0.10:80", l.plain(plain))
	l.route("127.0.0.10:443", tlsSite(l, tlsr))

	// The resolver's view is DNSSEC-signed (validly): validation is on, as for a CA.
	anchors, err := l.resolver.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "test.": {}, "example.test.": {}}})
	require.NoError(t, err)
	d := l.diagnoser()
	d.DNSSEC, d.TrustAnchors = verify.DNSSECValidate, anchors
	rep := d.Diagnose(context.Background(), diagnose.Request{CA: []string{"alibaba"}, Challenge: c})
	var out bytes.Buffer
	require.NoError(t, rep.WriteText(&out))
	got := ports.ReplaceAllString(out.String(), "$1:PORT")
	golden := filepath.Join("testdata", "misconfigured.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// TestREADMEShowsTheGoldenReport: the README's example is this test's
// output, verbatim.
func TestREADMEShowsTheGoldenReport(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	golden, err := os.ReadFile(filepath.Join("testdata", "misconfigured.golden"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "```text\n"+string(golden)+"```")
}
