package verify

import (
	"net/netip"

	"github.com/dcvkit/dcv/internal/resolve"
)

// Unexported names the external tests (package verify_test) need, as net/http
// does in its export_test.go.

// ZoneCacheFor is the flights a ZoneCache gives a Verifier whose DNS is
// dns: nil when it serves another.
func ZoneCacheFor(z *ZoneCache, dns Exchanger) *resolve.Shared { return z.sharedFor(dns) }

type (
	DialState      = dialState
	FetchResult    = fetchResult
	RedirectPolicy = redirectPolicy
)

const (
	DefaultAttempts   = defaultAttempts
	DefaultDNSTimeout = defaultDNSTimeout
	DefaultUDPSize    = defaultUDPSize
	EvidenceBodyBytes = evidenceBodyBytes
	FollowBR          = followBR
	LineSpace         = lineSpace
	MaxCNAMEHops      = maxCNAMEHops
	MaxRedirects      = maxRedirects
	MaxTXTRecords     = maxTXTRecords
	NoRedirects       = noRedirects
)

var (
	BodyLines           = bodyLines
	EmbeddedV4          = embeddedV4
	ErrQuestionMismatch = resolve.ErrQuestionMismatch
	Fetch               = fetch
	Interleave          = interleave
	IsHex               = isHex
	JoinTXT             = joinTXT
	Kinds               = kinds
	LookupCNAME         = lookupCNAME
	LookupTXT           = lookupTXT
	NewError            = newError
	NormalizeContent    = normalizeContent
	ServerName          = serverName
	TxtValues           = txtValues
)

// Methods of unexported state, as functions.
var (
	DNSClientServers    = (*DNSClient).servers
	DNSClientTimeout    = (*DNSClient).timeout
	DNSClientAttempts   = (*DNSClient).attempts
	DNSClientUDPSize    = (*DNSClient).udpSize
	HTTPClientTransport = (*HTTPClient).transport
)

// GuardRule is one row of the address guard's table.
type GuardRule struct {
	Prefix netip.Prefix
	Why    string
	Allow  bool
}

// BuildGuardRules returns a fresh copy of the address guard's table.
func BuildGuardRules() []GuardRule {
	var out []GuardRule
	for _, r := range buildGuardRules() {
		out = append(out, GuardRule{r.prefix, r.why, r.allow})
	}
	return out
}
