package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// readmeCommands returns the ./dcv command lines of the README's sh
// blocks, continuation lines joined, quotes and comments dropped, "> FILE"
// kept apart; and the line that builds the binary.
func readmeCommands(t *testing.T) (build string, cmds []readmeCmd) {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	rest := string(data)
	for {
		start := strings.Index(rest, "```sh\n")
		if start < 0 {
			return build, cmds
		}
		rest = rest[start+6:]
		end := strings.Index(rest, "```")
		require.GreaterOrEqual(t, end, 0, "an sh block ends")
		block := strings.ReplaceAll(rest[:end], "\\\n", " ")
		rest = rest[end+3:]
		for _, line := range strings.Split(block, "\n") {
			line, _, _ = strings.Cut(line, " #")
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "go build"):
				build = line
			case strings.HasPrefix(line, "dcv "):
				t.Errorf("README: %q: call the built binary as ./dcv", line)
			case strings.HasPrefix(line, "./dcv "):
				var c readmeCmd
				line, c.stdoutTo, _ = strings.Cut(line, " > ")
				for _, a := range strings.Fields(strings.TrimPrefix(line, "./dcv ")) {
					c.args = append(c.args, strings.Trim(a, "'"))
				}
				c.stdoutTo = strings.TrimSpace(c.stdoutTo)
				cmds = append(cmds, c)
			}
		}
	}
}

// labRootDS is a trust anchor of the README's lab form (a DS for a root
// the test zone does not sign: the check fails closed, it still parses).
const labRootDS = ". IN DS 12345 13 2 " +
	"0000000000000000000000000000000000000000000000000000000000000000"

type readmeCmd struct {
	args     []string
	stdoutTo string
}

// The README's examples run as written: the binary is built where they
// call it, every command line parses, the offline ones (hash, challenge)
// produce the output the README documents, and the network ones run
// against loopback servers (a DNS server for --resolver, in-process remote
// perspectives in place of the mpic-*.example.net ones, 127.0.0.1:0 for a
// --listen address) instead of the Internet.
func TestREADMEExamplesRun(t *testing.T) {
	build, cmds := readmeCommands(t)
	assert.Equal(t, "go build -o dcv ./examples/dcv", build, "./dcv is what the build writes")
	require.NotEmpty(t, cmds)
	data, err := os.ReadFile("../../.gitignore")
	require.NoError(t, err)
	assert.Contains(t, strings.Split(string(data), "\n"), "/dcv", "the built binary is ignored")
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)

	zone := verifytest.NewZone()
	resolver := startDNS(t, zone)
	dir := t.TempDir()
	// The README's file names, as temporary files; keys hold a key each.
	keys := map[string]string{"mpic.key": testKey, "eu.key": otherKey}
	file := func(name string) string {
		p := filepath.Join(dir, name)
		if k, ok := keys[name]; ok {
			require.NoError(t, os.WriteFile(p, []byte(k+"\n"), 0o600))
		}
		if strings.HasSuffix(name, ".ds") { // a trust-anchor file: a lab root's DS
			require.NoError(t, os.WriteFile(p, []byte(labRootDS+"\n"), 0o600))
		}
		return p
	}
	certPEM, keyPEM, _ := selfSigned(t)
	require.NoError(t, os.WriteFile(file("eu.pem"), []byte(certPEM), 0o600))
	require.NoError(t, os.WriteFile(file("eu-key.pem"), []byte(keyPEM), 0o600))
	// A loopback remote per README perspective, with the key the README
	// gives it (its own #KEYFILE, else --key-file).
	remoteURL := regexp.MustCompile(`https://mpic-[a-z]+\.example\.net:8443(#[a-z.-]+)?`)
	remotes := map[string]string{}
	loopback := func(u string) string {
		base, keyFile, _ := strings.Cut(u, "#")
		if remotes[base] == "" {
			key := keys["mpic.key"]
			if keyFile != "" {
				key = keys[keyFile]
			}
			remotes[base] = remoteZone(t, key, zone)
		}
		if keyFile != "" {
			return remotes[base] + "#" + file(keyFile)
		}
		return remotes[base]
	}

	ran := map[string]bool{}
	for _, c := range cmds {
		name := strings.Join(c.args, " ")
		args := make([]string, 0, len(c.args)+2)
		for i, a := range c.args {
			prev := ""
			if i > 0 {
				prev = c.args[i-1]
			}
			switch {
			case prev == "--resolver":
				a = resolver // the README's lab resolver: the test's loopback one
			case prev == "--listen":
				a = "127.0.0.1:0" // not a public address and port
			case prev == "--perspective":
				a = remoteURL.ReplaceAllStringFunc(a, loopback)
			case strings.HasPrefix(a, "examples/"):
				a = filepath.Join("../..", a)
				_, err := os.Stat(a)
				require.NoError(t, err, "%s: the README's path exists", name)
			case regexp.MustCompile(`^[a-z-]+\.(key|pem|jsonl|ds)$`).MatchString(a):
				a = file(a)
			}
			args = append(args, a)
		}
		ctx := context.Background()
		switch {
		case args[0] == "hash" || args[0] == "challenge" || args[0] == "help":
			// offline
		case slices.Contains(args, "--resolver"):
			// the README names a resolver: already the loopback one
		case strings.Contains(dcv(t, "help", args[0]).stdout, "\n  --resolver "):
			args = append(args, "--resolver", resolver) // flags may follow
		default:
			t.Fatalf("%s: a network command without --resolver would ask the system resolver", name)
		}
		if args[0] == "serve-perspective" {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			cancel() // it serves until interrupted: stop at once
		}
		o := runIn(ctx, args...)
		assert.NotEqual(t, exitUsage, o.code, "%s: parses\n%s", name, o.stderr)
		assert.NotContains(t, o.stderr, "usage:", name)
		ran[args[0]] = true

		switch args[0] {
		case "hash":
			require.Equal(t, exitOK, o.code, "%s: %s", name, o.stderr)
			var h hashOutput
			require.NoError(t, json.Unmarshal([]byte(o.stdout), &h), name)
			for _, shown := range regexp.MustCompile("`(\"[a-z_0-9]+\":\"[^`]*\")`").FindAllStringSubmatch(string(readme), -1) {
				assert.Contains(t, o.stdout, shown[1], "%s: the output the README shows", name)
			}
			assert.Equal(t, vectorMD5, h.MD5)
		case "challenge":
			require.Equal(t, exitOK, o.code, "%s: %s", name, o.stderr)
			if c.stdoutTo == "" {
				break
			}
			require.Equal(t, "ch.jsonl", c.stdoutTo)
			ch, err := challenge.Decode([]byte(o.stdout))
			require.NoError(t, err, name)
			assert.Equal(t, "_dnsauth.www.example.com.", ch.Record.Name)
			require.NoError(t, os.WriteFile(file(c.stdoutTo), []byte(o.stdout), 0o600))
			require.NoError(t, verifytest.Publish(zone, nil, ch)) // the applicant publishes it
		case "verify":
			if slices.Contains(c.args, "--challenge") {
				assert.Equal(t, exitOK, o.code, "%s: the published challenge verifies\n%s%s", name, o.stdout, o.stderr)
			}
		case "caa":
			assert.Equal(t, exitOK, o.code, "%s: no CAA records: permitted\n%s", name, o.stderr)
		case "serve-perspective":
			assert.Equal(t, exitOK, o.code, "%s: %s", name, o.stderr)
			assert.True(t, strings.HasPrefix(o.stdout, "https://mpic-eu.example.net:8443\n"), "%s: prints its URL: %s", name, o.stdout)
		case "help":
			assert.Equal(t, exitOK, o.code, name)
			assert.Contains(t, o.stdout, "--challenge", name)
		}
	}
	for _, cmd := range []string{"hash", "challenge", "verify", "caa", "serve-perspective", "help"} {
		assert.True(t, ran[cmd], "the README shows %s", cmd)
	}
	assert.Len(t, remotes, 4, "the README corroborates through four remotes")
}
