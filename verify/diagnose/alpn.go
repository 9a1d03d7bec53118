package diagnose

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
)

// checkALPN diagnoses tls-alpn-01: on every address of the domain, port
// 443, a handshake that offers only acme-tls/1 must negotiate it; with a
// challenge, the certificate must follow RFC 8737.
func (r *run) checkALPN() {
	m := challenge.TLSALPN01
	add := r.out.addFor(m)
	addrs := r.hostAddrs(webTarget{host: r.adn, methods: []challenge.Method{m}}, add)
	states := make([]tls.ConnectionState, len(addrs))
	errs := make([]error, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Go(func() { states[i], errs[i] = r.http.TLSALPNAt(r.ctx, r.adn, a) })
	}
	wg.Wait()
	if r.ctx.Err() != nil {
		r.out.undone("tls-alpn-01 at %s: the handshakes did not finish in time", r.adn)
		return
	}
	failed := 0
	for _, err := range errs {
		if err != nil && !errors.Is(err, verify.ErrALPNProtocol) {
			failed++
		}
	}
	ka := ""
	if r.ch != nil && r.ch.Method == m {
		ka = r.ch.KeyAuthorization
	}
	for i, a := range addrs {
		subject := fmt.Sprintf("%s:443 at %s", r.adn, a)
		if f, ok := r.alpnFinding(subject, a, states[i], errs[i], ka); ok {
			if f.Code == PortClosed || f.Code == PortTimeout || f.Code == TLSHandshakeFailed {
				if failed < len(addrs) {
					f.Severity = Warning // another address answers; the CA may pick this one
				}
			}
			add(f)
		}
	}
}

func (r *run) alpnFinding(subject string, a netip.Addr, st tls.ConnectionState, err error, ka string) (Finding, bool) {
	f := Finding{Severity: Error, Subject: subject}
	var rh tls.RecordHeaderError
	switch {
	case err == nil && st.NegotiatedProtocol == challenge.ACMETLSProtocol:
		if ka == "" || len(st.PeerCertificates) == 0 {
			return f, false
		}
		cerr := verify.CheckTLSALPN01Certificate(st.PeerCertificates[0], r.adn, ka)
		if cerr == nil {
			return f, false
		}
		f.Code, f.Message = TLSALPNCertificate, fmt.Sprintf("the tls-alpn-01 certificate at %s breaks a rule of RFC 8737: %v", a, cerr)
		f.Fix = "present the self-signed challenge certificate as the ACME client builds it: one dNSName (the domain) and the critical acmeIdentifier extension with SHA-256 of the key authorization"
		f.Evidence = []string{cerr.Error()}
	case errors.Is(err, verify.ErrALPNCertificate):
		f.Code, f.Message = TLSALPNCertificate, fmt.Sprintf("the certificate at %s on port 443 cannot be used for tls-alpn-01: %v", a, err)
		f.Fix = "present the self-signed challenge certificate as the ACME client builds it: one dNSName (the domain) and the critical acmeIdentifier extension with SHA-256 of the key authorization"
		f.Evidence = []string{err.Error()}
	case err == nil, errors.Is(err, verify.ErrALPNProtocol):
		seen := "no protocol"
		if err == nil && st.NegotiatedProtocol != "" {
			seen = fmt.Sprintf("%q", st.NegotiatedProtocol)
		}
		f.Code, f.Message = TLSALPNUnsupported, fmt.Sprintf("port 443 of %s does not negotiate acme-tls/1 (it chose %s)", a, seen)
		f.Fix = "let the ACME client answer tls-alpn-01 on port 443 (or the TLS proxy pass acme-tls/1 to it), or use http-01 or dns-01"
		if ka == "" {
			// Without a challenge nothing need answer acme-tls/1 yet: the
			// ACME client does so while the CA validates.
			f.Severity = Info
			f.Message += "; the ACME client must answer it while the CA validates"
		}
		if err != nil {
			f.Evidence = []string{err.Error()}
		}
	case errors.Is(err, verify.ErrConnection):
		f.Code, f.Message = PortClosed, fmt.Sprintf("port 443 of %s refuses connections", a)
		f.Fix, f.Evidence = "open TCP port 443 to the Internet and let the ACME client or web server answer there", []string{err.Error()}
	case errors.Is(err, verify.ErrTimeout):
		f.Code, f.Message = PortTimeout, fmt.Sprintf("connections to port 443 of %s time out", a)
		f.Fix, f.Evidence = "open TCP port 443 to the Internet; if an IP allow-list guards the site, add the CA's validation addresses", []string{err.Error()}
	case errors.As(err, &rh):
		f.Code, f.Message = HTTPOnHTTPSPort, fmt.Sprintf("port 443 of %s answers plain HTTP, not TLS", a)
		f.Fix, f.Evidence = "serve TLS on port 443 (tls-alpn-01 needs it)", []string{err.Error()}
	case errors.Is(err, verify.ErrAddressRefused):
		f.Code, f.Message = AddressReserved, fmt.Sprintf("%s is not a public address; the client refuses it", a)
		f.Fix, f.Evidence = fmt.Sprintf("point %s at a public address", r.adn), []string{err.Error()}
	default:
		f.Code, f.Message = TLSHandshakeFailed, fmt.Sprintf("the TLS handshake with %s on port 443 fails", a)
		f.Fix, f.Evidence = "fix the TLS setup on port 443 (TLS 1.2 or later)", []string{err.Error()}
	}
	return f, true
}
