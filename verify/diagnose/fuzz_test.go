package diagnose_test

import (
	"strings"
	"testing"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
)

// FuzzContentIssues: for a served body that the verifier accepts, the
// formatting findings are empty exactly when the body is the expected
// content itself, or it with one final LF (hex in either case); and a finding is only raised
// for what the body has (a BOM only with a BOM, CRLF only with CRLF).
func FuzzContentIssues(f *testing.F) {
	for _, s := range [][2]string{
		{"value", "value"}, {"value\n", "value"}, {"\uFEFFvalue", "value"}, {"value\r\n", "value"},
		{"value  \n\n", "value"}, {"a\r\nb\r\n", "a\nb"}, {"\uFEFF\uFEFFx \r\n", "x"}, {"ABCDEF", "abcdef"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, body, want string) {
		if !verify.ContentMatches([]byte(body), want) || strings.Contains(want, "\r") || strings.HasPrefix(want, "\uFEFF") {
			return
		}
		issues := diagnose.ContentIssues([]byte(body), want)
		exact := strings.EqualFold(body, want) || strings.EqualFold(body, want+"\n")
		if exact != (len(issues) == 0) {
			t.Fatalf("body %q want %q: issues %v", body, want, issues)
		}
		for _, c := range issues {
			switch c {
			case diagnose.ContentBOM:
				if !strings.HasPrefix(body, "\uFEFF") {
					t.Fatalf("BOM finding for %q", body)
				}
			case diagnose.ContentCRLF:
				if !strings.Contains(body, "\r\n") {
					t.Fatalf("CRLF finding for %q", body)
				}
			}
		}
	})
}
