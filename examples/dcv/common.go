package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/csrhash"
	"github.com/dcvkit/dcv/verify"
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

// caDomainFlag registers --ca for the hash methods: a brand (its own
// domain) or an issuer domain, through the one table of caa.IssuerDomains.
func caDomainFlag(f *cmdFlags, usage string) *string {
	d := csrhash.CASSL
	f.Func("ca", usage+" (default "+d+")", func(s string) error {
		ds, err := caa.IssuerDomains(s)
		if err != nil {
			return errUnknownCA
		}
		d = ds[0]
		return nil
	})
	return &d
}

// errUnknownCA is the usage message for a --ca value that is neither a
// brand nor an issuer domain name (caa.IssuerDomains).
var errUnknownCA = errors.New("want an issuer domain name in the public DNS, such as ssl.com, or a brand: " +
	strings.Join(caa.BrandNames(), ", "))

// checkCA vets one --ca value of the caa command.
func checkCA(s string) error {
	if _, err := caa.IssuerDomains(s); err != nil {
		return errUnknownCA
	}
	return nil
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
	fmt.Fprintf(e.stderr, "dcv %s: %s\n", cmd, fmt.Sprintf(format, a...))
	return exitFail
}

// fail prints a library error (which names its package: "verify: ...")
// after "dcv: ", its hint on a line of its own, and returns exitFail.
func fail(e *env, err error) int {
	printErr(e, err)
	return exitFail
}

// printErr prints "dcv: err" and the error's hint, if any, on stderr.
func printErr(e *env, err error) {
	hint := ""
	var ve *verify.Error
	var le *caa.LookupError
	switch {
	case errors.As(err, &ve):
		hint = ve.Hint
	case errors.As(err, &le):
		hint = le.Hint()
	}
	printMsg(e, err.Error(), hint)
}

// printMsg prints "dcv: msg" and the hint on stderr.
func printMsg(e *env, msg, hint string) {
	fmt.Fprintf(e.stderr, "dcv: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(e.stderr, "  hint: %s\n", hint)
	}
}

// tokenFlag registers --token for the SSL.com/Sectigo unique value,
// checked as csrhash does.
func tokenFlag(f *cmdFlags, usage string) *string {
	t := new(string)
	f.Func("token", usage, func(s string) error {
		if err := csrhash.ValidToken(s); err != nil {
			return err
		}
		*t = s
		return nil
	})
	return t
}
