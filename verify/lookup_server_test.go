package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvidenceNamesTheServerThatAnswered(t *testing.T) {
	z := verifytest.NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	s, err := verifytest.NewDNSServer(z)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	closed := dnsTClosedAddr(t)

	v := &verify.Verifier{DNS: &verify.DNSClient{Servers: []string{closed, s.Addr()}, Timeout: time.Second}, DNSSEC: verify.DNSSECOff}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.NoError(t, err)
	require.NotEmpty(t, r.Evidence)
	for _, ev := range r.Evidence {
		assert.Equal(t, s.Addr(), ev.Server, "the one server that answered, not the list")
	}

	_, err = v.VerifyTXT(ctx, "_dnsauth.example.com", "other")
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, verify.ErrMismatch)
	assert.Equal(t, s.Addr(), e.Server)
}

func TestRefusedDNSServerIsADNSProblem(t *testing.T) {
	closed := dnsTClosedAddr(t)
	v := &verify.Verifier{DNS: &verify.DNSClient{Servers: []string{closed}, Timeout: time.Second, Attempts: 1}, DNSSEC: verify.DNSSECOff}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	require.Error(t, err)
	assert.ErrorIs(t, err, verify.ErrConnection)
	var e *verify.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, closed, e.Server)
	assert.NotContains(t, e.Hint, "80/443", "the web server is not to blame")
	assert.Contains(t, e.Hint, "DNS server")
	assert.Equal(t, e.Hint, r.Hint)
	require.Len(t, r.Evidence, 1)
	assert.Equal(t, closed, r.Evidence[0].Server)
}

// dnameOnly answers as a server that sends a DNAME without the
// synthesized CNAME.
type dnameOnly struct{ t *testing.T }

func (d dnameOnly) Exchange(_ context.Context, m *dns.Msg) (*dns.Msg, error) {
	out := new(dns.Msg).SetReply(m)
	switch m.Question[0].Name {
	case "_dnsauth.old.example.":
		r, err := dns.NewRR(`old.example. 60 IN DNAME new.example.`)
		require.NoError(d.t, err)
		out.Answer = []dns.RR{r}
	case "_dnsauth.new.example.":
		r, err := dns.NewRR(`_dnsauth.new.example. 60 IN TXT "v"`)
		require.NoError(d.t, err)
		out.Answer = []dns.RR{r}
	default:
		out.Rcode = dns.RcodeNameError
	}
	return out, nil
}

func TestVerifyFollowsDNAME(t *testing.T) {
	// One policy with caa: a DNAME is followed to the records it leads to.
	v := &verify.Verifier{DNS: dnameOnly{t}, DNSSEC: verify.DNSSECOff}
	r, err := v.VerifyTXT(context.Background(), "_dnsauth.old.example", "v")
	require.NoError(t, err)
	assert.Len(t, r.Evidence, 2, "the DNAME's target is asked")
}
