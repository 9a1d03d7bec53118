package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
)

// hashOutput is the --json form of dcv hash.
type hashOutput struct {
	MD5         string   `json:"md5"`
	SHA256      string   `json:"sha256"`
	FilePath    string   `json:"file_path,omitempty"`
	FileContent string   `json:"file_content,omitempty"`
	CNAMEName   string   `json:"cname_name,omitempty"`
	CNAMETarget string   `json:"cname_target,omitempty"`
	Domains     []string `json:"domains"`
	Skipped     []string `json:"skipped"` // CN and SAN values that are not domain names, as given
}

func runHash(ctx context.Context, e *env, args []string) int {
	f := newFlags("hash", "dcv hash [--json] [--ca D] [--token T] [--domain D] CSR_FILE|-")
	f.notes = "Prints the SSL.com/Sectigo validation hashes of the CSR (MD5 uppercase, SHA-256\n" +
		"lowercase, over its DER bytes) and, with --domain, the hash-based file and CNAME.\n" +
		"--ca takes the CA's domain or a brand, which stands for its own domain:\n  " +
		strings.Join(caa.BrandNames(), ", ") + ".\n"
	jsonOut := f.Bool("json", false, "print one JSON object (keys md5, sha256, file_path, file_content, cname_name, cname_target, domains, skipped)")
	caD := caDomainFlag(f, "`CA` domain written into the file and the CNAME target, or a brand")
	token := tokenFlag(f, "unique value `T` from the CA (up to 20 letters and digits), optional")
	domain := f.String("domain", "", "`DOMAIN` to build the file and CNAME for")
	pos, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return f.fail(e, "want exactly one CSR file (or - for standard input), got %d arguments", len(pos))
	}

	csr, err := readCSR(e, pos[0])
	if err != nil {
		return fail(e, err)
	}
	out := hashOutput{MD5: csr.Hashes.MD5, SHA256: csr.Hashes.SHA256, Domains: csr.Domains, Skipped: csr.Skipped}
	if out.Domains == nil {
		out.Domains = []string{}
	}
	if out.Skipped == nil {
		out.Skipped = []string{}
	}
	var adn string
	var wildcard bool
	if *domain != "" {
		// The builder normalizes and checks the domain, CA and token.
		var b challenge.Builder
		c, err := b.HashCNAME(csr, *domain, *caD, *token)
		if err != nil {
			return fail(e, err)
		}
		adn, wildcard = c.ADN, c.ADN != c.Domain // only a wildcard is validated at another name
		out.CNAMEName, out.CNAMETarget = c.Record.Name, c.Record.Value
		if !wildcard {
			out.FilePath = csr.Hashes.FilePath()
			if out.FileContent, err = csr.Hashes.FileContent(*caD, *token); err != nil {
				return fail(e, err)
			}
		}
		if !csr.Covers(c.Domain) {
			fmt.Fprintf(e.stderr, "dcv hash: note: %s is not in the CSR (domains: %s)\n", c.Domain, strings.Join(csr.Domains, ", "))
		}
		if wildcard {
			fmt.Fprintf(e.stderr, "dcv hash: note: the hash-based file cannot validate %s (BR 3.2.2.4.18); use the CNAME\n", c.Domain)
		}
	}

	if *jsonOut {
		if err := writeJSON(e.stdout, out); err != nil {
			return fail(e, err)
		}
		return exitOK
	}
	w := e.stdout
	fmt.Fprintf(w, "CSR:      %s\n", displayName(pos[0]))
	fmt.Fprintf(w, "Domains:  %s\n", strings.Join(csr.Domains, ", "))
	if len(csr.Skipped) > 0 {
		fmt.Fprintf(w, "Skipped:  %s (not domain names)\n", strings.Join(csr.Skipped, ", "))
	}
	fmt.Fprintf(w, "MD5:      %s\n", out.MD5)
	fmt.Fprintf(w, "SHA-256:  %s\n", out.SHA256)
	if *domain == "" {
		return exitOK
	}
	if out.FilePath != "" {
		fmt.Fprintf(w, "\nHash-based file for %s (serve over http or https, no redirect):\n", adn)
		fmt.Fprintf(w, "  URL:      http://%s%s\n", adn, out.FilePath)
		fmt.Fprintf(w, "            https://%s%s\n", adn, out.FilePath)
		fmt.Fprintf(w, "  Content:\n")
		for _, l := range strings.Split(out.FileContent, "\n") {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	fmt.Fprintf(w, "\nHash-based CNAME for %s:\n", adn)
	fmt.Fprintf(w, "  Name:     %s\n", out.CNAMEName)
	fmt.Fprintf(w, "  Target:   %s\n", out.CNAMETarget)
	fmt.Fprintf(w, "  Record:   %s IN CNAME %s\n", out.CNAMEName, out.CNAMETarget)
	return exitOK
}
