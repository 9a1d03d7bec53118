package dnssec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dcvkit/dcv/internal/dnssec"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerdictText(t *testing.T) {
	for v, s := range map[dnssec.Verdict]string{
		dnssec.Unvalidated: "", dnssec.Secure: "secure", dnssec.Insecure: "insecure",
		dnssec.Bogus: "bogus", dnssec.Indeterminate: "indeterminate",
	} {
		assert.Equal(t, s, v.String())
		b, err := json.Marshal(struct{ D dnssec.Verdict }{v})
		require.NoError(t, err)
		var back struct{ D dnssec.Verdict }
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, v, back.D, "%s", b)
	}
	var v dnssec.Verdict
	assert.Error(t, v.UnmarshalText([]byte("Secure!")))
	_, err := dnssec.Verdict(42).MarshalText()
	assert.Error(t, err)
}

func TestVerdictWeakestAndOK(t *testing.T) {
	S, I, B, D, U := dnssec.Secure, dnssec.Insecure, dnssec.Bogus, dnssec.Indeterminate, dnssec.Unvalidated
	cases := []struct {
		in   []dnssec.Verdict
		want dnssec.Verdict
	}{
		{nil, U}, {[]dnssec.Verdict{U, U}, U}, {[]dnssec.Verdict{S}, S}, {[]dnssec.Verdict{U, S}, S},
		{[]dnssec.Verdict{S, I}, I}, {[]dnssec.Verdict{I, D, S}, D}, {[]dnssec.Verdict{D, B}, B},
		{[]dnssec.Verdict{B, S, U}, B}, {[]dnssec.Verdict{S, dnssec.Verdict(9)}, B},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, dnssec.Weakest(c.in...), "%v", c.in)
	}
	assert.True(t, S.OK())
	assert.True(t, I.OK())
	assert.False(t, B.OK())
	assert.False(t, D.OK())
	assert.False(t, U.OK())
}

// TestRootAnchors: the built-in anchors are the two published in IANA's
// root-anchors.xml (as quoted in the spec).
func TestRootAnchors(t *testing.T) {
	want := []string{
		".\t0\tIN\tDS\t20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
		".\t0\tIN\tDS\t38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
	}
	require.Len(t, dnssec.RootAnchors(), 2)
	for i, rr := range dnssec.RootAnchors() {
		ds := rr.(*dns.DS)
		assert.Equal(t, want[i], ".\t0\tIN\tDS\t"+strings.TrimPrefix(ds.String(), ds.Hdr.String()))
	}
}

func TestParseAnchors(t *testing.T) {
	in := `; lab anchors
. 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D

lab.example. IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== ; island
`
	rrs, err := dnssec.ParseAnchors(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, rrs, 2)
	assert.IsType(t, &dns.DS{}, rrs[0])
	assert.IsType(t, &dns.DNSKEY{}, rrs[1])
	assert.Equal(t, "lab.example.", rrs[1].Header().Name)

	for name, bad := range map[string]string{
		"A record":   ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\nwww.example. IN A 192.0.2.1\n",
		"garbage":    "; ok\n\nthis is not a record\n",
		"directive":  "$ORIGIN example.\n",
		"empty":      "; nothing\n",
		"class CH":   "example. CH DS 1 8 2 AA\n",
		"bad digest": ". IN DS 20326 8 2 ZZ\n",
	} {
		_, err := dnssec.ParseAnchors(strings.NewReader(bad))
		assert.Error(t, err, name)
	}
	_, err = dnssec.ParseAnchors(strings.NewReader("; one\nnot a record\n"))
	assert.ErrorContains(t, err, "line 2")
}
