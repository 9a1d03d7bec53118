package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
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

const (
	testKey  = "k3y-shared-by-the-tool-and-its-remotes-0123456789"
	otherKey = "an-other-key-that-the-remotes-do-not-hold-98765432"

	realTXT  = `_dnsauth.example.com. 300 IN TXT "good-value"`
	fakeTXT  = `_dnsauth.example.com. 300 IN TXT "hijacked"`
	ourCAA   = `example.com. 300 IN CAA 0 issue "ssl.com"`
	theirCAA = `example.com. 300 IN CAA 0 issue "letsencrypt.org"`
)

// remoteZone starts a remote perspective (perspective.Handler in an
// httptest server) whose view of the DNS is zone, and returns its URL.
func remoteZone(t *testing.T, key string, zone *verifytest.Zone) string {
	t.Helper()
	h := &perspective.Handler{Key: []byte(key), Local: &perspective.Local{Label: "remote",
		Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone}, CAA: &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: zone}}}
	srv := httptest.NewUnstartedServer(h)
	h.URL = "http://" + srv.Listener.Addr().String()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func remote(t *testing.T, records ...string) string {
	t.Helper()
	return remoteZone(t, testKey, verifytest.NewZone().MustAdd(records...))
}

// deadURL is an http URL on a loopback port nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

func labelOf(u string) string { return strings.TrimPrefix(u, "http://") }

func TestCorroborateTXT(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", "\n  "+testKey+"\n")
	ok1, ok2, ok3 := remote(t, realTXT), remote(t, realTXT), remote(t, realTXT)
	bad1, bad2 := remote(t, fakeTXT), remote(t, fakeTXT)
	wrongKey := remoteZone(t, otherKey, verifytest.NewZone().MustAdd(realTXT))
	dead := deadURL(t)
	base := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
		"--min-remotes", "1", "--min-regions", "0"}

	for name, tc := range map[string]struct {
		extra  []string
		code   int
		stdout []string
		stderr []string
	}{
		"one dissenter": {[]string{"--perspective", ok1 + "," + ok2 + "," + bad1}, exitOK,
			[]string{"verified: _dnsauth.example.com", "  primary: verified", labelOf(bad1) + ": not verified", "corroborated: "}, nil},
		"two dissenters": {[]string{"--perspective", ok1 + "," + bad1 + "," + bad2}, exitNo,
			[]string{"not corroborated: _dnsauth.example.com\n", labelOf(bad2) + ": not verified"}, []string{"not corroborated: 2 of 3 remotes did not corroborate"}},
		"repeated flag": {[]string{"--perspective", ok1, "--perspective", ok2, "--perspective", ok3}, exitOK,
			[]string{"3 of 3 remotes corroborate"}, nil},
		"dead counts against": {[]string{"--perspective", ok1 + "," + ok2 + "," + dead}, exitOK,
			[]string{labelOf(dead) + ": could not decide", "unreachable"}, nil},
		"dead and a dissenter": {[]string{"--perspective", ok1 + "," + dead + "," + bad1}, exitNo,
			nil, []string{"2 of 3 remotes did not corroborate"}},
		"wrong key counts against": {[]string{"--perspective", ok1 + "," + ok2 + "," + wrongKey}, exitOK,
			[]string{labelOf(wrongKey) + ": could not decide", "401"}, nil},
		"wrong key alone": {[]string{"--perspective", wrongKey}, exitNo,
			[]string{"not authenticated"}, []string{"1 of 1 remotes did not corroborate"}},
		"single remote agrees": {[]string{"--perspective", ok1}, exitOK, nil, nil},
		"min remotes": {[]string{"--perspective", ok1 + "," + ok2 + "," + ok3, "--min-remotes", "4"}, exitNo,
			nil, []string{"3 remotes used, policy requires 4"}},
		"min remotes met": {[]string{"--perspective", ok1 + "," + ok2 + "," + ok3, "--min-remotes", "3"}, exitOK, nil, nil},
		"min regions given": {[]string{"--perspective", "ARIN@" + ok1 + ",ripe@" + ok2 + "," + bad1, "--min-regions", "2"}, exitOK,
			[]string{labelOf(ok1) + " (ARIN): verified", "regions ARIN, RIPE"}, nil},
		"min regions not given": {[]string{"--perspective", ok1 + "," + ok2 + "," + ok3, "--min-regions", "2"}, exitNo,
			nil, []string{"span 0 region(s)"}},
		"region of a dissenter does not count": {[]string{"--perspective", "ARIN@" + ok1 + ",ARIN@" + ok2 + ",RIPE@" + bad1, "--min-regions", "2"}, exitNo,
			nil, []string{"span 1 region(s) [ARIN]"}},
	} {
		t.Run(name, func(t *testing.T) {
			args := append(append(append([]string{}, base...), "--key-file", kf), tc.extra...)
			o := dcv(t, args...)
			require.Equal(t, tc.code, o.code, "stdout %s\nstderr %s", o.stdout, o.stderr)
			for _, s := range tc.stdout {
				assert.Contains(t, o.stdout, s)
			}
			for _, s := range tc.stderr {
				assert.Contains(t, o.stderr, s)
			}
			if tc.code == exitOK {
				assert.Empty(t, o.stderr)
			}
		})
	}
}

func TestCorroboratePrimary(t *testing.T) {
	kf := writeFile(t, "key", testKey)
	remotes := remote(t, realTXT) + "," + remote(t, realTXT)
	args := func(res string) []string {
		return []string{"verify", "dns-txt", "--perspective", remotes, "--key-file", kf,
			"--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--min-remotes", "2", "--min-regions", "0"}
	}

	// The primary sees another value: not verified, whatever the remotes say.
	o := dcv(t, args(startDNS(t, verifytest.NewZone().MustAdd(fakeTXT)))...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stdout, "  primary: not verified")
	assert.Contains(t, o.stderr, "hijacked", "the value the primary saw")
	assert.Contains(t, o.stderr, `not corroborated: primary "primary" not verified`)

	// The primary cannot decide (SERVFAIL): 2.
	zone := verifytest.NewZone().MustAdd(realTXT)
	zone.SetRcode("_dnsauth.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	o = dcv(t, args(startDNS(t, zone))...)
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stdout, "  primary: could not decide")
}

func TestCorroborateJSON(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	ok1, bad := remote(t, realTXT), remote(t, fakeTXT)
	o := dcv(t, "verify", "dns-txt", "--json", "--name", "_dnsauth.example.com", "--value", "good-value",
		"--resolver", res, "--key-file", kf, "--perspective", "ARIN@"+ok1+",RIPE@"+bad, "--min-remotes", "2", "--min-regions", "1")
	require.Equal(t, exitOK, o.code, o.stderr)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 1)
	var rep perspective.Report
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rep))
	assert.True(t, rep.Corroborated)
	assert.Equal(t, perspective.DCV, rep.Determination)
	require.NotNil(t, rep.Primary.DCV)
	assert.Equal(t, verify.Verified, rep.Primary.DCV.Outcome)
	require.Len(t, rep.Remotes, 2)
	assert.Equal(t, "RIPE", rep.Remotes[1].Region)
	assert.Equal(t, perspective.Fail, rep.Remotes[1].Verdict)
	assert.Equal(t, 1, rep.NonCorroborating)
	assert.Equal(t, 1, rep.Allowed, "two remotes allow one dissenter")
	assert.Equal(t, []string{"ARIN"}, rep.Regions, "only corroborating remotes' regions count")
	assert.Equal(t, 2, rep.Policy.MinRemotes)
	assert.Contains(t, rep.Policy.Rule, "weaker than BR 3.2.2.9", "the record says the policy was weaker")
}

func TestCorroborateCAA(t *testing.T) {
	// orgTLD makes the TLD of example.org exist: a CAA check under a
	// nonexistent TLD is a lookup error.
	const orgTLD = `org. 300 IN NS a0.org.afilias-nst.info.`
	res := startDNS(t, verifytest.NewZone().MustAdd(ourCAA, orgTLD))
	kf := writeFile(t, "key", testKey)
	ours1, ours2 := remote(t, ourCAA, orgTLD), remote(t, ourCAA, orgTLD)
	theirs1, theirs2 := remote(t, theirCAA, orgTLD), remote(t, theirCAA, orgTLD)
	for name, tc := range map[string]struct {
		ca     string
		args   []string
		code   int
		stdout string
	}{
		"permitted":              {"ssl.com", []string{"--perspective", ours1 + "," + ours2 + "," + theirs1, "www.example.com"}, exitOK, labelOf(theirs1) + ": forbidden"},
		"two forbid":             {"ssl.com", []string{"--perspective", ours1 + "," + theirs1 + "," + theirs2, "www.example.com"}, exitNo, labelOf(theirs2) + ": forbidden"},
		"primary forbids":        {"letsencrypt.org", []string{"--perspective", ours1 + "," + ours2, "example.com"}, exitNo, "  primary: forbidden"},
		"worst name wins":        {"ssl.com", []string{"--perspective", ours1 + "," + theirs1 + "," + theirs2, "example.org", "example.com"}, exitNo, "example.org: permitted"},
		"flags after the domain": {"ssl.com", []string{"example.com", "--perspective", ours1, "--min-remotes", "1"}, exitOK, "1 of 1 remotes corroborate"},
		"min regions":            {"ssl.com", []string{"--perspective", "APNIC@" + ours1 + ",LACNIC@" + ours2, "--min-regions", "2", "example.com"}, exitOK, "regions APNIC, LACNIC"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"caa", "--resolver", res, "--key-file", kf, "--ca", tc.ca, "--min-remotes", "1", "--min-regions", "0"}, tc.args...)...)
			require.Equal(t, tc.code, o.code, "stdout %s\nstderr %s", o.stdout, o.stderr)
			assert.Contains(t, o.stdout, tc.stdout)
			if tc.code != exitOK {
				assert.Contains(t, o.stderr, "dcv caa: ")
			}
		})
	}

	o := dcv(t, "caa", "--json", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--min-remotes", "3", "--min-regions", "0",
		"--perspective", ours1+","+theirs1+","+theirs2, "example.com", "example.org")
	require.Equal(t, exitNo, o.code, o.stderr)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 2, "one report per name")
	var rep perspective.Report
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rep))
	assert.Equal(t, perspective.CAA, rep.Determination)
	assert.False(t, rep.Corroborated)
	require.NotNil(t, rep.Primary.CAA)
	assert.True(t, rep.Primary.CAA.Permitted)
	assert.Equal(t, 2, rep.NonCorroborating)
}

func TestCorroborateChallenges(t *testing.T) {
	o := dcv(t, "challenge", "--json", "--method", "dns-txt", "example.com", "example.org")
	require.Equal(t, exitOK, o.code, o.stderr)
	cs := decodeLines(t, o.stdout)
	require.Len(t, cs, 2)
	order := writeFile(t, "order.jsonl", o.stdout)

	primary, full1, full2, partial := verifytest.NewZone(), verifytest.NewZone(), verifytest.NewZone(), verifytest.NewZone()
	for _, z := range []*verifytest.Zone{primary, full1, full2} {
		for _, c := range cs {
			publish(t, c, z, nil)
		}
	}
	publish(t, cs[0], partial, nil) // sees only example.com's record
	res := startDNS(t, primary)
	kf := writeFile(t, "key", testKey)
	f1, f2, p := remoteZone(t, testKey, full1), remoteZone(t, testKey, full2), remoteZone(t, testKey, partial)

	weak := []string{"--min-remotes", "3", "--min-regions", "0"}
	o = dcv(t, append([]string{"verify", "--challenge", order, "--resolver", res, "--key-file", kf, "--perspective", f1 + "," + f2 + "," + p, "--json"}, weak...)...)
	require.Equal(t, exitOK, o.code, o.stderr)
	lines := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, lines, 2, "one report per challenge")
	var second perspective.Report
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.True(t, second.Corroborated)
	assert.Equal(t, 1, second.NonCorroborating, "the partial view dissents on example.org")
	require.NotNil(t, second.Primary.DCV)
	assert.Equal(t, "example.org", second.Primary.DCV.Domain)

	// With one full view only, example.org has two dissenters: the worst wins.
	o = dcv(t, append([]string{"verify", "--challenge", order, "--resolver", res, "--key-file", kf, "--perspective", f1 + "," + p + "," + deadURL(t)}, weak...)...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "dns-txt example.org: not corroborated")
	assert.NotContains(t, o.stderr, "dns-txt example.com: not corroborated")

	// Email challenges have no network check to repeat: refused.
	o = dcv(t, "challenge", "--json", "--method", "email", "example.net")
	require.Equal(t, exitOK, o.code, o.stderr)
	email := writeFile(t, "email.jsonl", o.stdout)
	o = dcv(t, "verify", "--challenge", email, "--code", "x", "--resolver", res, "--key-file", kf, "--perspective", f1)
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "email challenges cannot be corroborated")
}

func TestCorroborateWait(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	late := verifytest.NewZone()
	lateURL := remoteZone(t, testKey, late)
	go func() {
		time.Sleep(300 * time.Millisecond)
		late.MustAdd(realTXT)
	}()
	args := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value",
		"--resolver", res, "--key-file", kf, "--interval", "1s", "--min-remotes", "1", "--min-regions", "0"}
	o := dcv(t, append(args, "--perspective", lateURL, "--wait", "5s")...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, labelOf(lateURL)+": verified")

	// Too few remotes for the policy: no retry can add one, so one attempt.
	zone := verifytest.NewZone().MustAdd(realTXT)
	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--key-file", kf,
		"--interval", "1s", "--wait", "5s", "--min-remotes", "2", "--min-regions", "0", "--perspective", remoteZone(t, testKey, zone))
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "1 remotes used, policy requires 2")
	assert.Equal(t, 1, zone.TotalQueries(), "one attempt")

	// Never corroborated: a line per attempt with its outcome and the time
	// left, that the wait ran out, and the last attempt's report.
	o = dcv(t, append(args, "--perspective", remote(t, fakeTXT), "--wait", "1500ms")...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Equal(t, 1, strings.Count(o.stdout, "  perspectives:\n"), "one report: %s", o.stdout)
	assert.Regexp(t, `(?m)^dcv verify: attempt 1: _dnsauth.example.com: not corroborated \(.+\); 1.[345]s left$`, o.stderr)
	assert.Regexp(t, `(?m)^dcv verify: attempt 2: _dnsauth.example.com: not corroborated`, o.stderr)
	assert.Contains(t, o.stderr, "dcv verify: --wait 1.5s ran out after 2 attempts for _dnsauth.example.com; the last one:")
}

func TestCorroborateBadInput(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	good := writeFile(t, "key", testKey)
	short := writeFile(t, "short", "  too-short-a-key  \n")
	u := remote(t, realTXT)
	for name, tc := range map[string]struct {
		key, perspective, stderr string
	}{
		"short key":          {short, u, "shorter than 32"},
		"missing key file":   {good + ".missing", u, "key file"},
		"not http":           {good, "ftp://127.0.0.1:21", "want [REGION@]http(s)://host"},
		"no host":            {good, "http:///x", "want [REGION@]http(s)://host"},
		"query":              {good, u + "?a=b", "want [REGION@]http(s)://host"},
		"user info":          {good, "http://me@127.0.0.1:1", "want [REGION@]"},
		"bad region":         {good, "A B@" + u, "region"},
		"twice":              {good, u + "," + u + "/", "given twice"},
		"no key after #":     {good, u + "#", "no key file"},
		"own key missing":    {good, u + "#" + good + ".missing", "key file"},
		"own key short":      {good, u + "#" + short, "shorter than 32"},
		"named like primary": {good, "http://primary", "given twice"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value",
				"--resolver", res, "--key-file", tc.key, "--perspective", tc.perspective)
			assert.Equal(t, exitFail, o.code, o.stderr)
			assert.Contains(t, o.stderr, tc.stderr)
			assert.Empty(t, o.stdout)
			o = dcv(t, "caa", "--ca", "ssl.com", "example.com", "--resolver", res, "--key-file", tc.key, "--perspective", tc.perspective)
			assert.Equal(t, exitFail, o.code, o.stderr)
		})
	}
}

func TestCorroborateUsage(t *testing.T) {
	kf := writeFile(t, "key", testKey)
	txt := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v"}
	c := []string{"caa", "--ca", "ssl.com", "example.com"}
	for name, args := range map[string][]string{
		"verify perspective without key": append(txt, "--perspective", "http://127.0.0.1:1"),
		"verify one remote without key":  append(txt, "--perspective", "http://127.0.0.1:1#"+kf+",http://127.0.0.1:2"),
		"verify key without perspective": append(txt, "--key-file", kf),
		"verify min without perspective": append(txt, "--min-remotes", "2"),
		"verify negative minimum":        append(txt, "--key-file", kf, "--perspective", "http://127.0.0.1:1", "--min-regions", "-1"),
		"verify empty perspective":       append(txt, "--key-file", kf, "--perspective", "http://127.0.0.1:1,,"),
		"caa perspective without key":    append(c, "--perspective", "http://127.0.0.1:1"),
		"caa key without perspective":    append(c, "--key-file", kf),
		"caa regions without":            append(c, "--min-regions", "2"),
		"ca without perspective":         append(c, "--perspective-ca", kf),
		"serve without listen":           {"serve-perspective", "--key-file", kf},
		"serve without key":              {"serve-perspective", "--listen", "127.0.0.1:0"},
		"serve cert without key":         {"serve-perspective", "--listen", "127.0.0.1:0", "--key-file", kf, "--tls-cert", "c.pem"},
		"serve argument":                 {"serve-perspective", "--listen", "127.0.0.1:0", "--key-file", kf, "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, args...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, "usage: dcv "+args[0])
		})
	}
}

func TestParseRemote(t *testing.T) {
	for in, want := range map[string]remoteSpec{
		"http://127.0.0.1:8080":                  {URL: "http://127.0.0.1:8080", Label: "127.0.0.1:8080"},
		"ARIN@http://127.0.0.1:8080/":            {Region: "ARIN", URL: "http://127.0.0.1:8080/", Label: "127.0.0.1:8080"},
		" RIPE@https://mpic.example.net/eu ":     {Region: "RIPE", URL: "https://mpic.example.net/eu", Label: "mpic.example.net/eu"},
		"eu-west_1@http://[::1]:9/":              {Region: "eu-west_1", URL: "http://[::1]:9/", Label: "[::1]:9"},
		"https://mpic.example.net/a%20b/":        {URL: "https://mpic.example.net/a%20b/", Label: "mpic.example.net/a%20b"},
		"APNIC@https://mpic.example.net:8443/v1": {Region: "APNIC", URL: "https://mpic.example.net:8443/v1", Label: "mpic.example.net:8443/v1"},
		"RIPE@https://mpic.example.net#eu.key":   {Region: "RIPE", URL: "https://mpic.example.net", Label: "mpic.example.net", KeyFile: "eu.key"},
		"https://mpic.example.net#/etc/dcv/k@1":  {URL: "https://mpic.example.net", Label: "mpic.example.net", KeyFile: "/etc/dcv/k@1"},
	} {
		got, err := parseRemote(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "127.0.0.1:8080", "@http://x", "A@B@http://x", "http://x#", "http://x?",
		"mailto:a@b", "http://:80", "ARIN@", "ARIN@ftp://x", strings.Repeat("R", 33) + "@http://x", "http://x:0"} {
		_, err := parseRemote(in)
		assert.Error(t, err, in)
	}
}

// With --perspective, the first line of each report is the final
// outcome, not the primary's alone.
func TestCorroborateFirstLineCarriesTheFinalOutcome(t *testing.T) {
	kf := writeFile(t, "key", testKey)
	good, bad := remote(t, realTXT), remote(t, fakeTXT)
	ours, theirs := remote(t, ourCAA), remote(t, theirCAA)
	realDNS, fakeDNS := startDNS(t, verifytest.NewZone().MustAdd(realTXT, ourCAA)), startDNS(t, verifytest.NewZone().MustAdd(fakeTXT, theirCAA))
	txt := func(res, remotes string) []string {
		return []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
			"--key-file", kf, "--perspective", remotes, "--min-remotes", "1", "--min-regions", "0"}
	}
	caaArgs := func(res, remotes string) []string {
		return []string{"caa", "example.com", "--ca", "ssl.com", "--resolver", res,
			"--key-file", kf, "--perspective", remotes, "--min-remotes", "1", "--min-regions", "0"}
	}
	for name, tc := range map[string]struct {
		args  []string
		code  int
		first string
	}{
		"verify corroborated":         {txt(realDNS, good), exitOK, "verified: _dnsauth.example.com"},
		"verify not corroborated":     {txt(realDNS, bad), exitNo, "not corroborated: _dnsauth.example.com"},
		"verify primary not verified": {txt(fakeDNS, good), exitNo, "not verified: _dnsauth.example.com"},
		"caa corroborated":            {caaArgs(realDNS, ours), exitOK, "example.com: permitted for ssl.com"},
		"caa not corroborated":        {caaArgs(realDNS, theirs), exitNo, "example.com: not corroborated for ssl.com"},
		"caa primary forbids":         {caaArgs(fakeDNS, ours), exitNo, "example.com: forbidden for ssl.com"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, tc.args...)
			assert.Equal(t, tc.code, o.code, o.stderr)
			first, _, _ := strings.Cut(o.stdout, "\n")
			assert.Equal(t, tc.first, first, o.stdout)
		})
	}
}

// Without --min-remotes/--min-regions the BR 3.2.2.9 minimums in force
// today apply, and the report says so; a lower policy is named weaker.
func TestCorroborateDefaultPolicyIsTheBRCalendar(t *testing.T) {
	br := perspective.PolicyAt(time.Now())
	require.Positive(t, br.MinRemotes)
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	regions := []string{"ARIN", "RIPE", "APNIC", "LACNIC", "AFRINIC", "ARIN"}
	var enough []string
	for i := range br.MinRemotes {
		enough = append(enough, regions[i%len(regions)]+"@"+remote(t, realTXT))
	}
	args := func(remotes ...string) []string {
		return []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
			"--key-file", kf, "--perspective", strings.Join(remotes, ",")}
	}
	o := dcv(t, args(enough...)...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, fmt.Sprintf("  policy: at least %d remotes, the corroborating ones in %d regions (%s)\n", br.MinRemotes, br.MinRegions, br.Rule))

	o = dcv(t, args(enough[1:]...)...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, fmt.Sprintf("%d remotes used, policy requires %d", br.MinRemotes-1, br.MinRemotes))

	// Asked for explicitly, a lower policy passes, reported as weaker.
	o = dcv(t, append(args(enough[1:]...), "--min-remotes", strconv.Itoa(br.MinRemotes-1))...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "weaker than "+br.Rule)
	// A stricter one is not called weaker.
	o = dcv(t, append(args(enough...), "--min-remotes", strconv.Itoa(br.MinRemotes))...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.NotContains(t, o.stdout, "weaker")
}

func TestCorroborateKeyPerRemote(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	const keyA, keyB = "key-of-remote-a-0123456789abcdefghij", "key-of-remote-b-0123456789abcdefghij"
	a := remoteZone(t, keyA, verifytest.NewZone().MustAdd(realTXT))
	b := remoteZone(t, keyB, verifytest.NewZone().MustAdd(realTXT))
	shared := remote(t, realTXT)
	kfA, kfB, kf := writeFile(t, "a.key", keyA), writeFile(t, "b.key", keyB), writeFile(t, "shared.key", testKey)
	args := func(extra ...string) []string {
		return append([]string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
			"--min-remotes", "2", "--min-regions", "0"}, extra...)
	}
	o := dcv(t, args("--perspective", a+"#"+kfA+","+b+"#"+kfB)...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "2 of 2 remotes corroborate")
	// Own keys beside the shared --key-file.
	o = dcv(t, args("--perspective", a+"#"+kfA+","+shared, "--key-file", kf)...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	// Keys swapped: each remote refuses the other's key.
	o = dcv(t, args("--perspective", a+"#"+kfB+","+b+"#"+kfA)...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Equal(t, 2, strings.Count(o.stdout, ": could not decide — "), o.stdout)
}

func TestCorroborateRefusesKeyFileReadableByOthers(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	u := remote(t, realTXT)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		kf := writeFile(t, "key", testKey)
		require.NoError(t, os.Chmod(kf, mode))
		for _, p := range [][]string{{"--key-file", kf, "--perspective", u}, {"--perspective", u + "#" + kf}} {
			o := dcv(t, append([]string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res}, p...)...)
			assert.Equal(t, exitFail, o.code, "%o: %s", mode, o.stderr)
			assert.Contains(t, o.stderr, "chmod 600 "+kf)
			assert.Empty(t, o.stdout)
		}
	}
}

func TestPlainHTTPRemotesAreWarnedAbout(t *testing.T) {
	for u, warn := range map[string]bool{
		"http://mpic.example.net:8053": true,
		"http://192.0.2.7:8053":        true,
		"https://mpic.example.net":     false,
		"http://127.0.0.1:8053":        false,
		"http://[::1]:8053":            false,
	} {
		spec, err := parseRemote(u)
		require.NoError(t, err)
		assert.Equal(t, warn, plainHTTP(spec), u)
	}
	// Loopback remotes (these tests') are not warned about.
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	o := dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
		"--key-file", writeFile(t, "key", testKey), "--perspective", remote(t, realTXT), "--min-remotes", "1", "--min-regions", "0")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.NotContains(t, o.stderr, "plain HTTP")
}

func TestPerspectiveOneServerUnderTwoSpellingsCountsOnce(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	u := remote(t, realTXT)
	port := u[strings.LastIndex(u, ":")+1:]
	base := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--key-file", kf}
	// One remote under two spellings must not satisfy --min-remotes 2.
	for _, other := range []string{u + "/v2/check", "HTTP://127.0.0.1:" + port, u + "//", "http://127.0.0.1:" + port + "/x"} {
		o := dcv(t, append(base, "--perspective", u+","+other, "--min-remotes", "2", "--min-regions", "0")...)
		assert.NotEqual(t, exitOK, o.code, "%s: %s", other, o.stdout)
		assert.Equal(t, exitFail, o.code, o.stderr)
		assert.True(t, strings.Contains(o.stderr, "same server") || strings.Contains(o.stderr, "given twice"), o.stderr)
	}
	// Distinct remotes still work.
	o := dcv(t, append(base, "--perspective", u+","+remote(t, realTXT), "--min-remotes", "2", "--min-regions", "0")...)
	assert.Equal(t, exitOK, o.code, o.stderr)
}

func TestKeyFileOfFewerThan32CharactersIsRefused(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	u := remoteZone(t, strings.Repeat("k", 32), verifytest.NewZone().MustAdd(realTXT))
	args := func(kf string) []string {
		return []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res, "--key-file", kf, "--perspective", u,
			"--min-remotes", "1", "--min-regions", "0"}
	}
	for name, content := range map[string]string{
		"empty":       "",
		"whitespace":  " \n\t\r\n  ",
		"31 chars":    strings.Repeat("k", 31),
		"31 + spaces": "   " + strings.Repeat("k", 31) + "   \n",
	} {
		o := dcv(t, args(writeFile(t, "key", content))...)
		assert.Equal(t, exitFail, o.code, name)
		assert.Contains(t, o.stderr, "shorter than 32", name)
		assert.Empty(t, o.stdout, name)
	}
	o := dcv(t, args(writeFile(t, "key", "\n"+strings.Repeat("k", 32)+"\n"))...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	o = dcv(t, args(t.TempDir())...) // a directory
	assert.Equal(t, exitFail, o.code, o.stderr)
	o = dcv(t, args("")...) // --key-file ""
	assert.Contains(t, []int{exitFail, exitUsage}, o.code, o.stderr)
}
