package dnstest

import (
	"context"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	z := NewZone().MustAdd(`_dnsauth.example.com. 300 IN TXT "abc"`)
	s, err := NewServer(z)
	require.NoError(t, err)
	defer s.Close()
	m := new(dns.Msg).SetQuestion("_dnsauth.EXAMPLE.com.", dns.TypeTXT)
	for _, net := range []string{"udp", "tcp"} {
		r, _, err := (&dns.Client{Net: net}).Exchange(m, s.Addr())
		require.NoError(t, err)
		require.Len(t, r.Answer, 1)
	}
	r, err := z.Exchange(context.Background(), m)
	require.NoError(t, err)
	require.Len(t, r.Answer, 1)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
}
