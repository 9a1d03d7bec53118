package dnssectest

import (
	"crypto"
	"fmt"

	"github.com/miekg/dns"
)

// Key is a DNSKEY with its private half.
type Key struct {
	DNSKEY *dns.DNSKEY   // the public key record
	Signer crypto.Signer // its private key
}

// NewKey generates a key of algorithm alg for zone, never one whose key
// tag is 0 (miekg/dns signs with no such key). ksk sets the SEP flag
// (257 instead of 256). RSA keys get rsaBits bits (0 means 1024, enough
// for tests and quick to generate).
func NewKey(zone string, alg uint8, ksk bool, rsaBits int) (*Key, error) {
	return newKey(zone, alg, ksk, rsaBits, (*dns.DNSKEY).Generate)
}

// newKey is NewKey drawing keys with generate.
func newKey(zone string, alg uint8, ksk bool, rsaBits int, generate func(k *dns.DNSKEY, bits int) (crypto.PrivateKey, error)) (*Key, error) {
	flags := uint16(dns.ZONE)
	if ksk {
		flags |= dns.SEP
	}
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: dns.CanonicalName(zone), Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flags,
		Protocol:  3,
		Algorithm: alg,
	}
	bits := 256
	switch alg {
	case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
		bits = rsaBits
		if bits == 0 {
			bits = 1024
		}
	case dns.ECDSAP384SHA384:
		bits = 384
	}
	priv, err := generate(k, bits)
	// miekg/dns refuses to sign with a key whose tag is 0 (one key in
	// 65,536): draw another.
	for err == nil && k.KeyTag() == 0 {
		priv, err = generate(k, bits)
	}
	if err != nil {
		return nil, fmt.Errorf("dnssectest: generate %s key for %s: %w", dns.AlgorithmToString[alg], zone, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("dnssectest: %T is not a crypto.Signer", priv)
	}
	return &Key{DNSKEY: k, Signer: signer}, nil
}

// Sign returns the RRSIG of rrset by k for signer zone over the window
// [inception, expiration] (Unix seconds).
func (k *Key) Sign(rrset []dns.RR, signer string, inception, expiration uint32) (*dns.RRSIG, error) {
	sig := &dns.RRSIG{
		Hdr:        dns.RR_Header{Ttl: rrset[0].Header().Ttl},
		Algorithm:  k.DNSKEY.Algorithm,
		KeyTag:     k.DNSKEY.KeyTag(),
		SignerName: dns.CanonicalName(signer),
		Inception:  inception,
		Expiration: expiration,
	}
	if err := sig.Sign(k.Signer, rrset); err != nil {
		return nil, fmt.Errorf("dnssectest: sign %s %s: %w", rrset[0].Header().Name, dns.TypeToString[rrset[0].Header().Rrtype], err)
	}
	return sig, nil
}
