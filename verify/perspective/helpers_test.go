package perspective_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
	"github.com/dcvkit/dcv/verify/verifytest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef-test-key")

// view is what one perspective sees of example.com: a TXT value at
// _dnsauth, a file body, and the CA its CAA record names.
type view struct {
	txt, file, caaIssuer string
}

// site is one perspective's own network: a loopback DNS server and HTTP(S)
// servers, and a Local perspective that uses only them.
type site struct {
	zone  *verifytest.Zone
	dns   *verifytest.DNSServer
	web   *verifytest.Web
	files *verifytest.Responder
	local *perspective.Local
}

func newSite(t testing.TB, label, region string, v view) *site {
	t.Helper()
	s := &site{zone: verifytest.NewZone(), files: verifytest.NewResponder()}
	s.zone.MustAdd(
		`example.com. 300 IN A 127.0.0.1`,
		`www.example.com. 300 IN A 127.0.0.1`,
		fmt.Sprintf(`_dnsauth.example.com. 300 IN TXT %q`, v.txt),
		fmt.Sprintf(`example.com. 300 IN CAA 0 issue %q`, v.caaIssuer),
	)
	s.files.Set(challenge.FileAuthPath, v.file)
	var err error
	s.dns, err = verifytest.NewDNSServer(s.zone)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.dns.Close() })
	s.web = verifytest.NewWeb(s.files)
	t.Cleanup(s.web.Close)
	dc := &verify.DNSClient{Servers: []string{s.dns.Addr()}}
	s.local = &perspective.Local{
		Label:    label,
		Region:   region,
		Verifier: &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: dc, HTTP: &verify.HTTPClient{DNSSEC: verify.DNSSECOff, DNS: dc, AllowPrivate: true, Dial: s.web.Dial}},
		CAA:      &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: dc},
	}
	return s
}

// serve deploys s behind a Handler with testKey on loopback and returns a
// Remote for it that signs with key.
func (s *site) serve(t testing.TB, key []byte) *perspective.Remote {
	t.Helper()
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: s.local})
	info := s.local.Info()
	return &perspective.Remote{URL: srv.URL, Key: key, Label: info.Label, Region: info.Region}
}

// serveHandler serves h on loopback, its URL (its identity) set to the
// address it listens on unless the test set one.
func serveHandler(t testing.TB, h *perspective.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if h.URL == "" {
		h.URL = "http://" + srv.Listener.Addr().String()
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// challenges for example.com whose values the honest views publish.
type fixture struct {
	txt, file *challenge.Challenge
	honest    view
	hijacked  view
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	txt, err := challenge.Builder{}.DNSTXT("example.com")
	require.NoError(t, err)
	file, err := challenge.Builder{}.File("example.com")
	require.NoError(t, err)
	return fixture{
		txt: txt, file: file,
		honest:   view{txt: txt.Record.Value, file: file.File.Content, caaIssuer: "ssl.com"},
		hijacked: view{txt: "attacker-value", file: "attacker-file", caaIssuer: "letsencrypt.org"},
	}
}

func caaCheck() perspective.Check {
	return perspective.Check{Determination: perspective.CAA, CAA: &caa.Request{Domain: "example.com", Issuers: []string{"ssl.com"}}}
}

func dcvCheck(c *challenge.Challenge) perspective.Check {
	return perspective.Check{Determination: perspective.DCV, Challenge: c}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
