package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/verify/verifytest"
)

type outcome struct {
	code           int
	stdout, stderr string
}

// runIn runs the tool in-process under ctx, with empty stdin.
func runIn(ctx context.Context, args ...string) outcome {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := run(ctx, unsignedLab(args), e)
	return outcome{code, out.String(), errb.String()}
}

// unsignedLab adds --dnssec off to a network command that says nothing of
// DNSSEC: the tests' loopback zones are unsigned, so validation (the
// default) would find them bogus. The tests about DNSSEC (dnssec_test.go,
// diagnose's) give --trust-anchor or --dnssec themselves.
func unsignedLab(args []string) []string {
	if len(args) == 0 || !slices.Contains([]string{"verify", "caa", "serve-perspective", "diagnose"}, args[0]) ||
		slices.Contains(args, "--dnssec") || slices.Contains(args, "--trust-anchor") ||
		slices.Contains(args, "--help") || slices.Contains(args, "-h") || slices.Contains(args, "--") {
		return args
	}
	return append([]string{args[0], "--dnssec", "off"}, args[1:]...)
}

// dcvIn runs the tool in-process with stdin.
func dcvIn(t testing.TB, stdin string, args ...string) outcome {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := run(context.Background(), unsignedLab(args), e)
	return outcome{code, out.String(), errb.String()}
}

func dcv(t testing.TB, args ...string) outcome { t.Helper(); return dcvIn(t, "", args...) }

// A usage error prints one line saying what is wrong, then the command's
// synopsis and where its help is: never the whole flag list.
func TestUsageErrorIsOneLineAndTheSynopsis(t *testing.T) {
	for name, args := range map[string][]string{
		"hash no file":     {"hash"},
		"hash two files":   {"hash", "a", "b"},
		"unknown flag":     {"hash", "--nope", vectorCSR},
		"missing value":    {"hash", vectorCSR, "--domain"},
		"no method":        {"challenge", "example.com"},
		"no domain":        {"challenge", "--method", "dns-txt"},
		"csr with dns-txt": {"challenge", "--method", "dns-txt", "--csr", vectorCSR, "example.com"},
		"key with file":    {"challenge", "--method", "file", "--account-key", "k.pem", "example.com"},
		"verify nothing":   {"verify"},
		"caa no ca":        {"caa", "example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, args...)
			assert.Equal(t, exitUsage, o.code)
			assert.Empty(t, o.stdout)
			lines := strings.Split(strings.TrimSuffix(o.stderr, "\n"), "\n")
			assert.True(t, strings.HasPrefix(lines[0], "dcv "+args[0]+": "), lines[0])
			assert.True(t, strings.HasPrefix(lines[1], "usage: dcv "+args[0]), o.stderr)
			assert.Equal(t, "Run 'dcv help "+args[0]+"' for the flags.", lines[len(lines)-1])
			assert.Less(t, len(lines), 9, "no flag list: %s", o.stderr)
			assert.NotContains(t, o.stderr, "\n  --", "no flag list")
		})
	}
}

// The flag package's one-dash spelling is respelt as the help and README
// spell flags.
func TestUsageErrorsSpellFlagsWithTwoDashes(t *testing.T) {
	o := dcv(t, "hash", "--nope", vectorCSR)
	assert.Contains(t, o.stderr, "flag provided but not defined: --nope")
	o = dcv(t, "hash", vectorCSR, "--domain")
	assert.Contains(t, o.stderr, "flag needs an argument: --domain")
	o = dcv(t, "verify", "dns-txt", "--wait", "-1s")
	assert.Contains(t, o.stderr, `invalid value "-1s" for flag --wait: negative duration`)
}

func TestNoCommandOrUnknownCommandIsUsage(t *testing.T) {
	o := dcv(t)
	assert.Equal(t, exitUsage, o.code)
	assert.Contains(t, o.stderr, "usage: dcv COMMAND")
	o = dcv(t, "frobnicate")
	assert.Equal(t, exitUsage, o.code)
	assert.Equal(t, "dcv: unknown command \"frobnicate\"; run 'dcv help' for the list\n", o.stderr)
	o = dcv(t, "help", "frobnicate")
	assert.Equal(t, exitUsage, o.code)
}

// 'dcv help CMD' and 'dcv CMD --help' (or -h) print the same help on
// stdout and exit 0; flags are spelt --flag.
func TestHelpForEachCommand(t *testing.T) {
	o := dcv(t, "help")
	require.Equal(t, exitOK, o.code)
	for _, c := range commands() {
		assert.Contains(t, o.stdout, "  "+c.name+" ")
		viaHelp := dcv(t, "help", c.name)
		require.Equal(t, exitOK, viaHelp.code, c.name)
		assert.True(t, strings.HasPrefix(viaHelp.stdout, "usage: dcv "+c.name), viaHelp.stdout)
		assert.Contains(t, viaHelp.stdout, "\n  --")
		assert.NotContains(t, viaHelp.stdout, "\n  -"+"-"+"-")
		assert.NotRegexp(t, `\n  -[a-z]`, viaHelp.stdout, "%s: one-dash flag in help", c.name)
		for _, flag := range []string{"--help", "-h"} {
			o := dcv(t, c.name, flag)
			assert.Equal(t, exitOK, o.code)
			assert.Equal(t, viaHelp.stdout, o.stdout, "%s %s", c.name, flag)
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		o := dcv(t, arg)
		assert.Equal(t, exitOK, o.code)
		// Test binaries carry no module version: the fallback.
		assert.Equal(t, "dcv (devel)\n", o.stdout)
	}
}

// A command stopped by SIGINT or SIGTERM (its context cancelled) exits 130.
func TestInterruptExits130(t *testing.T) {
	res := startDNS(t, verifytest.NewZone())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := run(ctx, []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v",
		"--resolver", res, "--wait", "1m", "--interval", "1s"}, e)
	assert.Equal(t, exitInterrupted, code, errb.String())
	assert.Contains(t, errb.String(), "dcv: interrupted")
}

// TestBinary builds the real command and checks its exit statuses and
// --version.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "dcv")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	cmd := exec.Command(bin, "hash")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, exitUsage, exit.ExitCode())
	assert.Contains(t, stderr.String(), "usage: dcv hash")

	out, err = exec.Command(bin, "hash", vectorCSR).Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), vectorMD5)
	assert.Contains(t, string(out), vectorSHA256)

	err = exec.Command(bin, "hash", "testdata/refuse-cert.pem").Run()
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, exitFail, exit.ExitCode())

	out, err = exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^dcv (\(devel\)|v\S+)\n$`, string(out))

	// Ctrl-C while --wait polls: 130.
	res := startDNS(t, verifytest.NewZone())
	cmd = exec.Command(bin, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v",
		"--resolver", res, "--wait", "1m", "--interval", "1s")
	stderr.Reset()
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, exitInterrupted, exit.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "dcv: interrupted")
}

// Bounded random argument lists built from tokens that reach only loopback
// servers: never a panic, only the documented statuses, and --json output
// (when the status is 0 or 1) is JSON Lines.
func TestRandomArgumentsNeverPanicAndExitAsDocumented(t *testing.T) {
	zone := verifytest.NewZone().MustAdd(realTXT, ourCAA)
	res := startDNS(t, zone)
	kf := writeFile(t, "key", testKey)
	short := writeFile(t, "short", "x")
	u := remote(t, realTXT, ourCAA)
	tokens := []string{
		"--json", "--json=false", "--", "-", "-h", "--nope", "", " ", "=", "--=", "-json", "---json",
		"--name", "_dnsauth.example.com", "--value", "good-value", "--target", "x.example.", "--url", "http://127.0.0.1/x",
		"--content", "c", "--content-file", kf, "--challenge", kf, "--code", "1",
		"--ca", "ssl.com", "sectigo", "--wildcard", "--account-uri", "https://a/1", "--method", "dns-01", "ca-x", "ca-",
		"--perspective", u, "ARIN@" + u, u + "/", "http://127.0.0.1:1", "x@y", "--key-file", kf, short,
		"--min-remotes", "--min-regions", "0", "1", "-1", "99999999999999999999", "--perspective-ca", kf,
		"--timeout", "200ms", "--resolver", res, "--domain", "example.com", "*.example.com", "com", "bad..name", "\x00", "é.example",
		"dns-txt", "dns-cname", "file", "--token", "t", "--csr", kf, "--account-key", kf, "--allow-private",
		"--interval", "--auth-port", "53", "--authoritative", "--lifetime", "800h", "help", "--version",
	}
	cmds := []string{"verify", "caa", "hash", "challenge", "nope", "-h", "help"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		cmd := cmds[rng.IntN(len(cmds))]
		// The safe flags come first, so no later "--" can turn them into
		// positionals: never the system resolver, never a long wait.
		args := []string{cmd}
		if cmd == "verify" || cmd == "caa" {
			args = append(args, "--resolver", res, "--timeout", "300ms")
		}
		for n := rng.IntN(9); n > 0; n-- {
			args = append(args, tokens[rng.IntN(len(tokens))])
		}
		name := fmt.Sprintf("%q", args)
		var o outcome
		require.NotPanics(t, func() { o = dcv(t, args...) }, name)
		require.Contains(t, []int{exitOK, exitNo, exitFail, exitUsage}, o.code, name)
		if o.code == exitUsage {
			assert.NotEmpty(t, o.stderr, name)
		}
		jsonOn := false
		for _, a := range args {
			if a == "--" {
				break
			}
			jsonOn = jsonOn || a == "--json"
		}
		if jsonOn && o.code <= exitNo && cmd != "-h" && cmd != "help" && !strings.HasPrefix(o.stdout, "usage:") && !strings.HasPrefix(o.stdout, "dcv ") {
			for _, l := range strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n") {
				if l == "" {
					continue
				}
				var v any
				assert.NoError(t, json.Unmarshal([]byte(l), &v), "%s: %q", name, l)
			}
		}
	}
}

// A library error is printed as the library wrote it ("pkg: what
// happened"), once, after "dcv: ", and its hint on a line of its own: the
// tool rewrites no message.
func TestLibraryErrorIsOneLineAndItsHintAnother(t *testing.T) {
	o := dcv(t, "verify", "file", "--url", "http://example.com:8080/x", "--content", "v", "--resolver", "127.0.0.1:1")
	require.Equal(t, exitFail, o.code)
	assert.Regexp(t, `^dcv: verify: http://example.com:8080/x: port not allowed[^\n]*\n  hint: [^\n]+\n$`, o.stderr)

	o = dcv(t, "hash", "testdata/refuse-cert.pem")
	require.Equal(t, exitFail, o.code)
	assert.Equal(t, 1, strings.Count(o.stderr, "\n"), o.stderr)
	assert.True(t, strings.HasPrefix(o.stderr, "dcv: testdata/refuse-cert.pem: csrhash: "), o.stderr)
}

// --auth-port without --authoritative is a usage error in every command
// that has it, not silently ignored.
func TestAuthPortNeedsAuthoritativeEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "v", "--auth-port", "5353"},
		{"serve-perspective", "--listen", "127.0.0.1:0", "--key-file", "k", "--auth-port", "5353"},
	} {
		o := dcv(t, args...)
		assert.Equal(t, exitUsage, o.code, "%q: %s", args, o.stderr)
		assert.Contains(t, o.stderr, "--auth-port needs --authoritative", args)
	}
}
