package dnssectest

import (
	"crypto"
	"encoding/base64"
	"math/rand/v2"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key whose tag is 0 cannot sign (miekg/dns refuses it): NewKey draws
// another instead of handing it out.
func TestNewKeyNeverGivesAKeyTagOfZero(t *testing.T) {
	calls := 0
	k, err := newKey("example.com.", dns.ECDSAP256SHA256, false, 0, func(k *dns.DNSKEY, bits int) (crypto.PrivateKey, error) {
		calls++
		priv, err := k.Generate(bits)
		if calls == 1 {
			// Make the first draw's public key one whose tag is 0.
			// Tags of random keys are spread evenly: one in 65,536 is 0.
			rnd := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 64)
			for {
				for i := range b {
					b[i] = byte(rnd.Uint32())
				}
				if k.PublicKey = base64.StdEncoding.EncodeToString(b); k.KeyTag() == 0 {
					break
				}
			}
		}
		return priv, err
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "the key of tag 0 was drawn again")
	assert.NotZero(t, k.DNSKEY.KeyTag())
	a := &dns.A{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{192, 0, 2, 1}}
	_, err = k.Sign([]dns.RR{a}, "example.com.", 0, 1<<31)
	assert.NoError(t, err)
}
