package verifytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/challenge"
)

// Publish does what the applicant would: it adds the challenge's DNS record
// to z, or serves its file on r. Email challenges have nothing to publish;
// a tls-alpn-01 challenge is served by an ALPNResponder (Set).
func Publish(z *Zone, r *Responder, c *challenge.Challenge) error {
	switch {
	case c.Record != nil && c.Record.Type == "TXT":
		// Built as an RR, not zone-file text, so no value needs quoting.
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(c.Record.Name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 300}}
		for v := c.Record.Value; v != ""; {
			n := min(len(v), 255) // one character-string holds 255 bytes
			rr.Txt = append(rr.Txt, v[:n])
			v = v[n:]
		}
		z.AddRR(rr)
		return nil
	case c.Record != nil:
		return z.Add(fmt.Sprintf("%s 300 IN %s %s", c.Record.Name, c.Record.Type, c.Record.Value))
	case c.File != nil:
		r.Set(c.File.Path, c.File.Content)
	}
	return nil
}

// Web serves one handler on loopback over HTTP and HTTPS, and dials for
// verify.HTTPClient: the port policy allows only 80 and 443, so tests
// resolve names to loopback addresses and Web.Dial sends port 80 to its
// HTTP server and 443 to its HTTPS server. Set HTTPClient.AllowPrivate too.
type Web struct {
	HTTP  *httptest.Server // serves port 80's requests
	HTTPS *httptest.Server // serves port 443's requests, with httptest's certificate
}

// NewWeb starts both servers. Close them with Close.
func NewWeb(h http.Handler) *Web {
	return &Web{HTTP: httptest.NewServer(h), HTTPS: httptest.NewTLSServer(h)}
}

// Dial connects a vetted "ip:port" to the matching server: port 80 to
// HTTP, 443 to HTTPS. Any other port is refused, as nothing listens there.
func (w *Web) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var to string
	switch {
	case strings.HasSuffix(addr, ":80"):
		to = w.HTTP.Listener.Addr().String()
	case strings.HasSuffix(addr, ":443"):
		to = w.HTTPS.Listener.Addr().String()
	default:
		return nil, fmt.Errorf("verifytest: nothing listens on %s", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// Close stops both servers.
func (w *Web) Close() {
	w.HTTP.Close()
	w.HTTPS.Close()
}
