package verify

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/miekg/dns"
)

// Exchanger sends one DNS query to a recursive resolver and returns its
// response. DNSClient implements it over the network and verifytest.Zone in
// memory. A response with a non-success rcode is a response, not an error;
// errors are for transport failures (timeouts, refused connections).
type Exchanger interface {
	// Exchange sends m and returns the response.
	Exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error)
}

// ServerExchanger sends one query to one named server ("ip:port"), as the
// authoritative mode does for each NS address. DNSClient implements it.
type ServerExchanger interface {
	// ExchangeServer sends m to server ("ip:port") and returns the response.
	ExchangeServer(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error)
}

// HTTPDoer sends one HTTP request and does not follow redirects: the
// verifier applies the redirect policy itself, hop by hop. HTTPClient is the
// hardened implementation; *http.Client with a CheckRedirect that returns
// http.ErrUseLastResponse also fits. The evidence of a plain HTTPDoer is
// the request and its answer; the DNS lookups it makes are recorded only if
// it is also an EvidenceDoer.
type HTTPDoer interface {
	// Do sends req once, redirects not followed, as http.Client.Do does.
	Do(req *http.Request) (*http.Response, error)
}

// EvidenceDoer is an HTTPDoer that also returns the evidence of the lookups
// it made for a request, such as HTTPClient's A and AAAA queries; the
// Verifier calls DoWithEvidence instead of Do when the doer has it.
type EvidenceDoer interface {
	HTTPDoer
	// DoWithEvidence is Do, also returning the evidence of the lookups
	// made for req, on failure too.
	DoWithEvidence(req *http.Request) (*http.Response, []Evidence, error)
}

// ALPNDialer opens the connection of a tls-alpn-01 check through the same
// resolution, address guard and dialer as the HTTP requests of file
// checks. HTTPClient implements it; a Verifier whose HTTP does not refuses
// tls-alpn-01 (bad input) rather than dial around it.
type ALPNDialer interface {
	// DialACMETLS returns a connection to port 443 of domain whose TLS
	// handshake offered only acme-tls/1, the evidence of the lookups and,
	// last, of the handshake; a failure is an *Error.
	DialACMETLS(ctx context.Context, domain string) (*tls.Conn, []Evidence, error)
}

// Evidence is one observation made while verifying: what was asked, of whom,
// what came back, when and how long it took. CAs keep these records.
type Evidence struct {
	Protocol      string        `json:"protocol"`                // "dns", "http", "tls" (tls-alpn-01) or "email"
	Query         string        `json:"query"`                   // "TXT _dnsauth.example.com." or "GET http://…"
	Server        string        `json:"server,omitempty"`        // DNS server or the IP:port dialled
	Rcode         string        `json:"rcode,omitempty"`         // DNS response code
	Status        int           `json:"status,omitempty"`        // HTTP status
	Location      string        `json:"location,omitempty"`      // HTTP Location header
	Answer        []string      `json:"answer,omitempty"`        // records or body lines seen
	Authenticated bool          `json:"authenticated,omitempty"` // the resolver's AD bit (DNSSEC-authenticated by it)
	Shared        bool          `json:"shared,omitempty"`        // a kept answer: asked once for several checks (an order, a ZoneCache)
	DNSSEC        DNSSECVerdict `json:"dnssec,omitempty"`        // this answer's own DNSSEC verdict; "" when not validated
	Error         string        `json:"error,omitempty"`         // why the query or request failed
	Time          time.Time     `json:"time"`                    // when it was sent, on the Verifier's clock
	Duration      time.Duration `json:"duration_ns"`             // how long it took
}
