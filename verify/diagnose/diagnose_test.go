package diagnose_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/csrhash"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/diagnose"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// web publishes example.test at 127.0.0.10 (and www.example.test) and
// serves resp there on ports 80 and 443.
func web(l *lab, resp http.Handler) {
	l.add("example.test. 300 IN A 127.0.0.10", "www.example.test. 300 IN A 127.0.0.10")
	l.site(resp, "127.0.0.10")
}

func dnsTXT(t *testing.T) *challenge.Challenge {
	c, err := challenge.Builder{AllowPrivate: true}.DNSTXT("example.test")
	require.NoError(t, err)
	return c
}

func fileChallenge(t *testing.T) *challenge.Challenge {
	c, err := challenge.Builder{AllowPrivate: true}.File("example.test")
	require.NoError(t, err)
	return c
}

// acme builds an ACME challenge for example.test with a fresh account key.
func acme(t *testing.T, build func(b challenge.Builder, domain, token string, key crypto.PublicKey) (*challenge.Challenge, error)) *challenge.Challenge {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c, err := build(challenge.Builder{AllowPrivate: true}, "example.test", "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key.Public())
	require.NoError(t, err)
	return c
}

func acmeHTTP(t *testing.T) *challenge.Challenge { return acme(t, challenge.Builder.ACMEHTTP01) }

func acmeDNS(t *testing.T) *challenge.Challenge { return acme(t, challenge.Builder.ACMEDNS01) }

func tlsALPN(t *testing.T) *challenge.Challenge { return acme(t, challenge.Builder.TLSALPN01) }

const accountURL = "https://acme.test/acct/1"

func dnsPersist(t *testing.T) *challenge.Challenge {
	c, err := challenge.Builder{AllowPrivate: true}.DNSPersist01("example.test", challenge.PersistParams{Issuer: "letsencrypt.org", AccountURL: accountURL, Plain: true})
	require.NoError(t, err)
	return c
}

func dnsAccount(t *testing.T) *challenge.Challenge {
	return acme(t, func(b challenge.Builder, domain, token string, key crypto.PublicKey) (*challenge.Challenge, error) {
		return b.DNSAccount01(domain, token, key, accountURL)
	})
}

// hashCNAME is an SSL.com hash-cname challenge for a fresh CSR of
// example.test.
func hashCNAME(t *testing.T) *challenge.Challenge {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "example.test"}, DNSNames: []string{"example.test"}}, key)
	require.NoError(t, err)
	csr, err := csrhash.Parse(der)
	require.NoError(t, err)
	c, err := challenge.Builder{AllowPrivate: true}.HashCNAME(csr, "example.test", "ssl.com", "")
	require.NoError(t, err)
	return c
}

// txt is a TXT record line for value (quoted for the zone-file parser).
func txt(owner, value string) string {
	return fmt.Sprintf("%s 300 IN TXT %q", owner, value)
}

// A misconfiguration and the finding it must produce.
type codeCase struct {
	name string
	code diagnose.Code
	sev  diagnose.Severity
	// setup builds the lab's misconfiguration and returns the request;
	// it may adjust the diagnoser.
	setup func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request
}

var codeCases = []codeCase{
	{"invalid name", diagnose.NameInvalid, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "exa_mple..test"}
	}},
	{"IP address", diagnose.NameIPAddress, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "192.0.2.1"}
	}},
	{"public suffix", diagnose.NamePublicSuffix, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "co.uk"}
	}},
	{"special-use name without AllowPrivate", diagnose.NameSpecialUse, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		d.AllowPrivate = false
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"unknown TLD", diagnose.NameUnknownTLD, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		d.AllowPrivate = false
		return diagnose.Request{Domain: "shop.example.corpnet", Method: challenge.DNSTXT}
	}},
	{"challenge older than its lifetime", diagnose.ChallengeExpired, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c, err := challenge.Builder{AllowPrivate: true, Now: func() time.Time { return time.Now().Add(-25 * time.Hour) }, Lifetime: challenge.LifetimeDigiCertDNS}.DNSTXT("example.test")
		require.NoError(t, err)
		l.add(txt(c.Record.Name, c.Record.Value))
		return diagnose.Request{Challenge: c}
	}},
	{"wildcard with the file method", diagnose.WildcardMethod, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "*.example.test", Method: challenge.File}
	}},
	{"no zone", diagnose.ZoneNotFound, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "unregistered.test", Method: challenge.DNSTXT}
	}},
	{"resolver SERVFAIL", diagnose.DNSLookupFailed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.resolver.SetRcode("example.test.", dns.TypeANY, dns.RcodeServerFailure)
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"a name server that does not answer", diagnose.NSUnreachable, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("example.test. 300 IN NS ns9.example.test.", "ns9.example.test. 300 IN A 127.0.0.99")
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"a name server without TCP", diagnose.NSNoTCP, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("example.test. 300 IN NS ns8.example.test.", "ns8.example.test. 300 IN A 127.0.0.98")
		l.udpOnly(l.auth[0], "127.0.0.98:"+l.port)
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"a lame name server", diagnose.NSLame, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.auth[1].SetRcode("example.test.", dns.TypeANY, dns.RcodeRefused)
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"name servers out of sync", diagnose.SOASerialMismatch, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.auth[1].Remove("example.test.", dns.TypeSOA)
		l.auth[1].MustAdd(fmt.Sprintf(soaLine, 2))
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"DNSSEC switched off", diagnose.DNSSECSkipped, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		d.DNSSEC = verify.DNSSECOff // as every lab diagnoser has it
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"CAA names another CA", diagnose.CAAForbidden, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(`example.test. 300 IN CAA 0 issue "sectigo.com"`)
		return diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEDNS01}
	}},
	{"CAA unknown critical tag", diagnose.CAACriticalUnknown, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(`example.test. 300 IN CAA 128 tbs "unknown"`, `example.test. 300 IN CAA 0 issue "letsencrypt.org"`)
		return diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEDNS01}
	}},
	{"CAA bound to another account", diagnose.CAAAccountURI, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org; accounturi=https://acme.test/acct/1"`)
		return diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEDNS01, AccountURI: "https://acme.test/acct/2"}
	}},
	{"CAA validationmethods excludes the method", diagnose.CAAValidationMethods, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org; validationmethods=dns-01"`)
		return diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEHTTP01}
	}},
	{"CAA validationmethods and a CA-specific method", diagnose.CAAValidationMethods, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(`example.test. 300 IN CAA 0 issue "digicert.com; validationmethods=dns-01"`)
		return diagnose.Request{Domain: "example.test", CA: []string{"digicert.com"}, Method: challenge.DNSTXT}
	}},
	{"every name server dead", diagnose.NSUnreachable, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.resolver.Remove("ns1.example.test.", dns.TypeA)
		l.resolver.Remove("ns2.example.test.", dns.TypeA)
		l.resolver.MustAdd("ns1.example.test. 300 IN A 127.0.0.97", "ns2.example.test. 300 IN A 127.0.0.96")
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT}
	}},
	{"CAA through a CNAME", diagnose.CAACNAME, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("shop.example.test. 300 IN CNAME site.hoster.test.")
		l.resolver.MustAdd(`site.hoster.test. 300 IN CAA 0 issue "sectigo.com"`, "site.hoster.test. 300 IN A 127.0.0.10")
		return diagnose.Request{Domain: "shop.example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEDNS01}
	}},
	{"CAA lookup fails", diagnose.CAALookupFailed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.resolver.SetRcode("example.test.", dns.TypeCAA, dns.RcodeServerFailure)
		return diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}, Method: challenge.ACMEDNS01}
	}},
	{"where the record goes", diagnose.RecordOwner, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "www.example.test", Method: challenge.DNSTXT}
	}},
	{"record not published", diagnose.RecordMissing, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Challenge: dnsTXT(t)}
	}},
	{"record with an old value", diagnose.RecordMismatch, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add(txt("_dnsauth.example.test.", "old-value"))
		return diagnose.Request{Challenge: dnsTXT(t)}
	}},
	{"hash CNAME to another target", diagnose.RecordMismatch, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := hashCNAME(t)
		l.add(c.Record.Name + " 300 IN CNAME old.target.ssl.com.")
		return diagnose.Request{Challenge: c}
	}},
	{"dns-account-01 record under the plain _acme-challenge name", diagnose.RecordMissing, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsAccount(t)
		l.add(txt("_acme-challenge.example.test.", c.Record.Value))
		return diagnose.Request{Challenge: c}
	}},
	{"dns-account-01 owner from the account URL", diagnose.RecordOwner, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSAccount01, AccountURI: accountURL}
	}},
	{"dns-persist-01 record for another account", diagnose.PersistDenied, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsPersist(t)
		l.add(txt(c.Record.Name, "letsencrypt.org; accounturi=https://acme.test/acct/2"))
		return diagnose.Request{Challenge: c}
	}},
	{"dns-persist-01 record with accounturi twice", diagnose.PersistMalformed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsPersist(t)
		l.add(txt(c.Record.Name, "letsencrypt.org; accounturi="+accountURL+"; accounturi=https://acme.test/acct/2"))
		return diagnose.Request{Challenge: c}
	}},
	{"dns-persist-01 record not published", diagnose.RecordMissing, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Challenge: dnsPersist(t)}
	}},
	{"record on one server only", diagnose.RecordNotPropagated, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsTXT(t)
		l.resolver.MustAdd(txt(c.Record.Name, c.Record.Value))
		l.auth[0].MustAdd(txt(c.Record.Name, c.Record.Value))
		return diagnose.Request{Challenge: c}
	}},
	{"the resolver fails at the record while the servers serve it", diagnose.DNSLookupFailed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		// The CA reads through a resolver: SERVFAIL there fails
		// verification, whatever the servers hold (not "resolver stale").
		c := dnsTXT(t)
		l.add(txt(c.Record.Name, c.Record.Value))
		l.resolver.SetRcode(c.Record.Name, dns.TypeANY, dns.RcodeServerFailure)
		return diagnose.Request{Challenge: c}
	}},
	{"resolver still caches the absence", diagnose.RecordResolverStale, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsTXT(t)
		for _, z := range l.auth {
			z.MustAdd(txt(c.Record.Name, c.Record.Value))
		}
		return diagnose.Request{Challenge: c}
	}},
	{"zone typed into the host record", diagnose.RecordDoubledLabel, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := dnsTXT(t)
		l.add(txt("_dnsauth.example.test.example.test.", c.Record.Value))
		return diagnose.Request{Challenge: c}
	}},
	{"CNAME at the owner", diagnose.RecordCNAME, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeDNS(t)
		l.add("_acme-challenge.example.test. 300 IN CNAME example.auth.test.")
		l.resolver.MustAdd(txt("example.auth.test.", c.Record.Value))
		return diagnose.Request{Challenge: c}
	}},
	{"CNAME at the owner to a name without the record", diagnose.RecordMissing, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("_acme-challenge.example.test. 300 IN CNAME example.auth.test.")
		l.resolver.MustAdd("example.auth.test. 300 IN A 127.0.0.10")
		return diagnose.Request{Challenge: acmeDNS(t)}
	}},
	{"CNAME at the owner to nowhere", diagnose.RecordCNAMETarget, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("_acme-challenge.example.test. 300 IN CNAME gone.auth.test.")
		return diagnose.Request{Challenge: acmeDNS(t)}
	}},
	{"long value cut at 255", diagnose.RecordTooLong, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		// Another CA's value, given as a record rather than a dcv challenge.
		rec := &challenge.Record{Type: "TXT", Name: "_dnsauth.example.test.", Value: strings.Repeat("v", 300)}
		l.add(txt(rec.Name, rec.Value[:255]))
		return diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT, Record: rec}
	}},
	{"no address", diagnose.NoAddress, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01}
	}},
	{"private address", diagnose.AddressReserved, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		d.AllowPrivate = false
		l.add("example.test. 300 IN A 10.1.2.3")
		return diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01}
	}},
	{"port 80 closed", diagnose.PortClosed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("example.test. 300 IN A 127.0.0.10")
		return diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01}
	}},
	{"port 80 filtered", diagnose.PortTimeout, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		l.add("example.test. 300 IN A 127.0.0.10")
		l.route("127.0.0.10:80", "drop")
		return diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01}
	}},
	{"TLS 1.1 only on 443", diagnose.TLSHandshakeFailed, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content)
		web(l, r)
		l.route("127.0.0.10:443", l.tlsOld(r))
		return diagnose.Request{Challenge: c}
	}},
	{"plain HTTP on 443", diagnose.HTTPOnHTTPSPort, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content)
		web(l, r)
		l.route("127.0.0.10:443", l.plain(r))
		return diagnose.Request{Challenge: c}
	}},
	{"certificate for another name", diagnose.TLSCertName, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		web(l, verifytest.NewResponder())
		return diagnose.Request{Domain: "example.test", Method: challenge.File}
	}},
	{"expired certificate", diagnose.TLSCertExpired, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		web(l, verifytest.NewResponder())
		d.Now = func() time.Time { return time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) } // after the test certificate's NotAfter
		return diagnose.Request{Domain: "example.test", Method: challenge.File}
	}},
	{"file not uploaded", diagnose.FileNotFound, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		web(l, verifytest.NewResponder())
		return diagnose.Request{Challenge: fileChallenge(t)}
	}},
	{"well-known path forbidden", diagnose.HTTPStatus, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.SetStatus(c.File.Path, http.StatusForbidden)
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"redirect for the file method", diagnose.RedirectRefused, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.SetRedirect(c.File.Path, http.StatusMovedPermanently, "https://example.test"+c.File.Path)
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"http-01 redirect to https", diagnose.RedirectFollowed, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		plain, tlsr := verifytest.NewResponder(), verifytest.NewResponder()
		plain.SetRedirect(c.File.Path, http.StatusFound, "https://example.test"+c.File.Path)
		tlsr.Set(c.File.Path, c.File.Content)
		l.add("example.test. 300 IN A 127.0.0.10")
		l.site(plain, "127.0.0.10")
		l.route("127.0.0.10:443", tlsSite(l, tlsr))
		return diagnose.Request{Challenge: c}
	}},
	{"wrong file content", diagnose.ContentMismatch, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, "not-the-key-authorization")
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"file with a BOM", diagnose.ContentBOM, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, "\uFEFF"+c.File.Content)
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"file with CRLF", diagnose.ContentCRLF, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content+"\r\n")
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"file with trailing whitespace", diagnose.ContentWhitespace, diagnose.Warning, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content+"  \n\n")
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"huge file", diagnose.BodyTooLarge, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, strings.Repeat("x", 70<<10))
		web(l, r)
		return diagnose.Request{Challenge: c}
	}},
	{"an address without the file", diagnose.AddressInconsistent, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := acmeHTTP(t)
		good := verifytest.NewResponder()
		good.Set(c.File.Path, c.File.Content)
		l.add("example.test. 300 IN A 127.0.0.10", "example.test. 300 IN AAAA ::1")
		l.site(good, "127.0.0.10")
		l.site(verifytest.NewResponder(), "::1")
		return diagnose.Request{Challenge: c}
	}},
	{"www without an address", diagnose.ApexWWW, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content)
		l.add("example.test. 300 IN A 127.0.0.10")
		l.site(r, "127.0.0.10")
		return diagnose.Request{Challenge: c}
	}},
	{"https serves an old file", diagnose.HTTPSMismatch, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		plain, tlsr := verifytest.NewResponder(), verifytest.NewResponder()
		plain.Set(c.File.Path, c.File.Content)
		tlsr.Set(c.File.Path, "an-older-value")
		l.add("example.test. 300 IN A 127.0.0.10", "www.example.test. 300 IN A 127.0.0.10")
		l.site(plain, "127.0.0.10")
		l.route("127.0.0.10:443", tlsSite(l, tlsr))
		return diagnose.Request{Challenge: c}
	}},
	{"https without the file", diagnose.HTTPSMismatch, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		plain := verifytest.NewResponder()
		plain.Set(c.File.Path, c.File.Content)
		l.add("example.test. 300 IN A 127.0.0.10", "www.example.test. 300 IN A 127.0.0.10")
		l.site(plain, "127.0.0.10")
		l.route("127.0.0.10:443", tlsSite(l, verifytest.NewResponder()))
		return diagnose.Request{Challenge: c}
	}},
	{"tls-alpn-01 at a plain HTTPS server", diagnose.TLSALPNUnsupported, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		web(l, verifytest.NewResponder())
		return diagnose.Request{Challenge: tlsALPN(t)}
	}},
	{"tls-alpn-01 certificate for another key authorization", diagnose.TLSALPNCertificate, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := tlsALPN(t)
		l.add("example.test. 300 IN A 127.0.0.10")
		l.alpn(c, verifytest.ALPNOtherDigest, "127.0.0.10")
		return diagnose.Request{Challenge: c}
	}},
	{"tls-alpn-01 with a second name", diagnose.TLSALPNCertificate, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := tlsALPN(t)
		l.add("example.test. 300 IN A 127.0.0.10")
		l.alpn(c, verifytest.ALPNExtraSAN, "127.0.0.10")
		return diagnose.Request{Challenge: c}
	}},
	{"wildcard with tls-alpn-01", diagnose.WildcardMethod, diagnose.Error, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		return diagnose.Request{Domain: "*.example.test", Method: challenge.TLSALPN01}
	}},
	{"no HTTPS site", diagnose.HTTPSNotServed, diagnose.Info, func(t *testing.T, l *lab, d *diagnose.Diagnoser) diagnose.Request {
		c := fileChallenge(t)
		r := verifytest.NewResponder()
		r.Set(c.File.Path, c.File.Content)
		l.add("example.test. 300 IN A 127.0.0.10", "www.example.test. 300 IN A 127.0.0.10")
		l.route("127.0.0.10:80", l.plain(r))
		return diagnose.Request{Challenge: c}
	}},
}

// tlsSite serves h over HTTPS alone and returns its address.
func tlsSite(l *lab, h http.Handler) string {
	_, s := l.site(h)
	return s.Listener.Addr().String()
}

// notProducedYet are the codes no test can produce today.
var notProducedYet = map[diagnose.Code]bool{}

// TestEveryMisconfigurationHasItsFinding runs each misconfiguration on
// loopback servers and expects its code at its severity.
func TestEveryMisconfigurationHasItsFinding(t *testing.T) {
	for _, tc := range codeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLab(t, 2)
			d := l.diagnoser()
			req := tc.setup(t, l, d)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			rep := d.Diagnose(ctx, req)
			f := find(t, rep, tc.code)
			assert.Equal(t, tc.sev, f.Severity, "severity of %s; report:\n%s", tc.code, codes(rep))
			assert.NotEmpty(t, f.Subject)
			assert.NotEmpty(t, f.Message)
			if f.Severity != diagnose.Info {
				assert.NotEmpty(t, f.Fix, "a %s needs a fix", f.Severity)
			}
			assert.Empty(t, rep.Incomplete, "report:\n%s", codes(rep))
		})
	}
}

// TestEveryCodeHasAMisconfiguration keeps the table above complete.
func TestEveryCodeHasAMisconfiguration(t *testing.T) {
	have := map[diagnose.Code]bool{}
	for _, tc := range codeCases {
		have[tc.code] = true
	}
	for _, tc := range dnssecCases {
		have[tc.code] = true
	}
	for _, c := range diagnose.Codes() {
		if !have[c] && !notProducedYet[c] {
			t.Errorf("no loopback test produces %s", c)
		}
	}
}

// TestCleanDomainHasNoErrorOrWarning: a domain set up right, for every
// method with its challenge published, gets only information.
func TestCleanDomainHasNoErrorOrWarning(t *testing.T) {
	file, acme, txtc, dns01, hc, alpn, acct, persist := fileChallenge(t), acmeHTTP(t), dnsTXT(t), acmeDNS(t), hashCNAME(t), tlsALPN(t), dnsAccount(t), dnsPersist(t)
	for _, c := range []*challenge.Challenge{nil, file, acme, txtc, dns01, hc, alpn, acct, persist} {
		name := "any method, no challenge"
		if c != nil {
			name = string(c.Method)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := newLab(t, 2)
			r := verifytest.NewResponder()
			for _, c := range []*challenge.Challenge{file, acme} {
				r.Set(c.File.Path, c.File.Content)
			}
			l.add(`example.test. 300 IN CAA 0 issue "letsencrypt.org"`, `example.test. 300 IN CAA 0 issue "digicert.com"`,
				"example.test. 300 IN AAAA ::1",
				txt(txtc.Record.Name, txtc.Record.Value), txt(dns01.Record.Name, dns01.Record.Value),
				hc.Record.Name+" 300 IN CNAME "+hc.Record.Value, txt(acct.Record.Name, acct.Record.Value),
				txt(persist.Record.Name, persist.Record.Value))
			web(l, r)
			l.site(r, "::1")
			if c == alpn {
				l.alpn(c, verifytest.ALPNRight, "127.0.0.10")
				l.alpn(c, verifytest.ALPNRight, "::1")
			}
			req := diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt", "digicert"}, Challenge: c}
			rep := l.diagnoser().Diagnose(context.Background(), req)
			assert.False(t, rep.HasErrors(), "report:\n%s", codes(rep))
			assert.Zero(t, rep.Count(diagnose.Warning), "report:\n%s", codes(rep))
			assert.True(t, rep.Complete(), "report:\n%s", codes(rep))
			assert.Equal(t, "example.test", rep.Zone)
			assert.Len(t, rep.Servers, 2)
		})
	}
}

// TestAllowPrivateRaisesNoFindingAboutPrivateNames: with AllowPrivate a
// .test name and loopback addresses are fine; without, both are errors.
func TestAllowPrivateRaisesNoFindingAboutPrivateNames(t *testing.T) {
	l := newLab(t, 1)
	web(l, verifytest.NewResponder())
	d := l.diagnoser()
	req := diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01}
	rep := d.Diagnose(context.Background(), req)
	assert.False(t, rep.Has(diagnose.NameSpecialUse) || rep.Has(diagnose.AddressReserved), codes(rep))
	d.AllowPrivate = false
	rep = d.Diagnose(context.Background(), req)
	assert.True(t, rep.Has(diagnose.NameSpecialUse), codes(rep))
	assert.True(t, rep.Has(diagnose.AddressReserved), codes(rep))
}

// TestDoubledWholeDomain: a record at the owner with the whole domain
// repeated (not only the zone) is recognised too.
func TestDoubledWholeDomain(t *testing.T) {
	l := newLab(t, 1)
	c, err := challenge.Builder{AllowPrivate: true}.DNSTXT("shop.example.test")
	require.NoError(t, err)
	l.add(txt("_dnsauth.shop.example.test.shop.example.test.", c.Record.Value))
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Challenge: c})
	f := find(t, rep, diagnose.RecordDoubledLabel)
	assert.Equal(t, "_dnsauth.shop.example.test.shop.example.test", f.Subject)
	assert.Contains(t, f.Fix, `"_dnsauth.shop"`)
}

// TestFindingsErrorsFirst: errors, then warnings, then information.
func TestFindingsErrorsFirst(t *testing.T) {
	l := newLab(t, 2)
	l.auth[1].Remove("example.test.", dns.TypeSOA)
	l.auth[1].MustAdd(fmt.Sprintf(soaLine, 7))
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Challenge: dnsTXT(t)})
	require.True(t, rep.Has(diagnose.SOASerialMismatch) && rep.Has(diagnose.RecordMissing), codes(rep))
	for i := 1; i < len(rep.Findings); i++ {
		assert.LessOrEqual(t, rep.Findings[i-1].Severity, rep.Findings[i].Severity)
	}
}

// TestResolverDownIsIncomplete: a resolver that does not answer is the
// diagnosis' own failure, not a finding about the domain.
func TestResolverDownIsIncomplete(t *testing.T) {
	l := newLab(t, 1)
	l.resolver.Drop("example.test.", dns.TypeANY)
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT})
	assert.False(t, rep.Complete(), codes(rep))
	assert.False(t, rep.HasErrors(), codes(rep))
}

// TestReportJSON: the report round-trips through JSON with severities as
// words and codes as strings.
func TestReportJSON(t *testing.T) {
	l := newLab(t, 1)
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Challenge: dnsTXT(t)})
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"code":"record_missing","severity":"error"`)
	var back diagnose.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Findings, back.Findings)
}

// TestEachAddressFamilyOnItsOwn: IPv4 works, IPv6 has port 80 closed. The
// IPv6 address gets its own finding (a warning: the CA may still reach
// IPv4), and IPv4 none.
func TestEachAddressFamilyOnItsOwn(t *testing.T) {
	l := newLab(t, 1)
	r := verifytest.NewResponder()
	l.add("example.test. 300 IN A 127.0.0.10", "example.test. 300 IN AAAA ::1")
	l.site(r, "127.0.0.10")
	l.site(r, "::1")
	l.mu.Lock()
	delete(l.web, "[::1]:80") // nothing answers: refused
	l.mu.Unlock()
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Domain: "example.test", Method: challenge.ACMEHTTP01})
	f := find(t, rep, diagnose.PortClosed)
	assert.Equal(t, "http://example.test at ::1", f.Subject)
	assert.Equal(t, diagnose.Warning, f.Severity)
	assert.Equal(t, []challenge.Method{challenge.ACMEHTTP01}, f.Methods)
	for _, g := range rep.Findings {
		if g.Severity != diagnose.Info {
			assert.NotContains(t, g.Subject, "127.0.0.10", "IPv4 works: %+v", g)
		}
	}
	assert.False(t, rep.HasErrors(), codes(rep))
}

// TestUsableMethods: an error about one method rules out that method only;
// one without methods (CAA) rules out all.
func TestUsableMethods(t *testing.T) {
	l := newLab(t, 1)
	l.add("example.test. 300 IN A 127.0.0.10") // no www: the Alibaba file method fails
	l.site(verifytest.NewResponder(), "127.0.0.10")
	d := l.diagnoser()
	rep := d.Diagnose(context.Background(), diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}})
	require.True(t, rep.Has(diagnose.ApexWWW), codes(rep))
	assert.NotContains(t, rep.Usable, challenge.File)
	assert.Contains(t, rep.Usable, challenge.ACMEHTTP01)
	assert.Contains(t, rep.Usable, challenge.DNSTXT)

	l.add(`example.test. 300 IN CAA 0 issue "sectigo.com"`)
	rep = d.Diagnose(context.Background(), diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}})
	require.True(t, rep.Has(diagnose.CAAForbidden), codes(rep))
	assert.Empty(t, rep.Usable)
}

// TestDNSAccountOwnerFromAccountURL: the owner name of dns-account-01
// comes from the account URL (draft-ietf-acme-dns-account-label).
func TestDNSAccountOwnerFromAccountURL(t *testing.T) {
	l := newLab(t, 1)
	rep := l.diagnoser().Diagnose(context.Background(), diagnose.Request{Domain: "example.test", Method: challenge.DNSAccount01, AccountURI: accountURL})
	f := find(t, rep, diagnose.RecordOwner)
	assert.Equal(t, challenge.DNSAccountOwner("example.test", accountURL), f.Subject)
	assert.Contains(t, f.Message, `host record "`+strings.TrimSuffix(challenge.DNSAccountOwner("example.test", accountURL), ".example.test")+`"`)
}

// TestNameServerAtPrivateAddress: without AllowPrivate on the DNS client,
// name servers on loopback addresses are not asked (the address guard) and
// are reported as such, not as silent.
func TestNameServerAtPrivateAddress(t *testing.T) {
	l := newLab(t, 1)
	d := l.diagnoser()
	dc := l.dnsClient()
	dc.AllowPrivate = false
	d.DNS = dc
	rep := d.Diagnose(context.Background(), diagnose.Request{Domain: "example.test", Method: challenge.DNSTXT})
	f := find(t, rep, diagnose.NSLame)
	assert.Contains(t, f.Message, "not public")
	assert.False(t, rep.Has(diagnose.NSUnreachable), codes(rep))
}

// TestContextBoundsTheDiagnosis: when the context ends first, the report
// comes back at once, marked incomplete, with no finding made of the
// diagnosis' own impatience.
func TestContextBoundsTheDiagnosis(t *testing.T) {
	l := newLab(t, 2)
	web(l, verifytest.NewResponder())
	l.resolver.SetDelay(5 * time.Second) // far beyond the context
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep := l.diagnoser().Diagnose(ctx, diagnose.Request{Domain: "example.test", CA: []string{"letsencrypt"}})
	assert.Less(t, time.Since(start), 4*time.Second, "the context bounds the diagnosis")
	assert.False(t, rep.Complete(), codes(rep))
	assert.False(t, rep.HasErrors(), codes(rep))
}
