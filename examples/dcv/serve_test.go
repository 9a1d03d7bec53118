package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// served is a running `dcv serve-perspective`.
type served struct {
	url    string
	stderr *lockedWriter
	buf    *bytes.Buffer
	cancel context.CancelFunc
	done   chan int
}

// serve runs `dcv serve-perspective args...` in a goroutine and returns
// once it has printed its URL.
func serve(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	buf := &bytes.Buffer{}
	s := &served{stderr: &lockedWriter{w: buf}, buf: buf, cancel: cancel, done: make(chan int, 1)}
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: s.stderr}
	go func() {
		code := run(ctx, unsignedLab(append([]string{"serve-perspective"}, args...)), e)
		pw.Close()
		s.done <- code
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err, "no URL printed; stderr: %s", s.text())
	go func() { _, _ = io.Copy(io.Discard, pr) }() // nothing more is expected
	s.url = strings.TrimSuffix(line, "\n")
	return s
}

func (s *served) text() string {
	s.stderr.mu.Lock()
	defer s.stderr.mu.Unlock()
	return s.buf.String()
}

// stop cancels the context (SIGINT) and returns the exit status.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code
	case <-time.After(20 * time.Second): // a hang guard, not a speed assertion
		t.Fatal("serve-perspective did not stop after its context was cancelled")
		return -1
	}
}

func TestServePerspective(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT, ourCAA))
	kf := writeFile(t, "key", testKey+"\n")
	s := serve(t, "--listen", "127.0.0.1:0", "--key-file", kf, "--resolver", res, "--region", "RIPE", "--label", "frankfurt")
	require.True(t, strings.HasPrefix(s.url, "http://127.0.0.1:"), s.url)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(s.url, "http://"))
	require.NoError(t, err)
	assert.NotEqual(t, "0", port, "the real bound port is printed")

	// The tool corroborates through it (its own view of the same zone).
	o := dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
		"--key-file", kf, "--perspective", "RIPE@"+s.url, "--min-remotes", "1", "--min-regions", "1")
	assert.Equal(t, exitOK, o.code, o.stderr)
	assert.Contains(t, o.stdout, labelOf(s.url)+" (RIPE): verified")

	o = dcv(t, "verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "other", "--resolver", startDNS(t, verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "other"`)),
		"--key-file", kf, "--perspective", s.url, "--min-remotes", "1", "--min-regions", "0")
	assert.Equal(t, exitNo, o.code, "the served view sees another value: %s", o.stderr)

	o = dcv(t, "caa", "example.com", "--ca", "ssl.com", "--resolver", res, "--key-file", kf, "--perspective", s.url, "--min-remotes", "1", "--min-regions", "0")
	assert.Equal(t, exitOK, o.code, o.stderr)

	// perspective.Remote directly: it reports the label and region it was given.
	key, err := perspective.LoadKey(kf)
	require.NoError(t, err)
	r := &perspective.Remote{URL: s.url, Key: key, Label: "eu"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := r.Run(ctx, perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "good-value"}})
	require.NoError(t, err)
	assert.True(t, got.Passed())
	assert.Equal(t, "frankfurt (RIPE)", got.ServedBy)

	// Another key is refused.
	r.Key = []byte(otherKey)
	_, err = r.Run(ctx, perspective.Check{Determination: perspective.CAA,
		CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}})
	require.ErrorIs(t, err, perspective.ErrUnauthenticated)

	assert.Equal(t, exitOK, s.stop(t))
	log := s.text()
	assert.Contains(t, log, "frankfurt (RIPE) serving checks on "+labelOf(s.url)+" for "+s.url+"/v2/check; callers use --perspective "+s.url)
	assert.Contains(t, log, `POST "/v2/check": 200`)
	assert.Contains(t, log, `POST "/v2/check": 401`)
	assert.Contains(t, log, "stopped")
}

func TestServePerspectiveDefaultLabel(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	s := serve(t, "--key-file", kf, "--resolver", res, "--listen", "127.0.0.1:0")
	key, err := perspective.LoadKey(kf)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := (&perspective.Remote{URL: s.url, Key: key}).Run(ctx, perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "good-value"}})
	require.NoError(t, err)
	assert.Equal(t, labelOf(s.url), got.ServedBy, "the listen address is the default label")
	assert.Equal(t, exitOK, s.stop(t))
}

func TestServePerspectiveTLS(t *testing.T) {
	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	kf := writeFile(t, "key", testKey)
	certPEM, keyPEM, pool := selfSigned(t)
	s := serve(t, "--listen", "127.0.0.1:0", "--key-file", kf, "--resolver", res,
		"--tls-cert", writeFile(t, "cert.pem", certPEM), "--tls-key", writeFile(t, "key.pem", keyPEM))
	require.True(t, strings.HasPrefix(s.url, "https://127.0.0.1:"), s.url)

	key, err := perspective.LoadKey(kf)
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := (&perspective.Remote{URL: s.url, Key: key, Client: client}).Run(ctx, perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "good-value"}})
	require.NoError(t, err)
	assert.True(t, got.Passed())

	// The tool trusts it through --perspective-ca, and not without.
	args := []string{"verify", "dns-txt", "--name", "_dnsauth.example.com", "--value", "good-value", "--resolver", res,
		"--key-file", kf, "--perspective", s.url, "--min-remotes", "1", "--min-regions", "0"}
	o := dcv(t, append(args, "--perspective-ca", writeFile(t, "ca.pem", certPEM))...)
	assert.Equal(t, exitOK, o.code, o.stderr)
	o = dcv(t, args...)
	assert.Equal(t, exitNo, o.code, "an untrusted certificate counts against: %s", o.stdout)
	assert.Contains(t, o.stdout, "certificate")
	o = dcv(t, append(args, "--perspective-ca", kf)...)
	assert.Equal(t, exitFail, o.code, o.stderr)
	assert.Contains(t, o.stderr, "no PEM certificate")
	assert.Equal(t, exitOK, s.stop(t))
}

func TestServePerspectiveBadInput(t *testing.T) {
	short := writeFile(t, "short", "short key\n")
	good := writeFile(t, "key", testKey)
	readable := writeFile(t, "key", testKey)
	require.NoError(t, os.Chmod(readable, 0o644))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	for name, tc := range map[string]struct {
		args   []string
		stderr string
	}{
		"short key":              {[]string{"--listen", "127.0.0.1:0", "--key-file", short}, "shorter than 32"},
		"no key file":            {[]string{"--listen", "127.0.0.1:0", "--key-file", good + ".missing"}, "key file"},
		"port in use":            {[]string{"--listen", l.Addr().String(), "--key-file", good}, "address already in use"},
		"bad address":            {[]string{"--listen", "not-an-address", "--key-file", good}, "not-an-address"},
		"bad cert":               {[]string{"--listen", "127.0.0.1:0", "--key-file", good, "--tls-cert", short, "--tls-key", short}, "TLS certificate"},
		"key readable by others": {[]string{"--listen", "127.0.0.1:0", "--key-file", readable}, "chmod 600 " + readable},
	} {
		t.Run(name, func(t *testing.T) {
			o := dcv(t, append([]string{"serve-perspective"}, tc.args...)...)
			assert.Equal(t, exitFail, o.code, o.stderr)
			assert.Contains(t, o.stderr, tc.stderr)
			assert.Empty(t, o.stdout, "no URL when it does not serve")
		})
	}
}

// On a wildcard address the server cannot know the URL callers use (its
// identity): it asks for --url, and answers only requests for that URL.
func TestServePerspectiveNeedsItsURL(t *testing.T) {
	kf := writeFile(t, "key", testKey)
	for _, listen := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		o := dcv(t, "serve-perspective", "--listen", listen, "--key-file", kf)
		assert.Equal(t, exitUsage, o.code, o.stderr)
		assert.Contains(t, o.stderr, "wildcard address: give the URL callers use, e.g. --url")
		assert.Empty(t, o.stdout)
	}
	o := dcv(t, "serve-perspective", "--listen", "127.0.0.1:0", "--key-file", kf, "--url", "ftp://x")
	assert.Equal(t, exitUsage, o.code, o.stderr)

	res := startDNS(t, verifytest.NewZone().MustAdd(realTXT))
	s := serve(t, "--listen", "127.0.0.1:0", "--key-file", kf, "--resolver", res, "--url", "HTTPS://MPIC-EU.example.net:8443/")
	assert.Equal(t, "https://mpic-eu.example.net:8443", s.url, "the URL callers use, canonical")
	key, err := perspective.LoadKey(kf)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Reached at its listen address, which is not its URL: misdirected.
	const on = "serving checks on "
	require.Eventually(t, func() bool { return strings.Contains(s.text(), on) }, 10*time.Second, 10*time.Millisecond)
	_, addr, _ := strings.Cut(s.text(), on)
	addr, _, _ = strings.Cut(addr, " ")
	_, err = (&perspective.Remote{URL: "http://" + addr, Key: key}).Run(ctx, perspective.Check{Determination: perspective.DCV,
		TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "good-value"}})
	assert.ErrorIs(t, err, perspective.ErrMisdirected)
	assert.Contains(t, s.text(), "mpic-eu.example.net:8443 serving checks on "+addr, "the default label is the URL's host")
	assert.Equal(t, exitOK, s.stop(t))
}

// selfSigned returns a PEM certificate and key for 127.0.0.1 and a pool
// that trusts it.
func selfSigned(t *testing.T) (certPEM, keyPEM string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "dcv test perspective"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kder, err := x509.MarshalECPrivateKey(priv)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})), pool
}

func TestListenAddressKinds(t *testing.T) {
	for addr, wildcard := range map[string]bool{
		":8443": true, "0.0.0.0:8443": true, "[::]:8443": true,
		"127.0.0.1:8443": false, "[::1]:0": false, "192.0.2.1:8443": false, "mpic.example.net:8443": false, "bad": false,
	} {
		assert.Equal(t, wildcard, wildcardListen(addr), addr)
	}
	for addr, loopback := range map[string]bool{"127.0.0.1:8443": true, "[::1]:1": true, "192.0.2.1:8443": false, "[::]:8443": false} {
		assert.Equal(t, loopback, loopbackListen(addr), addr)
	}
}
