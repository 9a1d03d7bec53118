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

// readmeCommands returns the ./dcv command lines of the README's section
// on the tool, continuation lines joined, comments and "> FILE" kept apart.
func readmeCommands(t *testing.T) (build string, cmds []readmeCmd) {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	section := string(data)
	i := strings.Index(section, "## The `dcv` tool")
	require.GreaterOrEqual(t, i, 0, "the README has a section on the tool")
	section = section[i:]
	start := strings.Index(section, "```sh\n")
	end := strings.Index(section[start+6:], "```")
	require.True(t, start >= 0 && end >= 0)
	block := strings.ReplaceAll(section[start+6:start+6+end], "\\\n", " ")
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, " #")
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "go build"):
			build = line
		case strings.HasPrefix(line, "./dcv "):
			var c readmeCmd
			line, c.stdoutTo, _ = strings.Cut(line, " > ")
			c.args = strings.Fields(strings.TrimPrefix(line, "./dcv "))
			c.stdoutTo = strings.TrimSpace(c.stdoutTo)
			cmds = append(cmds, c)
		}
	}
	return build, cmds
}

type readmeCmd struct {
	args     []string
	stdoutTo string
}

// The README's examples run as written: the binary is built where they
// call it, every command line parses, the offline ones (hash, challenge)
// produce the output the README documents, and the network ones run
// against loopback servers (a DNS server for --resolver, in-process remote
// perspectives in place of a, b and c) instead of the Internet.
func TestREADMEExamplesRun(t *testing.T) {
	build, cmds := readmeCommands(t)
	assert.Equal(t, "go build -o dcv ./examples/dcv", build, "./dcv is what the build writes")
	require.NotEmpty(t, cmds)
	data, err := os.ReadFile("../../.gitignore")
	require.NoError(t, err)
	assert.Contains(t, strings.Split(string(data), "\n"), "/dcv", "the built binary is ignored")

	zone := verifytest.NewZone()
	resolver := startDNS(t, zone)
	dir := t.TempDir()
	files := map[string]string{} // README file name -> temp file
	remotes := map[string]string{}
	for _, h := range []string{"a", "b", "c"} {
		remotes["http://"+h+":8053"] = remoteZone(t, testKey, zone)
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)

	for _, c := range cmds {
		name := strings.Join(c.args, " ")
		args := make([]string, 0, len(c.args)+2)
		for i, a := range c.args {
			prev := ""
			if i > 0 {
				prev = c.args[i-1]
			}
			switch {
			case prev == "--listen":
				a = "127.0.0.1:0" // not the public 0.0.0.0:8053
			case prev == "--perspective":
				for from, to := range remotes {
					a = strings.ReplaceAll(a, from, to)
				}
			case strings.HasPrefix(a, "examples/"):
				a = filepath.Join("../..", a)
				_, err := os.Stat(a)
				require.NoError(t, err, "%s: the README's path exists", name)
			case prev == "--challenge" || prev == "--key-file":
				if files[a] == "" {
					files[a] = filepath.Join(dir, a)
				}
				a = files[a]
			}
			args = append(args, a)
		}
		if files["mpic.key"] != "" {
			require.NoError(t, os.WriteFile(files["mpic.key"], []byte(testKey+"\n"), 0o600))
		}
		ctx := context.Background()
		switch args[0] {
		case "verify", "caa":
			args = append(args, "--resolver", resolver) // flags may follow
		case "serve-perspective":
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			cancel() // it serves until interrupted: stop at once
		}
		o := runIn(ctx, args...)
		assert.NotEqual(t, exitUsage, o.code, "%s: parses\n%s", name, o.stderr)
		assert.NotContains(t, o.stderr, "usage:", name)

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
			require.Equal(t, "ch.jsonl", c.stdoutTo)
			ch, err := challenge.Decode([]byte(o.stdout))
			require.NoError(t, err, name)
			assert.Equal(t, "_dnsauth.www.example.com.", ch.Record.Name)
			files["ch.jsonl"] = filepath.Join(dir, "ch.jsonl")
			require.NoError(t, os.WriteFile(files["ch.jsonl"], []byte(o.stdout), 0o600))
			require.NoError(t, verifytest.Publish(zone, nil, ch)) // the applicant publishes it
		case "verify":
			if slices.Contains(args, "--challenge") {
				assert.Equal(t, exitOK, o.code, "%s: the published challenge verifies\n%s", name, o.stderr)
			}
		case "caa":
			assert.Equal(t, exitOK, o.code, "%s: no CAA records: permitted\n%s", name, o.stderr)
		case "serve-perspective":
			assert.Equal(t, exitOK, o.code, "%s: %s", name, o.stderr)
			assert.Regexp(t, `^http://127\.0\.0\.1:\d+\n`, o.stdout, name)
		case "help":
			assert.Equal(t, exitOK, o.code, name)
			assert.Contains(t, o.stdout, "--challenge", name)
		}
	}
	assert.NotEmpty(t, files["ch.jsonl"], "the README builds a challenge file and verifies it")
}
