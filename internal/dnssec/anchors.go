package dnssec

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/miekg/dns"
)

// rootAnchors are the IANA root trust anchors as published in
// root-anchors.xml (KSK-2017 and KSK-2024; algorithm 8, SHA-256).
var rootAnchors = [...]string{
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
}

// RootAnchors returns the IANA root trust anchors: the DS records of
// KSK-2017 (key tag 20326) and KSK-2024 (key tag 38696), algorithm 8
// (RSASHA256), SHA-256 digests. Each call returns fresh records.
func RootAnchors() []dns.RR {
	out := make([]dns.RR, 0, len(rootAnchors))
	for _, s := range rootAnchors {
		rr, err := dns.NewRR(s)
		if err != nil {
			panic("dnssec: built-in root anchor does not parse: " + err.Error())
		}
		out = append(out, rr)
	}
	return out
}

// digestLen is the length of the DS digests we know.
var digestLen = map[uint8]int{dns.SHA1: 20, dns.SHA256: 32, dns.SHA384: 48}

// maxAnchorLine bounds one line of a trust-anchor file.
const maxAnchorLine = 64 << 10

// ParseAnchors reads a trust-anchor file: zone-file lines of DS or DNSKEY
// records (any owner, class IN), one per line; blank lines and ';'
// comments are ignored. Anything else is an error naming the line, and so
// is an anchor the validator could not use (an unsupported algorithm or
// digest type, a revoked key): a typo must not silently make every answer
// insecure. An input without any anchor is an error too.
func ParseAnchors(r io.Reader) ([]dns.RR, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxAnchorLine)
	var out []dns.RR
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, ";") {
			continue
		}
		if strings.HasPrefix(text, "$") {
			return nil, fmt.Errorf("dnssec: trust anchors line %d: zone-file directives are not allowed", line)
		}
		rr, err := dns.NewRR(text)
		if err != nil {
			return nil, fmt.Errorf("dnssec: trust anchors line %d: %w", line, err)
		}
		if rr == nil {
			continue
		}
		switch rr := rr.(type) {
		case *dns.DS:
			if !supportedAlg(rr.Algorithm) || !supportedDigest(rr.DigestType) {
				return nil, fmt.Errorf("dnssec: trust anchors line %d: algorithm %d / digest type %d is not supported (algorithms 8, 10, 13, 14, 15; digests 2, 4)", line, rr.Algorithm, rr.DigestType)
			}
			d, err := hex.DecodeString(rr.Digest)
			if err != nil || len(d) == 0 || (digestLen[rr.DigestType] != 0 && len(d) != digestLen[rr.DigestType]) {
				return nil, fmt.Errorf("dnssec: trust anchors line %d: the DS digest is not hex of the right length", line)
			}
		case *dns.DNSKEY:
			if !usableKey(rr) {
				return nil, fmt.Errorf("dnssec: trust anchors line %d: not a usable key (zone flag, protocol 3, not revoked, algorithm 8, 10, 13, 14 or 15)", line)
			}
			if k, err := base64.StdEncoding.DecodeString(rr.PublicKey); err != nil || len(k) == 0 {
				return nil, fmt.Errorf("dnssec: trust anchors line %d: the DNSKEY public key is not base64", line)
			}
		default:
			return nil, fmt.Errorf("dnssec: trust anchors line %d: %s record, want DS or DNSKEY", line, dns.TypeToString[rr.Header().Rrtype])
		}
		if rr.Header().Class != dns.ClassINET {
			return nil, fmt.Errorf("dnssec: trust anchors line %d: class %s, want IN", line, dns.ClassToString[rr.Header().Class])
		}
		rr.Header().Name = dns.CanonicalName(rr.Header().Name)
		out = append(out, rr)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dnssec: trust anchors line %d: %w", line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dnssec: trust anchors: no DS or DNSKEY record")
	}
	return out, nil
}
