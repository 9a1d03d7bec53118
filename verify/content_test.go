package verify_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dcvkit/dcv/verify"
)

const (
	sslcomSHA  = "c9c863405fe7675a3988b97664ea6baf442019e4e52fa335f406f7c5f26cf14f"
	sslcomWant = sslcomSHA + "\nssl.com\n10TmfZdb9tj"
)

func TestContentMatches(t *testing.T) {
	cases := []struct {
		body, want string
		match      bool
	}{
		{"abc", "abc", true},
		{"\ufeffabc", "abc", true},            // BOM
		{"\ufeff\ufeffabc", "abc", true},      // two BOMs
		{"abc\r\n", "abc", true},              // CRLF, trailing newline
		{"abc \t\r\n\r\n\n  \n", "abc", true}, // trailing whitespace and blank lines
		{"abc", "abc\n", true},                // the same applies to want
		{"a\r\nb", "a\nb", true},              // CRLF inside
		{"a  \nb\t", "a\nb", true},            // trailing spaces per line
		{"abc", "abd", false},
		{"xyz", "XYZ", false},        // not hex: case matters
		{" abc", "abc", false},       // leading space is content
		{"a\rb", "a\nb", false},      // a lone CR is not a line break
		{"a\n\nb", "a\nb", false},    // blank lines inside count
		{"abc\nextra", "abc", false}, // extra line
		{"abc", "abc\nmore", false},  // missing line
		{"abc\ufeff", "abc", false},  // BOM only at the start
		{"x\ufeffabc", "abc", false},
		{"", "", false}, // empty want never matches
		{"   \n", " ", false},
		{"DEADBEEF", "deadbeef", true}, // hex line: case-insensitive
		{"deadbeef", "DEADBEEF", true},
		{"deadbeeg", "DEADBEEG", false}, // not hex
		{strings.ToUpper(sslcomSHA) + "\r\nssl.com\r\n10TmfZdb9tj\r\n", sslcomWant, true},
		{sslcomSHA + "\nSSL.COM\n10TmfZdb9tj", sslcomWant, false},
		{sslcomSHA + "\nssl.com\n10tmfzdb9tj", sslcomWant, false},
		{sslcomSHA + "\nssl.com", sslcomWant, false},
		{sslcomSHA + " ssl.com 10TmfZdb9tj", sslcomWant, false}, // flattened
		{"\u212a", "k", false}, // no Unicode folding
		{"\u00e9", "\u00e9", true},
	}
	for _, c := range cases {
		assert.Equal(t, c.match, verify.ContentMatches([]byte(c.body), c.want), "body %q want %q", c.body, c.want)
	}
}

func TestNormalizeContent(t *testing.T) {
	assert.Equal(t, "a\nb\n\nc", verify.NormalizeContent("\ufeffa \r\nb\t\r\n\r\nc \r\n\r\n"))
	assert.Equal(t, "", verify.NormalizeContent("\ufeff \n\t\n"))
	assert.Equal(t, " a", verify.NormalizeContent(" a"))
}

func TestIsHex(t *testing.T) {
	assert.True(t, verify.IsHex("0123456789abcdefABCDEF"))
	assert.False(t, verify.IsHex(""))
	assert.False(t, verify.IsHex("abcg"))
	assert.False(t, verify.IsHex("ab cd"))
}

func FuzzContentMatches(f *testing.F) {
	f.Add([]byte("value123"), uint(0), byte('x'))
	f.Add([]byte(sslcomWant), uint(3), byte('Z'))
	f.Add([]byte("\ufeffa\r\nb  \r\n"), uint(1), byte('c'))
	f.Add([]byte("DEADbeef\nx"), uint(2), byte('1'))
	f.Add([]byte("a\rb"), uint(1), byte('\n'))
	f.Add([]byte("\xef\xbb\xbf\xef\xbb"), uint(4), byte(0xbf))
	f.Fuzz(func(t *testing.T, body []byte, pos uint, c byte) {
		s := string(body)
		n := verify.NormalizeContent(s)
		if got := verify.NormalizeContent(n); got != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, got)
		}
		if n == "" {
			if verify.ContentMatches(body, s) {
				t.Fatalf("empty want matched")
			}
			return
		}
		if !verify.ContentMatches(body, s) || !verify.ContentMatches(body, n) || !verify.ContentMatches([]byte(n), s) {
			t.Fatalf("%q does not match itself", s)
		}
		// A BOM, CRLF line ends and trailing spaces keep the match.
		dressed := "\ufeff" + strings.ReplaceAll(n, "\n", " \t\r\n") + " \r\n\n"
		if !verify.ContentMatches([]byte(dressed), s) {
			t.Fatalf("dressed %q does not match %q", dressed, s)
		}
		// Changing a non-space byte of a non-hex line breaks the match.
		i := int(pos % uint(len(n)))
		if isSpaceByte(n[i]) || isSpaceByte(c) || n[i] == c || c == '\n' {
			return
		}
		start := strings.LastIndexByte(n[:i], '\n') + 1
		end := len(n)
		if j := strings.IndexByte(n[i:], '\n'); j >= 0 {
			end = i + j
		}
		if verify.IsHex(n[start:end]) {
			return
		}
		changed := n[:i] + string([]byte{c}) + n[i+1:]
		if verify.ContentMatches([]byte(changed), n) {
			t.Fatalf("changed %q (byte %d to %q) still matches %q", changed, i, c, n)
		}
	})
}

func isSpaceByte(b byte) bool { return strings.IndexByte(verify.LineSpace+"\n", b) >= 0 }
