package perspective_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalAppliesTheCheckDNSSECSetting(t *testing.T) {
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "v"`,
		`example.com. 300 IN CAA 0 issue "ssl.com"`,
	)
	anchors, err := z.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "com.": {}, "example.com.": {}}})
	require.NoError(t, err)
	z.BreakSignature("_dnsauth.example.com.", dns.TypeTXT, verifytest.ExpiredSignature)
	z.BreakSignature("example.com.", dns.TypeCAA, verifytest.TamperedRecord)
	l := &perspective.Local{
		Verifier: &verify.Verifier{DNS: z, TrustAnchors: anchors},
		CAA:      &caa.Checker{DNS: z, TrustAnchors: anchors},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	off := verify.DNSSECOff
	txt := perspective.Check{Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}}
	caaCheck := perspective.Check{Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}}

	r, err := l.Run(ctx, txt)
	require.NoError(t, err)
	assert.Equal(t, verify.Undecided, r.DCV.Outcome, "the perspective's own setting validates")
	assert.Equal(t, verify.DNSSECBogus, r.DCV.DNSSEC)

	txt.DNSSEC = &off
	r, err = l.Run(ctx, txt)
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, r.DCV.Outcome, "the check's setting applies")
	assert.Equal(t, verify.DNSSECUnvalidated, r.DCV.DNSSEC)
	assert.Equal(t, verify.DNSSECValidate, l.Verifier.DNSSEC, "the shared verifier is not changed")

	r, err = l.Run(ctx, caaCheck)
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, r.Verdict, "a bogus CAA answer is never a decision")
	caaCheck.DNSSEC = &off
	r, err = l.Run(ctx, caaCheck)
	require.NoError(t, err)
	assert.Equal(t, perspective.Pass, r.Verdict)

	// On the wire the setting is "off" / "validate"; anything else is refused.
	b, err := json.Marshal(txt)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"dnssec":"off"`)
	var back perspective.Check
	require.NoError(t, json.Unmarshal(b, &back))
	require.NotNil(t, back.DNSSEC)
	assert.Equal(t, off, *back.DNSSEC)
	assert.Error(t, json.Unmarshal([]byte(`{"determination":"dcv","dnssec":"maybe"}`), &back))
}
