package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dcvkit/dcv/csrhash"
)

// maxInput bounds every file the tool reads (CSR, key, challenge JSON).
const maxInput = 1 << 20

// readInput reads a file, or stdin for "-", up to limit bytes; more is an
// error rather than a silent truncation.
func readInput(e *env, path string, limit int64) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", displayName(path), limit)
	}
	return data, nil
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// readCSR reads and parses a CSR file ("-" for stdin).
func readCSR(e *env, path string) (*csrhash.CSR, error) {
	// One byte over csrhash.MaxSize lets Parse report the size itself.
	data, err := readInput(e, path, csrhash.MaxSize+1)
	if err != nil {
		return nil, err
	}
	csr, err := csrhash.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	return csr, nil
}

// caAliases are short names for the CA domains of the hash methods; any
// other value is taken as the CA domain itself.
var caAliases = map[string]string{
	"ssl":     csrhash.CASSL,
	"sslcom":  csrhash.CASSL,
	"sectigo": csrhash.CASectigo,
	"comodo":  csrhash.CAComodo,
}

func caDomain(s string) string {
	if d, ok := caAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return d
	}
	return s
}

// writeJSON writes v as one line of JSON (JSON Lines).
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// failf prints an error for a command on stderr and returns exitFail.
func failf(e *env, cmd string, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "dcv %s: %s\n", cmd, clean(fmt.Sprintf(format, a...)))
	return exitFail
}

// baseOf strips a leading "*." from a normalized domain.
func baseOf(d string) string { return strings.TrimPrefix(d, "*.") }

// covered reports whether the normalized domain d is one of the CSR's
// domains or a parent of one (an ADN the BR allow validating instead).
func covered(csr *csrhash.CSR, d string) bool {
	b := baseOf(d)
	for _, cd := range csr.Domains {
		if cd == d || baseOf(cd) == b || strings.HasSuffix(baseOf(cd), "."+b) {
			return true
		}
	}
	return false
}

// clean drops the "dcv: " that library errors start with (also when
// wrapped): the command name in front already says it.
func clean(msg string) string {
	return strings.ReplaceAll(strings.TrimPrefix(msg, "dcv: "), ": dcv: ", ": ")
}
