package verify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

const alpnKA = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

// alpnSite is example.com at 127.0.0.1 (and ::1 when dual), port 443
// mapped to an ALPNResponder.
type alpnSite struct {
	zone   *verifytest.Zone
	resp   *verifytest.ALPNResponder
	client *verify.HTTPClient
	v      *verify.Verifier
	mu     sync.Mutex
	dialed []string
	down   map[string]bool
}

func newALPNSite(t testing.TB) *alpnSite {
	t.Helper()
	resp, err := verifytest.NewALPNResponder()
	require.NoError(t, err)
	t.Cleanup(resp.Close)
	s := &alpnSite{zone: verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1"), resp: resp, down: map[string]bool{}}
	s.client = &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: s.zone, AllowPrivate: true, Dial: s.dial}
	s.v = &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: s.zone, HTTP: s.client}
	return s
}

func (s *alpnSite) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	s.mu.Lock()
	s.dialed = append(s.dialed, addr)
	down := s.down[addr]
	s.mu.Unlock()
	if down {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return s.resp.Dial(ctx, network, addr)
}

func ctx5(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTLSALPN01Rules(t *testing.T) {
	s := newALPNSite(t)
	for _, tc := range []struct {
		name  string
		fault verifytest.ALPNFault
		rule  error // nil: verified
		kind  error
	}{
		{"right", verifytest.ALPNRight, nil, nil},
		{"other digest", verifytest.ALPNOtherDigest, verify.ErrCertDigest, verify.ErrALPNCertificate},
		{"non-critical", verifytest.ALPNNonCritical, verify.ErrCertExtCritical, verify.ErrALPNCertificate},
		{"two SANs", verifytest.ALPNExtraSAN, verify.ErrCertSAN, verify.ErrALPNCertificate},
		{"other SAN", verifytest.ALPNOtherSAN, verify.ErrCertSAN, verify.ErrALPNCertificate},
		{"no extension", verifytest.ALPNNoExtension, verify.ErrCertNoACMEExt, verify.ErrALPNCertificate},
		{"not self-signed", verifytest.ALPNNotSelfSigned, verify.ErrCertNotSelfSigned, verify.ErrALPNCertificate},
		{"extension twice", verifytest.ALPNDuplicateExtension, verify.ErrCertExtRepeated, verify.ErrALPNCertificate},
		{"no ALPN negotiated", verifytest.ALPNNoALPN, nil, verify.ErrALPNProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, s.resp.Set("example.com", alpnKA, tc.fault))
			r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
			require.NotNil(t, r)
			if tc.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, verify.Verified, r.Outcome)
				ev := r.Evidence[len(r.Evidence)-1]
				assert.Equal(t, "tls", ev.Protocol)
				assert.Equal(t, "127.0.0.1:443", ev.Server)
				assert.Contains(t, ev.Answer, "alpn=acme-tls/1")
				assert.Contains(t, ev.Answer, "san=example.com")
				return
			}
			assert.ErrorIs(t, err, tc.kind)
			if tc.rule != nil {
				assert.ErrorIs(t, err, tc.rule)
			}
			assert.Equal(t, verify.NotVerified, r.Outcome, "a certificate or protocol that breaks a rule is not verified")
			var e *verify.Error
			require.True(t, errors.As(err, &e))
			assert.NotEmpty(t, e.Hint)
			assert.Equal(t, "127.0.0.1:443", e.Server)
		})
	}
	// The key authorization itself must match: the right certificate for another one fails.
	require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
	_, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA+"x")
	assert.ErrorIs(t, err, verify.ErrCertDigest)
}

func TestTLSALPN01UnknownNameIsRefusedProtocol(t *testing.T) {
	// No challenge for the SNI: the responder acts as a plain HTTPS server
	// and answers no_application_protocol.
	s := newALPNSite(t)
	r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
	assert.ErrorIs(t, err, verify.ErrALPNProtocol)
	assert.Equal(t, verify.NotVerified, r.Outcome)
}

func TestTLSALPN01PlainHTTPSOn443(t *testing.T) {
	web := verifytest.NewWeb(http.NotFoundHandler())
	defer web.Close()
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: web.Dial}}
	r, err := v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
	assert.ErrorIs(t, err, verify.ErrALPNProtocol, "an HTTPS site without the challenge refuses acme-tls/1")
	assert.Equal(t, verify.NotVerified, r.Outcome)
}

func TestTLSALPN01Undecided(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		s := newALPNSite(t)
		require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
		s.resp.SetDelay(3 * time.Second)
		s.client.TLSTimeout = 100 * time.Millisecond
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrTimeout)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("refused", func(t *testing.T) {
		s := newALPNSite(t)
		s.down["127.0.0.1:443"] = true
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrConnection)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("handshake failure", func(t *testing.T) {
		// Plain HTTP on 443: the TLS handshake fails.
		web := verifytest.NewWeb(http.NotFoundHandler())
		defer web.Close()
		zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			return web.Dial(ctx, network, strings.Replace(addr, ":443", ":80", 1))
		}
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: dial}}
		r, err := v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrTLS)
		assert.Equal(t, verify.Undecided, r.Outcome)
	})
	t.Run("wildcard", func(t *testing.T) {
		s := newALPNSite(t)
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "*.example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrBadInput)
		assert.ErrorIs(t, err, challenge.ErrWildcard)
		assert.Equal(t, verify.Undecided, r.Outcome)
		assert.Zero(t, s.resp.Handshakes(), "no traffic")
	})
	t.Run("address guard", func(t *testing.T) {
		s := newALPNSite(t)
		require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
		s.client.AllowPrivate = false
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrAddressRefused)
		assert.Equal(t, verify.Undecided, r.Outcome)
		assert.Empty(t, s.dialed, "refused before any connection")
	})
	t.Run("another HTTPDoer", func(t *testing.T) {
		s := newALPNSite(t)
		s.v.HTTP = http.DefaultClient
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
		assert.ErrorIs(t, err, verify.ErrBadInput, "refused, never a dial around the caller's client")
		assert.Equal(t, verify.Undecided, r.Outcome)
		assert.Zero(t, s.resp.Handshakes())
	})
	t.Run("no public suffix", func(t *testing.T) {
		s := newALPNSite(t)
		s.client.AllowPrivate = false
		s.zone.MustAdd("example.internal. 300 IN A 192.0.2.1")
		r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.internal", alpnKA)
		assert.ErrorIs(t, err, verify.ErrAddressRefused)
		assert.Equal(t, verify.Undecided, r.Outcome)
		assert.Zero(t, s.zone.TotalQueries(), "refused before any query, as file hosts are")
	})
}

// wrappedClient is an HTTPDoer of the caller's own (a logging or metrics
// wrapper, say) that passes tls-alpn-01 dials on to an HTTPClient.
type wrappedClient struct {
	*verify.HTTPClient
	dials int
}

func (w *wrappedClient) DialACMETLS(ctx context.Context, domain string) (*tls.Conn, []verify.Evidence, error) {
	w.dials++
	return w.HTTPClient.DialACMETLS(ctx, domain)
}

// TestTLSALPN01DialsThroughAnyALPNDialer: the Verifier asks Verifier.HTTP
// for the connection through the ALPNDialer interface, not by reaching for
// a concrete *HTTPClient, so a caller's own wrapper is used as it is.
func TestTLSALPN01DialsThroughAnyALPNDialer(t *testing.T) {
	s := newALPNSite(t)
	require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
	w := &wrappedClient{HTTPClient: s.client}
	s.v.HTTP = w
	r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, r.Outcome)
	assert.Equal(t, 1, w.dials)
	assert.Equal(t, "tls", r.Evidence[len(r.Evidence)-1].Protocol, "the handshake's evidence is kept")
}

func TestTLSALPN01IPv6DownIPv4Works(t *testing.T) {
	s := newALPNSite(t)
	s.zone.MustAdd("example.com. 300 IN AAAA ::1")
	s.down["[::1]:443"] = true
	require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
	_, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
	require.NoError(t, err)
	assert.Equal(t, []string{"[::1]:443", "127.0.0.1:443"}, s.dialed, "IPv6 first, then IPv4, as for files")
}

func TestVerifyDispatchesTLSALPN01(t *testing.T) {
	s := newALPNSite(t)
	key, err := challenge.ParseAccountKey(mustReadFile(t, "../challenge/testdata/ec384.pem"))
	require.NoError(t, err)
	c, err := challenge.Builder{}.TLSALPN01("example.com", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
	require.NoError(t, err)
	_, err = s.v.Verify(ctx5(t), c)
	assert.ErrorIs(t, err, verify.ErrALPNProtocol, "not served yet")
	require.NoError(t, s.resp.Set("example.com", c.KeyAuthorization, verifytest.ALPNRight))
	r, err := s.v.Verify(ctx5(t), c)
	require.NoError(t, err)
	assert.Equal(t, challenge.TLSALPN01, r.Method)
	assert.Equal(t, "example.com:443", r.Target)
}

func TestCheckTLSALPN01CertificateOfBuilder(t *testing.T) {
	cert, err := challenge.TLSALPN01Certificate("example.com", alpnKA, time.Now(), time.Now().Add(time.Hour))
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	require.NoError(t, err)
	assert.NoError(t, verify.CheckTLSALPN01Certificate(leaf, "example.com", alpnKA))
	assert.ErrorIs(t, verify.CheckTLSALPN01Certificate(leaf, "www.example.com", alpnKA), verify.ErrCertSAN)
	assert.ErrorIs(t, verify.CheckTLSALPN01Certificate(nil, "example.com", alpnKA), verify.ErrCertNoACMEExt)
}

func mustReadFile(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return data
}

func FuzzCheckTLSALPN01Certificate(f *testing.F) {
	cert, err := challenge.TLSALPN01Certificate("example.com", alpnKA, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cert.Certificate[0], "example.com")
	f.Add(cert.Certificate[0], "www.example.com")
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00}, "example.com")
	f.Fuzz(func(t *testing.T, der []byte, domain string) {
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		if err := verify.CheckTLSALPN01Certificate(leaf, domain, alpnKA); err != nil {
			return
		}
		// Whatever passes has exactly the one name and the critical extension.
		if len(leaf.DNSNames) != 1 || !strings.EqualFold(leaf.DNSNames[0], domain) || len(leaf.IPAddresses)+len(leaf.URIs)+len(leaf.EmailAddresses) != 0 {
			t.Fatalf("accepted names %v %v %v %v for %q", leaf.DNSNames, leaf.IPAddresses, leaf.URIs, leaf.EmailAddresses, domain)
		}
		n := 0
		for _, e := range leaf.Extensions {
			if e.Id.Equal(challenge.ACMEIdentifierOID()) {
				n++
				if !e.Critical {
					t.Fatal("accepted a non-critical extension")
				}
			}
		}
		if n != 1 {
			t.Fatalf("accepted %d acmeIdentifier extensions", n)
		}
	})
}

// BenchmarkTLSALPN01Delay20ms checks a dual-stack name (AAAA and A, tried
// in the file checks' order) against a responder that waits 20 ms before
// answering the ClientHello: with both families up (IPv6 answers), and
// with IPv6 refusing so that IPv4 is tried next. "x-delay" is the wall
// time over those 20 ms (target <= 1.5).
func BenchmarkTLSALPN01Delay20ms(b *testing.B) {
	const delay = 20 * time.Millisecond
	for _, v6down := range []bool{false, true} {
		name := "both-up"
		if v6down {
			name = "ipv6-refused"
		}
		b.Run(name, func(b *testing.B) {
			s := newALPNSite(b)
			s.zone.MustAdd("example.com. 300 IN AAAA ::1")
			s.down["[::1]:443"] = v6down
			require.NoError(b, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
			s.resp.SetDelay(delay)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				if _, err := s.v.VerifyTLSALPN01(ctx, "example.com", alpnKA); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(delay), "x-delay")
		})
	}
}

// A CA checks tls-alpn-01: here against a loopback responder that port
// 443 is mapped to; in production HTTP is nil or a plain HTTPClient.
func ExampleVerifier_VerifyTLSALPN01() {
	resp, err := verifytest.NewALPNResponder()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Close()
	if err := resp.Set("example.com", alpnKA, verifytest.ALPNRight); err != nil {
		fmt.Println(err)
		return
	}
	zone := verifytest.NewZone().MustAdd("example.com. 300 IN A 127.0.0.1")
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: zone, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: zone, AllowPrivate: true, Dial: resp.Dial}}
	r, err := v.VerifyTLSALPN01(context.Background(), "example.com", alpnKA)
	fmt.Println(r.Outcome, r.Target, err)
	// Output: verified example.com:443 <nil>
}

// VerifyOrder mixes the new methods with the older ones: each item is
// checked by its own method, and the order passes only when all do.
func TestVerifyOrderMixesNewMethods(t *testing.T) {
	s := newALPNSite(t)
	key, err := challenge.ParseAccountKey(mustReadFile(t, "../challenge/testdata/ec384.pem"))
	require.NoError(t, err)
	var b challenge.Builder
	const token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
	txt, err := b.DNSTXT("example.com")
	require.NoError(t, err)
	alpn, err := b.TLSALPN01("example.com", token, key)
	require.NoError(t, err)
	acc, err := b.DNSAccount01("*.example.com", token, key, "https://ca.example/acct/1")
	require.NoError(t, err)
	per, err := b.DNSPersist01("www.example.com", challenge.PersistParams{Issuer: "authority.example",
		AccountURL: "https://ca.example/acct/1", AccountKey: key, Wildcard: true})
	require.NoError(t, err)
	items := []verify.OrderItem{{Challenge: txt}, {Challenge: alpn}, {Challenge: acc}, {Challenge: per}}
	for _, c := range []*challenge.Challenge{txt, acc, per} {
		require.NoError(t, verifytest.Publish(s.zone, nil, c))
	}

	res, err := s.v.VerifyOrder(ctx5(t), items)
	assert.ErrorIs(t, err, verify.ErrALPNProtocol, "the certificate is not served yet")
	assert.Equal(t, verify.NotVerified, res.Outcome)
	for i, r := range res.Results {
		if i != 1 {
			assert.Equal(t, verify.Verified, r.Outcome, r.Method)
		}
	}

	require.NoError(t, s.resp.Set("example.com", alpn.KeyAuthorization, verifytest.ALPNRight))
	res, err = s.v.VerifyOrder(ctx5(t), items)
	require.NoError(t, err)
	assert.Equal(t, verify.Verified, res.Outcome)
	assert.Equal(t, []challenge.Method{challenge.DNSTXT, challenge.TLSALPN01, challenge.DNSAccount01, challenge.DNSPersist01},
		[]challenge.Method{res.Results[0].Method, res.Results[1].Method, res.Results[2].Method, res.Results[3].Method})
}

// The addresses dialled are resolved under the DNSSEC setting of the
// HTTPClient, as for files: a tampered A record is never dialled.
func TestTLSALPN01UnderDNSSEC(t *testing.T) {
	s := newALPNSite(t)
	s.zone.MustAdd("bad.example.com. 300 IN A 127.0.0.1")
	anchors, err := s.zone.Sign(verifytest.Signing{Zones: map[string]verifytest.ZoneSigning{".": {}, "com.": {}, "example.com.": {}}})
	require.NoError(t, err)
	s.zone.BreakSignature("bad.example.com.", dns.TypeA, verifytest.TamperedRecord)
	srv, err := verifytest.NewDNSServer(s.zone)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	dc := &verify.DNSClient{Servers: []string{srv.Addr()}, Timeout: time.Second}
	s.client.DNS, s.client.TrustAnchors = dc, anchors
	s.v.DNS, s.v.TrustAnchors = dc, anchors
	s.client.DNSSEC, s.v.DNSSEC = verify.DNSSECValidate, verify.DNSSECValidate // the setup switched it off
	require.NoError(t, s.resp.Set("example.com", alpnKA, verifytest.ALPNRight))
	require.NoError(t, s.resp.Set("bad.example.com", alpnKA, verifytest.ALPNRight))

	r, err := s.v.VerifyTLSALPN01(ctx5(t), "example.com", alpnKA)
	require.NoError(t, err)
	assert.Equal(t, verify.DNSSECSecure, r.DNSSEC)

	r, err = s.v.VerifyTLSALPN01(ctx5(t), "bad.example.com", alpnKA)
	assert.ErrorIs(t, err, verify.ErrDNSSECBogus)
	assert.Equal(t, verify.Undecided, r.Outcome)
	assert.Equal(t, 1, s.resp.Handshakes(), "only the validated name was dialled")
}
