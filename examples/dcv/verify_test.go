package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startDNS serves zone on a loopback port and returns the --resolver value.
func startDNS(t *testing.T, zone *verifytest.Zone) string {
	t.Helper()
	srv, err := verifytest.NewDNSServer(zone)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

// startHTTP serves h on port 80 of a random 127.0.0.x address (validation
// URLs may only use port 80 or 443) and returns that address.
func startHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	var errs []error
	for range 5 {
		ip := fmt.Sprintf("127.0.0.%d", 2+rand.IntN(249))
		l, err := net.Listen("tcp", ip+":80")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { srv.Close() })
		return ip
	}
	t.Skipf("cannot listen on a loopback address at port 80 (needs root or CAP_NET_BIND_SERVICE): %v", errors.Join(errs...))
	return ""
}

// dcvTTY runs the tool as if stderr were a terminal.
func dcvTTY(t *testing.T, args ...string) outcome {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, tty: true}
	code := run(context.Background(), unsignedLab(args), e)
	return outcome{code, out.String(), errb.String()}
}

func TestVerifyDNSTXT(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 300 IN TXT "right-value"`,
		`_dnsauth.www.example.com. 300 IN TXT "old-value"`,
		`_dnsauth.shop.example.com. 300 IN TXT "x"`,
	)
	zone.SetRcode("_dnsauth.shop.example.com.", dns.TypeTXT, dns.RcodeServerFailure)
	res := startDNS(t, zone)

	o := dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "right-value", "--resolver", res)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "verified: _dnsauth.example.com")
	assert.Empty(t, o.stderr)

	// Flags before the check's name, and after.
	o = dcv(t, "verify", "--resolver", res, "--timeout", "5s", "dns-txt", "--value", "right-value", "--name", "_dnsauth.example.com.")
	assert.Equal(t, exitOK, o.code, o.stderr)

	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.www.example.com", "--value", "right-value", "--resolver", res)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stdout, "not verified")
	assert.Contains(t, o.stderr, "old-value", "the values seen")
	assert.Contains(t, o.stderr, "  hint: copy the host record and value again")

	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.nowhere.example.com", "--value", "v", "--resolver", res)
	assert.Equal(t, exitNo, o.code, "NXDOMAIN is not verified: %s", o.stderr)
	assert.Contains(t, o.stderr, "record not found")

	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.shop.example.com", "--value", "x", "--resolver", res)
	assert.Equal(t, exitFail, o.code, "SERVFAIL is undecided: %s", o.stderr)
	assert.Contains(t, o.stderr, "DNS lookup failed")
	assert.Contains(t, o.stdout, "could not decide")
}

func TestVerifyDNSCNAME(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(
		`_4547fddc7118ac1b676c964534f2db10.example.com. 300 IN CNAME aaaa.bbbb.ssl.com.`,
	)
	res := startDNS(t, zone)
	name := "_4547FDDC7118AC1B676C964534F2DB10.example.com."
	o := dcv(t, "verify", "dns-cname", "--name", name, "--target", "AAAA.bbbb.ssl.com", "--resolver", res)
	assert.Equal(t, exitOK, o.code, o.stderr)
	o = dcv(t, "verify", "dns-cname", "--name", name, "--target", "cccc.bbbb.ssl.com.", "--resolver", res)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "aaaa.bbbb.ssl.com")
}

func TestVerifyJSONEvidence(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`))
	o := dcv(t, "verify", "dns-txt", "--json", "--name", "_dnsauth.example.com", "--value", "v", "--resolver", res)
	require.Equal(t, exitOK, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	assert.Equal(t, verify.Verified, r.Outcome)
	require.NotEmpty(t, r.Evidence)
	assert.Equal(t, "dns", r.Evidence[0].Protocol)
	assert.Contains(t, r.Evidence[0].Query, "_dnsauth.example.com.")
	require.Len(t, r.Evidence[0].Answer, 1)
	assert.Contains(t, r.Evidence[0].Answer[0], `TXT`)
	assert.Contains(t, r.Evidence[0].Answer[0], `"v"`)
}

func TestVerifyFile(t *testing.T) {
	resp := verifytest.NewResponder()
	const path = "/.well-known/pki-validation/fileauth.txt"
	resp.Set(path, "the-value\r\n")
	resp.SetRedirect("/.well-known/pki-validation/moved.txt", http.StatusMovedPermanently, path)
	ip := startHTTP(t, resp)
	zone := verifytest.NewZone().MustAdd(
		"example.com. 300 IN A "+ip,
		"www.example.com. 300 IN A "+ip,
	)
	res := startDNS(t, zone)
	common := []string{"--resolver", res, "--allow-private", "--timeout", "10s"}
	file := func(args ...string) outcome {
		return dcv(t, append(append([]string{"verify", "file"}, args...), common...)...)
	}

	o := file("--url", "http://example.com"+path, "--url", "http://www.example.com"+path, "--content", "the-value")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Equal(t, 2, resp.Requests(path), "every URL is fetched")

	contentFile := filepath.Join(t.TempDir(), "content.txt")
	require.NoError(t, os.WriteFile(contentFile, []byte("the-value\n"), 0o600))
	o = file("--url", "http://example.com"+path, "--content-file", contentFile, "--json")
	assert.Equal(t, exitOK, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	require.NotEmpty(t, r.Evidence)
	assert.Equal(t, http.StatusOK, r.Evidence[len(r.Evidence)-1].Status)

	o = file("--url", "http://example.com"+path, "--content", "other-value")
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "file content does not match")

	o = file("--url", "http://example.com/.well-known/pki-validation/missing.txt", "--content", "the-value")
	assert.Equal(t, exitNo, o.code, "404: %s", o.stderr)
	assert.Contains(t, o.stderr, "404")
	assert.Contains(t, o.stderr, "hint: upload the file")

	o = file("--url", "http://example.com/.well-known/pki-validation/moved.txt", "--content", "the-value")
	assert.Equal(t, exitNo, o.code, "redirect refused: %s", o.stderr)
	assert.Contains(t, o.stderr, "redirect not allowed")
	assert.Contains(t, o.stderr, "301")

	o = file("--url", "http://example.com/.well-known/pki-validation/moved.txt", "--content", "the-value", "--follow-redirects")
	assert.Equal(t, exitOK, o.code, "BR mode follows a 301 on port 80: %s", o.stderr)

	o = file("--url", "http://example.com:8080"+path, "--content", "the-value")
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "port not allowed")

	// Without --allow-private the loopback target is refused: undecided.
	o = dcv(t, "verify", "file", "--url", "http://example.com"+path, "--content", "the-value", "--resolver", res)
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "address guard")
}

// publish adds a challenge's record to zone or its file to resp.
func publish(t *testing.T, c *challenge.Challenge, zone *verifytest.Zone, resp *verifytest.Responder) {
	t.Helper()
	switch {
	case c.Record != nil && c.Record.Type == "TXT":
		require.NoError(t, zone.Add(fmt.Sprintf("%s 300 IN TXT %q", c.Record.Name, c.Record.Value)))
	case c.Record != nil:
		require.NoError(t, zone.Add(fmt.Sprintf("%s 300 IN CNAME %s", c.Record.Name, c.Record.Value)))
	case c.File != nil:
		resp.Set(c.File.Path, c.File.Content)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestVerifyChallengeRoundTrip(t *testing.T) {
	resp := verifytest.NewResponder()
	ip := startHTTP(t, resp)
	zone := verifytest.NewZone().MustAdd("shop.example.com. 300 IN A " + ip)
	res := startDNS(t, zone)

	var lines []string
	for _, args := range [][]string{
		{"--method", "dns-txt", "example.com", "*.example.org"},
		{"--method", "hash-cname", "--csr", vectorCSR, "hildegardconsort.org"},
		{"--method", "file", "shop.example.com"},
		{"--method", "email", "example.net"},
	} {
		o := dcv(t, append([]string{"challenge", "--json"}, args...)...)
		require.Equal(t, exitOK, o.code, o.stderr)
		lines = append(lines, o.stdout)
	}
	all := strings.Join(lines, "")
	cs := decodeLines(t, all)
	require.Len(t, cs, 5)
	emailCode := cs[4].Email.Code
	order := writeFile(t, "order.jsonl", all)

	// Nothing published yet: not verified; the email code alone is right.
	o := dcv(t, "verify", "--challenge", order, "--code", emailCode, "--resolver", res, "--allow-private", "--json")
	assert.Equal(t, exitNo, o.code, o.stderr)
	results := strings.Split(strings.TrimSpace(o.stdout), "\n")
	require.Len(t, results, 5, "one JSON line per challenge")
	var last verify.Result
	require.NoError(t, json.Unmarshal([]byte(results[4]), &last))
	assert.Equal(t, verify.Verified, last.Outcome)

	for _, c := range cs {
		publish(t, c, zone, resp)
	}
	o = dcv(t, "verify", "--resolver", res, "--challenge", order, "--allow-private", "--code", emailCode)
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Equal(t, 5, strings.Count(o.stdout, "verified: "), o.stdout)

	o = dcv(t, "verify", "--challenge", order, "--code", "wrong", "--resolver", res, "--allow-private")
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "email code does not match")

	o = dcv(t, "verify", "--challenge", order, "--resolver", res, "--allow-private")
	assert.Equal(t, exitFail, o.code, "email without --code: %s", o.stderr)
	assert.Contains(t, o.stderr, "--code")

	// One challenge from standard input: one Verify call.
	o = dcvIn(t, lines[0][:strings.Index(lines[0], "\n")+1], "verify", "--challenge", "-", "--resolver", res)
	assert.Equal(t, exitOK, o.code, o.stderr)
}

func TestVerifyChallengeBadInput(t *testing.T) {
	res := startDNS(t, verifytest.NewZone())
	o := dcv(t, "challenge", "--json", "--method", "dns-txt", "example.com")
	require.Equal(t, exitOK, o.code)
	c := decodeLines(t, o.stdout)[0]
	c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(-48*time.Hour), c.IssuedAt.Add(-24*time.Hour)
	expired, err := json.Marshal(c)
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		content string
		code    int
		stderr  string
	}{
		"garbage":     {"not json\n", exitFail, "line 1"},
		"empty":       {"\n\n", exitFail, "no challenge"},
		"bad field":   {`{"method":"dns-txt","bogus":1}`, exitFail, "invalid challenge"},
		"not a file":  {"", exitFail, ""},
		"expired":     {string(expired), exitNo, "challenge expired"},
		"code no use": {o.stdout, exitFail, "no email challenge"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.jsonl")
			if tc.content != "" {
				path = writeFile(t, "c.jsonl", tc.content)
			}
			args := []string{"verify", "--challenge", path, "--resolver", res}
			if name == "code no use" {
				args = append(args, "--code", "x")
			}
			o := dcv(t, args...)
			assert.Equal(t, tc.code, o.code, o.stderr)
			assert.Contains(t, o.stderr, tc.stderr)
		})
	}
}

func TestVerifyUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"nothing":             {"verify"},
		"unknown check":       {"verify", "dns-mx", "--name", "a.example.com"},
		"name with file":      {"verify", "file", "--name", "a.example.com", "--url", "http://a.example.com/x", "--content", "x"},
		"missing value":       {"verify", "dns-txt", "--name", "_dnsauth.example.com"},
		"missing target":      {"verify", "dns-cname", "--name", "_x.example.com"},
		"two contents":        {"verify", "file", "--url", "http://a.example.com/x", "--content", "x", "--content-file", "f"},
		"no url":              {"verify", "file", "--content", "x"},
		"challenge and kind":  {"verify", "dns-txt", "--challenge", "f.jsonl"},
		"extra argument":      {"verify", "dns-txt", "extra", "--name", "a.example.com", "--value", "v"},
		"resolver not an ip":  {"verify", "dns-txt", "--name", "a.example.com", "--value", "v", "--resolver", "dns.example.com:53"},
		"code with dns-txt":   {"verify", "dns-txt", "--name", "a.example.com", "--value", "v", "--code", "c"},
		"bad wait":            {"verify", "dns-txt", "--name", "a.example.com", "--value", "v", "--wait", "-1s"},
		"unknown flag":        {"verify", "dns-txt", "--name", "a.example.com", "--value", "v", "--bogus"},
		"target with dns-txt": {"verify", "dns-txt", "--name", "a.example.com", "--value", "v", "--target", "t"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, args...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, "usage: dcv verify")
		})
	}
}

func TestVerifyWaitReportsEachAttempt(t *testing.T) {
	zone := verifytest.NewZone()
	res := startDNS(t, zone)
	go func() {
		time.Sleep(300 * time.Millisecond)
		zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "late"`)
	}()
	// On a terminal: one live line, rewritten per attempt.
	o := dcvTTY(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "late",
		"--resolver", res, "--wait", "5s", "--interval", "1s")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stderr, "\r\033[Kattempt 1: _dnsauth.example.com not yet (record not found")
	assert.Regexp(t, `attempt \d+: _dnsauth.example.com ok; [\d.]+s left\n$`, o.stderr)

	// Not a terminal: one line per attempt with the cause and the time
	// left, then that the wait ran out, then the last attempt's error.
	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.never.example.com", "--value", "v",
		"--resolver", res, "--wait", "1500ms", "--interval", "1s")
	assert.Equal(t, exitNo, o.code, o.stderr)
	lines := strings.Split(strings.TrimSuffix(o.stderr, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 4, o.stderr)
	assert.NotContains(t, o.stderr, "\r")
	assert.Regexp(t, `^dcv verify: attempt 1: _dnsauth.never.example.com not yet \(record not found: .*\); 1.[345]s left$`, lines[0])
	assert.Regexp(t, `^dcv verify: attempt 2: `, lines[1])
	assert.Contains(t, o.stderr, "dcv verify: --wait 1.5s ran out after 2 attempts")
	assert.Equal(t, "  hint: add the record exactly as shown, then wait for its TTL before retrying", lines[len(lines)-1])

	// A terminal failure (port not allowed) stops after one attempt.
	o = dcv(t, "verify", "file", "--url", "http://example.com:8080/x", "--content", "v",
		"--resolver", res, "--wait", "5s", "--interval", "1s")
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "attempt 1: http://example.com:8080/x undecided (port not allowed")
	assert.NotContains(t, o.stderr, "attempt 2")
	assert.NotContains(t, o.stderr, "ran out")
}

// Flags that need another flag are usage errors, not silently ignored;
// malformed values of --url and --auth-port too.
func TestVerifyFlagDependenciesAreUsageErrors(t *testing.T) {
	base := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v", "--resolver", "127.0.0.1:1"}
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"interval without wait":           {[]string{"--interval", "5s"}, "--interval needs --wait"},
		"auth-port without authoritative": {[]string{"--auth-port", "5353"}, "--auth-port needs --authoritative"},
		"auth-port not a port":            {[]string{"--authoritative", "--auth-port", "http"}, "want a port number"},
		"auth-port zero":                  {[]string{"--authoritative", "--auth-port", "0"}, "want a port number"},
		"wait without value":              {[]string{"--wait"}, "flag needs an argument: --wait"},
		"redirects for a DNS check":       {[]string{"--follow-redirects"}, "--follow-redirects does not apply to dns-txt"},
		"private HTTP for a DNS check":    {[]string{"--allow-private"}, "--allow-private does not apply to dns-txt"},
		"timeout malformed":               {[]string{"--timeout", "soon"}, "want a duration"},
		"interval below the minimum":      {[]string{"--wait", "1m", "--interval", "50ms"}, "--interval 50ms: the shortest pause is 1s"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append(base, tc.args...)...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, tc.msg)
		})
	}
	for _, u := range []string{"example.com/.well-known/pki-validation/fileauth.txt", "ftp://example.com/x", "http:///x"} {
		o := dcv(t, "verify", "file", "--url", u, "--content", "v")
		assert.Equal(t, exitUsage, o.code, "%s: %s", u, o.stderr)
		assert.Contains(t, o.stderr, "want an absolute http:// or https:// URL", u)
	}
}

func TestVerifyAuthoritative(t *testing.T) {
	const soa = ` 300 IN SOA ns1.example.net. hostmaster.example.com. 1 7200 3600 1209600 300`
	authZone := func(value string) *verifytest.Zone {
		z := verifytest.NewZone().MustAdd(`example.com.` + soa)
		if value != "" {
			z.MustAdd(`_dnsauth.example.com. 300 IN TXT "` + value + `"`)
		}
		return z
	}
	servers, port, err := verifytest.NewDNSServers(authZone("v"), authZone(""))
	if err != nil {
		t.Skipf("cannot start servers on 127.0.0.2 and 127.0.0.3: %v", err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	rec := verifytest.NewZone().MustAdd(
		`example.com.`+soa,
		`example.com. 300 IN NS ns1.example.net.`,
		`example.com. 300 IN NS ns2.example.net.`,
		`ns1.example.net. 300 IN A 127.0.0.2`,
		`ns2.example.net. 300 IN A 127.0.0.3`,
		`_dnsauth.example.com. 300 IN TXT "v"`,
	)
	res := startDNS(t, rec)
	args := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v", "--resolver", res}

	o := dcv(t, args...)
	assert.Equal(t, exitOK, o.code, "the resolver has it: %s", o.stderr)

	o = dcv(t, append(args, "--authoritative", "--auth-port", port, "--allow-private")...)
	assert.Equal(t, exitNo, o.code, o.stderr)
	assert.Contains(t, o.stderr, "not yet on every authoritative server")
	assert.Contains(t, o.stdout, "ns1.example.net (127.0.0.2:"+port+"): verified")
	assert.Contains(t, o.stdout, "ns2.example.net (127.0.0.3:"+port+"): not verified")
}

func TestVerifyJSONLineForARefusedCheck(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	u := remote(t, realTXT)
	for _, mp := range [][]string{nil, {"--key-file", kf, "--perspective", u}} {
		o := dcv(t, append([]string{"verify", "dns-txt", "--json", "--name", "bad..name", "--value", "v", "--resolver", res}, mp...)...)
		assert.Equal(t, exitFail, o.code, o.stderr)
		lines := strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n")
		require.Len(t, lines, 1, "%v: one JSON line for the check: %q", mp, o.stdout)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &v), lines[0])
		assert.NotEmpty(t, v["error"], lines[0])
		undecided, err := verify.Undecided.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, string(undecided), v["outcome"], lines[0])
	}
}

// A passing file check lists as served only the URLs that served the
// content; an https URL refused (no HTTPS site, which the file method
// allows) is shown as not served, in the text and in the JSON.
func TestVerifyChallengeFileListsOnlyServingURLs(t *testing.T) {
	resp := verifytest.NewResponder()
	ip := startHTTP(t, resp) // port 80 only: 443 refuses
	zone := verifytest.NewZone().MustAdd("shop.example.com. 300 IN A " + ip)
	res := startDNS(t, zone)
	o := dcv(t, "challenge", "--json", "--method", "file", "shop.example.com")
	require.Equal(t, exitOK, o.code, o.stderr)
	c := decodeLines(t, o.stdout)[0]
	publish(t, c, zone, resp)
	order := writeFile(t, "order.jsonl", o.stdout)
	httpURL, httpsURL := c.File.URLs[0], c.File.URLs[1]

	o = dcv(t, "verify", "--challenge", order, "--resolver", res, "--allow-private")
	require.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, "verified: file shop.example.com\n")
	assert.Contains(t, o.stdout, "  "+httpURL+": served the content\n")
	assert.NotContains(t, o.stdout, httpsURL+": served")
	assert.Regexp(t, regexp.QuoteMeta(httpsURL)+`: not served \(could not decide\) — .*connection refused`, o.stdout)

	o = dcv(t, "verify", "--json", "--challenge", order, "--resolver", res, "--allow-private")
	require.Equal(t, exitOK, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	require.Len(t, r.URLs, 2)
	assert.Equal(t, verify.URLResult{URL: httpURL, Outcome: verify.Verified}, r.URLs[0])
	assert.Equal(t, httpsURL, r.URLs[1].URL)
	assert.NotEqual(t, verify.Verified, r.URLs[1].Outcome)
}
