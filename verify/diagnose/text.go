package diagnose

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dcvkit/dcv/verify"
)

// WriteText writes the report for a person: a summary line (and the
// methods left, the zone and its servers, the DNSSEC verdict), the findings
// grouped by severity (one line each, with the fix), then the evidence of
// each finding that has some, then what could not be checked.
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	ne, nw, ni := r.Count(Error), r.Count(Warning), r.Count(Info)
	fmt.Fprintf(b, "%s: %s, %s, %d info", r.Domain, plural(ne, "error"), plural(nw, "warning"), ni)
	if len(r.CA) > 0 {
		fmt.Fprintf(b, " (CA %s", strings.Join(r.CA, ", "))
	} else {
		fmt.Fprint(b, " (CAA not checked")
	}
	fmt.Fprintf(b, "; methods %s)\n", methodList(r.Methods))
	if len(r.Methods) > 1 {
		usable := "none"
		if u := r.Usable; len(u) > 0 {
			usable = methodList(u)
		}
		fmt.Fprintf(b, "methods without errors: %s\n", usable)
	}
	if r.Zone != "" {
		ns := make([]string, len(r.Servers))
		for i, s := range r.Servers {
			ns[i] = s.NS + " " + s.Addr
		}
		fmt.Fprintf(b, "zone %s: %s\n", r.Zone, strings.Join(ns, ", "))
	}
	if r.DNSSEC != verify.DNSSECUnvalidated {
		fmt.Fprintf(b, "DNSSEC: %s\n", r.DNSSEC)
	}
	for _, sev := range []Severity{Error, Warning, Info} {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(b, "%s:\n", headings[sev])
				first = false
			}
			fmt.Fprintf(b, "  [%s] %s", f.Code, f.Subject)
			if len(f.Methods) > 0 && len(r.Methods) > 1 {
				fmt.Fprintf(b, " (%s)", methodList(f.Methods))
			}
			fmt.Fprintf(b, ": %s", f.Message)
			if f.Fix != "" {
				fmt.Fprintf(b, ". Fix: %s", f.Fix)
			}
			fmt.Fprintln(b)
		}
	}
	details := false
	for _, f := range r.Findings {
		if len(f.Evidence) > 0 {
			if !details {
				fmt.Fprintln(b, "details:")
				details = true
			}
			fmt.Fprintf(b, "  [%s] %s (%s)\n", f.Code, f.Subject, f.Severity)
			for _, e := range f.Evidence {
				fmt.Fprintf(b, "      %s\n", e)
			}
		}
	}
	if len(r.Incomplete) > 0 {
		fmt.Fprintln(b, "not completed:")
		for _, s := range r.Incomplete {
			fmt.Fprintf(b, "  %s\n", s)
		}
	}
	return b.Flush()
}

var headings = map[Severity]string{Error: "errors (the CA will refuse)", Warning: "warnings (may refuse, or fragile)", Info: "information"}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
