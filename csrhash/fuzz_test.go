package csrhash

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	csr, err := os.ReadFile(filepath.Join("testdata", "rsa-san.csr"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tampered(f))
	f.Add(bytes.ReplaceAll(csr, []byte("\n"), []byte("\r\n   ")))
	f.Add(csr[:len(csr)/2])
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n!!!\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte("-----BEGIN "))
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("garbage"))
	f.Add([]byte{})

	kinds := []error{ErrEmpty, ErrTooLarge, ErrNotCSR, ErrMalformed, ErrSignature}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			var ie *InputError
			if c != nil || !errors.As(err, &ie) {
				t.Fatalf("Parse = %v, %v; want nil and an *InputError", c, err)
			}
			for _, k := range kinds {
				if ie.Kind == k {
					return
				}
			}
			t.Fatalf("unexpected kind %v", ie.Kind)
		}
		// Accepted: a signed CSR whose hashes are over its own DER.
		if c.Request.CheckSignature() != nil || c.Hashes != Sum(c.DER) || !bytes.Equal(c.DER, c.Request.Raw) {
			t.Fatalf("accepted an inconsistent CSR")
		}
		for _, d := range c.Domains {
			if d == "" || strings.ToLower(d) != d {
				t.Fatalf("domain %q not normalized", d)
			}
		}
	})
}

func FuzzCNAME(f *testing.F) {
	f.Add("www.example.com", CASSL, "10TmfZdb9tj", seed.MD5, seed.SHA256)
	f.Add("*.example.com", CASectigo, "", seed.MD5, seed.SHA256)
	f.Add("bücher.example.com.", "COMODOCA.com", "", strings.ToLower(seed.MD5), strings.ToUpper(seed.SHA256))
	f.Add("co.uk", "ssl..com", "a b", "", "")
	f.Add(strings.Repeat("a.", 120)+"com", strings.Repeat("b.", 100)+"com", strings.Repeat("z", 20), seed.MD5, seed.SHA256)
	f.Fuzz(func(t *testing.T, domain, ca, token, md, sha string) {
		h := Hashes{MD5: md, SHA256: sha}
		name, target, err := h.CNAME(domain, ca, token)
		if err != nil {
			var ie *InputError
			if name != "" || target != "" || !errors.As(err, &ie) {
				t.Fatalf("CNAME = %q, %q, %v", name, target, err)
			}
			return
		}
		if !strings.HasPrefix(name, "_"+strings.ToUpper(md)+".") || !strings.HasSuffix(name, ".") ||
			!strings.HasSuffix(target, ".") || len(name) > 254 || len(target) > 254 {
			t.Fatalf("bad record %q CNAME %q", name, target)
		}
		labels := strings.Split(strings.TrimSuffix(target, "."), ".")
		if labels[0]+labels[1] != strings.ToLower(sha) || ValidToken(token) != nil {
			t.Fatalf("target %q does not hold the SHA-256 %q", target, sha)
		}
		for _, l := range append(labels, strings.Split(strings.TrimSuffix(name, "."), ".")...) {
			if l == "" || len(l) > 63 {
				t.Fatalf("bad label in %q / %q", name, target)
			}
		}
	})
}

func FuzzFileContent(f *testing.F) {
	f.Add(CASSL, "10TmfZdb9tj", seed.SHA256)
	f.Add(CASectigo, "", strings.ToUpper(seed.SHA256))
	f.Add("ssl.com\nevil", "a\nb", seed.SHA256)
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, ca, token, sha string) {
		body, err := Hashes{SHA256: sha}.FileContent(ca, token)
		if err != nil {
			var ie *InputError
			if body != "" || !errors.As(err, &ie) {
				t.Fatalf("FileContent = %q, %v", body, err)
			}
			return
		}
		lines := strings.Split(body, "\n")
		want := 2
		if token != "" {
			want = 3
		}
		if len(lines) != want || lines[0] != strings.ToLower(sha) || lines[1] == "" ||
			strings.ContainsAny(body, "\r\t ") || (want == 3 && lines[2] != token) {
			t.Fatalf("bad body %q", body)
		}
	})
}
