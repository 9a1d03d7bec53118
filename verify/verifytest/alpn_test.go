package verifytest_test

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify/verifytest"
)

func alpnDial(t *testing.T, r *verifytest.ALPNResponder, sni string, protos ...string) (tls.ConnectionState, error) {
	t.Helper()
	conn, err := r.Dial(context.Background(), "tcp", "127.0.0.1:443")
	require.NoError(t, err)
	tc := tls.Client(conn, &tls.Config{ServerName: sni, NextProtos: protos, InsecureSkipVerify: true})
	defer tc.Close()
	err = tc.Handshake()
	return tc.ConnectionState(), err
}

func TestALPNResponder(t *testing.T) {
	r, err := verifytest.NewALPNResponder()
	require.NoError(t, err)
	defer r.Close()
	const ka = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	require.NoError(t, r.Set("Example.com.", ka, verifytest.ALPNExtraSAN))

	cs, err := alpnDial(t, r, "example.com", challenge.ACMETLSProtocol)
	require.NoError(t, err)
	assert.Equal(t, challenge.ACMETLSProtocol, cs.NegotiatedProtocol)
	assert.Len(t, cs.PeerCertificates[0].DNSNames, 2, "the configured fault")

	_, err = alpnDial(t, r, "other.example", challenge.ACMETLSProtocol)
	assert.ErrorContains(t, err, "no application protocol", "an unknown name is a plain HTTPS server")
	cs, err = alpnDial(t, r, "example.com", "http/1.1")
	require.NoError(t, err, "a browser still gets a handshake")
	assert.Equal(t, "http/1.1", cs.NegotiatedProtocol)

	require.NoError(t, r.Set("example.com", ka, verifytest.ALPNNoALPN))
	cs, err = alpnDial(t, r, "example.com", challenge.ACMETLSProtocol)
	require.NoError(t, err)
	assert.Empty(t, cs.NegotiatedProtocol)
	assert.Equal(t, 4, r.Handshakes())

	r.Remove("example.com")
	_, err = alpnDial(t, r, "example.com", challenge.ACMETLSProtocol)
	assert.Error(t, err)
	_, err = r.Dial(context.Background(), "tcp", "127.0.0.1:80")
	assert.Error(t, err, "only 443")
	assert.Error(t, r.Set("example.com", ka, verifytest.ALPNFault(99)))
	r.Close()
	r.Close() // twice is fine
}
