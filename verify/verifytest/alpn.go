package verifytest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/internal/random"
)

// ALPNFault selects what an ALPNResponder presents for a name.
type ALPNFault int

const (
	ALPNRight              ALPNFault = iota // the challenge certificate as RFC 8737 builds it
	ALPNOtherDigest                         // the extension holds the digest of another key authorization
	ALPNNonCritical                         // the extension is not marked critical
	ALPNExtraSAN                            // a second dNSName besides the domain
	ALPNOtherSAN                            // one dNSName, but another name
	ALPNNoExtension                         // no acmeIdentifier extension at all
	ALPNNotSelfSigned                       // issued by another key (a CA), not self-signed
	ALPNDuplicateExtension                  // the acmeIdentifier extension twice (Go's parser refuses such a certificate)
	ALPNNoALPN                              // the right certificate, but the server negotiates no ALPN protocol
)

// ALPNResponder is a TLS server on loopback that answers tls-alpn-01
// checks, in the spirit of httptest.Server: for a ClientHello that offers
// acme-tls/1 with an SNI it knows, it negotiates acme-tls/1 and presents
// the certificate Set configured (right or deliberately wrong); for any
// other ClientHello it refuses the protocol (no_application_protocol), as
// a plain HTTPS server does. Dial maps port 443 to it for verify.HTTPClient.
// Close it when done.
type ALPNResponder struct {
	ln    net.Listener
	done  chan struct{} // closed by Close: pending delays end
	once  sync.Once
	wg    sync.WaitGroup
	mu    sync.Mutex
	certs map[string]alpnEntry
	plain tls.Certificate // what a plain HTTPS server presents
	delay time.Duration
	hs    int
}

type alpnEntry struct {
	cert  tls.Certificate
	fault ALPNFault
}

// NewALPNResponder starts a responder on 127.0.0.1 and a free port.
func NewALPNResponder() (*ALPNResponder, error) { return NewALPNResponderAt("127.0.0.1:0") }

// NewALPNResponderAt starts a responder on addr, e.g. "127.0.0.5:443" for a
// test of a program that dials port 443 itself (binding it needs the
// privilege to).
func NewALPNResponderAt(addr string) (*ALPNResponder, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("verifytest: %w", err)
	}
	plain, err := faultyCert("localhost", "", ALPNNoExtension)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	r := &ALPNResponder{ln: ln, certs: map[string]alpnEntry{}, plain: plain, done: make(chan struct{})}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

// Set makes the responder answer SNI domain with a challenge certificate
// for keyAuthorization, wrong in the way fault says.
func (r *ALPNResponder) Set(domain, keyAuthorization string, fault ALPNFault) error {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	cert, err := faultyCert(domain, keyAuthorization, fault)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.certs[domain] = alpnEntry{cert: cert, fault: fault}
	return nil
}

// Remove forgets domain: its handshakes are refused again.
func (r *ALPNResponder) Remove(domain string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.certs, strings.ToLower(strings.TrimSuffix(domain, ".")))
}

// SetDelay makes the server wait d after reading a ClientHello before it
// answers: a slow or distant server, or (with a long d) a timeout.
func (r *ALPNResponder) SetDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// Handshakes reports how many ClientHellos arrived.
func (r *ALPNResponder) Handshakes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hs
}

// Addr is the responder's "127.0.0.1:port".
func (r *ALPNResponder) Addr() string { return r.ln.Addr().String() }

// Dial connects a vetted "ip:443" to the responder; any other port is
// refused, as nothing listens there.
func (r *ALPNResponder) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if !strings.HasSuffix(addr, ":443") {
		return nil, fmt.Errorf("verifytest: nothing listens on %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, r.Addr())
}

// Close stops the responder and waits for its connections to end.
func (r *ALPNResponder) Close() {
	r.once.Do(func() {
		_ = r.ln.Close()
		close(r.done)
	})
	r.wg.Wait()
}

func (r *ALPNResponder) serve() {
	defer r.wg.Done()
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.handle(conn)
		}()
	}
}

func (r *ALPNResponder) handle(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	conf := &tls.Config{MinVersion: tls.VersionTLS12, GetConfigForClient: r.configFor}
	tc := tls.Server(conn, conf)
	if err := tc.Handshake(); err != nil {
		return
	}
	// The validator closes after the handshake; wait for that.
	var buf [1]byte
	_, _ = tc.Read(buf[:])
}

// configFor picks the certificate and protocol for one ClientHello.
func (r *ALPNResponder) configFor(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	r.mu.Lock()
	r.hs++
	e, ok := r.certs[strings.ToLower(hello.ServerName)]
	delay := r.delay
	r.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-hello.Context().Done():
			return nil, hello.Context().Err()
		case <-r.done:
			return nil, net.ErrClosed
		case <-t.C:
		}
	}
	offered := false
	for _, p := range hello.SupportedProtos {
		offered = offered || p == challenge.ACMETLSProtocol
	}
	if !ok || !offered {
		// A plain HTTPS server: it speaks http/1.1 only, so a client
		// offering only acme-tls/1 gets no_application_protocol.
		return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{r.plain}, NextProtos: []string{"http/1.1"}}, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{e.cert}}
	if e.fault != ALPNNoALPN {
		conf.NextProtos = []string{challenge.ACMETLSProtocol}
	}
	return conf, nil
}

// faultyCert builds the certificate for a fault: the library's own for
// ALPNRight and ALPNNoALPN, a hand-made variant otherwise.
func faultyCert(domain, ka string, fault ALPNFault) (tls.Certificate, error) {
	now := time.Now()
	if fault == ALPNRight || fault == ALPNNoALPN {
		return challenge.TLSALPN01Certificate(domain, ka, now.Add(-time.Hour), now.Add(24*time.Hour))
	}
	key, err := random.Source{}.Key()
	if err != nil {
		return tls.Certificate{}, err
	}
	ext := challenge.TLSALPN01Extension(ka)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: domain},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		DNSNames:     []string{domain},
	}
	signer, parent := key, tmpl
	switch fault {
	case ALPNOtherDigest:
		sum := sha256.Sum256([]byte(ka + "-other"))
		ext.Value, _ = asn1.Marshal(sum[:])
	case ALPNNonCritical:
		ext.Critical = false
	case ALPNExtraSAN:
		tmpl.DNSNames = append(tmpl.DNSNames, "other."+domain)
	case ALPNOtherSAN:
		tmpl.DNSNames = []string{"other." + domain}
	case ALPNNotSelfSigned:
		caKey, err := random.Source{}.Key()
		if err != nil {
			return tls.Certificate{}, err
		}
		signer = caKey
		parent = &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "verifytest CA"},
			NotBefore: tmpl.NotBefore, NotAfter: tmpl.NotAfter, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}
	case ALPNNoExtension, ALPNDuplicateExtension:
	default:
		return tls.Certificate{}, fmt.Errorf("verifytest: unknown ALPNFault %d", fault)
	}
	switch fault {
	case ALPNNoExtension:
	case ALPNDuplicateExtension:
		tmpl.ExtraExtensions = []pkix.Extension{ext, ext}
	default:
		tmpl.ExtraExtensions = []pkix.Extension{ext}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
