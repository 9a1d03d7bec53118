package verify

import (
	"fmt"
	"strings"
)

// utf8BOM is what some editors (Windows Notepad) put at the start of a file.
const utf8BOM = "\uFEFF"

// lineSpace is the trailing whitespace ignored at the end of each line. Only
// ASCII: a random value never ends in other spaces, and a narrow rule keeps
// the comparison predictable.
const lineSpace = " \t\r\v\f"

// contentMatches reports whether a served file body matches the expected
// content: both are normalized (see normalizeContent), then compared line by
// line, exactly, except that a line of the expected value made only of hex
// digits matches the served line case-insensitively (CSR hashes may be
// written in either case). An expected value that normalizes to nothing
// never matches: an empty file must not pass for an empty challenge.
func contentMatches(body []byte, want string) bool {
	w := normalizeContent(want)
	if w == "" {
		return false
	}
	got := strings.Split(normalizeContent(string(body)), "\n")
	exp := strings.Split(w, "\n")
	if len(got) != len(exp) {
		return false
	}
	for i, e := range exp {
		if isHex(e) {
			if !asciiEqualFold(got[i], e) {
				return false
			}
		} else if got[i] != e {
			return false
		}
	}
	return true
}

// normalizeContent removes leading UTF-8 BOMs (a file saved twice by a BOM-
// writing editor has two, and removing all keeps this idempotent), turns
// CRLF into LF, and drops trailing whitespace from every line and from the
// end of the text. A lone CR inside a line stays: only CRLF is a line break.
func normalizeContent(s string) string {
	for strings.HasPrefix(s, utf8BOM) {
		s = s[len(utf8BOM):]
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		// Trimming CR as trailing space is what turns CRLF into LF.
		lines[i] = strings.TrimRight(l, lineSpace)
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// asciiEqualFold is strings.EqualFold without Unicode folding (which would
// let, e.g., the Kelvin sign match "k").
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// contentDiff says where a body that does not match want differs: the
// first expected line that differs and the body's line there (none past
// its end), or for a body with extra lines no expected line and the first
// extra one. Both are normalized as contentMatches compares them.
func contentDiff(body []byte, want string) (expected string, found []string) {
	got := strings.Split(normalizeContent(string(body)), "\n")
	if len(got) == 1 && got[0] == "" {
		got = nil // an empty file has no lines
	}
	exp := strings.Split(normalizeContent(want), "\n")
	for i, e := range exp {
		if i >= len(got) {
			return e, nil
		}
		if isHex(e) && !asciiEqualFold(got[i], e) || !isHex(e) && got[i] != e {
			return e, []string{got[i]}
		}
	}
	if len(got) > len(exp) {
		return "", []string{fmt.Sprintf("an extra line %d, %s", len(exp)+1, quoteValue(got[len(exp)]))}
	}
	return "", nil
}
