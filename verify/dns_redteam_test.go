package verify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// craft is an Exchanger that answers every query with what build makes of it.
type craft func(q *dns.Msg) *dns.Msg

func (f craft) Exchange(_ context.Context, q *dns.Msg) (*dns.Msg, error) { return f(q), nil }

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	require.NoError(t, err)
	return r
}

// reply answers q with the given records, rcode and flags.
func reply(q *dns.Msg, rcode int, tc bool, rrs ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Rcode = rcode
	m.Truncated = tc
	m.Answer = rrs
	return m
}

func TestRedteamTXTAnswerShapes(t *testing.T) {
	ctx := context.Background()
	const owner = "_dnsauth.example.com"
	cases := []struct {
		name string
		ex   verify.Exchanger
		kind error
	}{
		{"matching TXT owned by another name", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.evil.test. 60 IN TXT "v"`))
		}), verify.ErrNotFound},
		{"matching TXT owned by another name beside a wrong one", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "w"`), rr(t, `_dnsauth.evil.test. 60 IN TXT "v"`))
		}), verify.ErrMismatch},
		{"matching TXT in class CH", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 CH TXT "v"`))
		}), verify.ErrNotFound},
		{"right TXT with SERVFAIL", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeServerFailure, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"right TXT with NXDOMAIN", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeNameError, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrNotFound},
		{"right TXT with TC bit", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, true, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"right TXT for another question", craft(func(q *dns.Msg) *dns.Msg {
			m := reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
			m.Question[0].Name = "_dnsauth.evil.test."
			return m
		}), verify.ErrLookup},
		{"right TXT answering a CNAME question type", craft(func(q *dns.Msg) *dns.Msg {
			m := reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v"`))
			m.Question[0].Qtype = dns.TypeA
			return m
		}), verify.ErrLookup},
		{"CNAME loop", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN CNAME a.example.com.`), rr(t, `a.example.com. 60 IN CNAME _dnsauth.example.com.`))
		}), verify.ErrLookup},
		{"two CNAMEs at the owner", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN CNAME a.example.com.`), rr(t, `_dnsauth.example.com. 60 IN CNAME b.example.com.`),
				rr(t, `a.example.com. 60 IN TXT "v"`))
		}), verify.ErrLookup},
		{"value with trailing space", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "v "`))
		}), verify.ErrMismatch},
		{"value in other case", craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_dnsauth.example.com. 60 IN TXT "V"`))
		}), verify.ErrMismatch},
		{"nil response", verifyExFunc(func() (*dns.Msg, error) { return nil, nil }), verify.ErrLookup},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: tc.ex}
			r, err := v.VerifyTXT(ctx, owner, "v")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
}

type verifyExFunc func() (*dns.Msg, error)

func (f verifyExFunc) Exchange(context.Context, *dns.Msg) (*dns.Msg, error) { return f() }

// Judgement calls: these pass, and should. A CNAME at the owner is
// followed (BR 3.2.2.4.7 lets the applicant delegate the record, as
// every resolver does), and a wildcard TXT is how the zone owner chose
// to answer every name.
func TestRedteamTXTAcceptedShapes(t *testing.T) {
	ctx := context.Background()
	z := verifytest.NewZone().MustAdd(
		`_dnsauth.example.com. 60 IN CNAME x.dcv-delegate.test.`,
		`x.dcv-delegate.test. 60 IN TXT "v"`,
		`*.wild.example.org. 60 IN TXT "w"`,
	)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: z}
	_, err := v.VerifyTXT(ctx, "_dnsauth.example.com", "v")
	assert.NoError(t, err)
	_, err = v.VerifyTXT(ctx, "_dnsauth.wild.example.org", "w")
	assert.NoError(t, err)

	// Escapes are the bytes on the wire: a quote and a backslash.
	tx := &dns.TXT{Hdr: dns.RR_Header{Name: "_q.example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{`a\"b\\c\065`}}
	z.AddRR(tx)
	_, err = v.VerifyTXT(ctx, "_q.example.com", `a"b\cA`)
	assert.NoError(t, err)
	_, err = v.VerifyTXT(ctx, "_q.example.com", `a\"b\\c\065`)
	assert.ErrorIs(t, err, verify.ErrMismatch)

	// An empty expected value is bad input, never a match for an empty TXT.
	z.MustAdd(`_e.example.com. 60 IN TXT ""`)
	_, err = v.VerifyTXT(ctx, "_e.example.com", "")
	assert.ErrorIs(t, err, verify.ErrBadInput)
}

func TestRedteamCNAMEAnswerShapes(t *testing.T) {
	ctx := context.Background()
	want := "aaaa.bbbb.ssl.com."
	cases := map[string]verify.Exchanger{
		"target owned by another name": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_x.evil.test. 60 IN CNAME `+want))
		}),
		"right CNAME with SERVFAIL": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeServerFailure, false, rr(t, `_x.example.com. 60 IN CNAME `+want))
		}),
		"right CNAME truncated": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, true, rr(t, `_x.example.com. 60 IN CNAME `+want))
		}),
		"target further down the chain only": craft(func(q *dns.Msg) *dns.Msg {
			return reply(q, dns.RcodeSuccess, false, rr(t, `_x.example.com. 60 IN CNAME other.example.com.`), rr(t, `other.example.com. 60 IN CNAME `+want))
		}),
	}
	for name, ex := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := (&verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: ex}).VerifyCNAME(ctx, "_x.example.com", want)
			require.Error(t, err)
			assert.NotEqual(t, verify.Verified, r.Outcome)
		})
	}
}

func TestRedteamEmailCodes(t *testing.T) {
	c, err := builder().Email("example.com")
	require.NoError(t, err)
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, Now: func() time.Time { return now }}
	for _, code := range []string{"", " ", strings.ToUpper(c.Email.Code), strings.ToLower(c.Email.Code), c.Email.Code[:len(c.Email.Code)-1], c.Email.Code + "x"} {
		if code == c.Email.Code {
			continue
		}
		_, err := v.VerifyEmail(c, code)
		assert.ErrorIs(t, err, verify.ErrCodeMismatch, "code %q", code)
	}
	_, err = v.VerifyEmail(c, " "+c.Email.Code+"\n")
	assert.NoError(t, err, "surrounding whitespace from a paste is ignored")

	// A challenge emptied of its code is refused, not matched by "".
	c2 := *c
	c2.Email = &challenge.EmailSpec{Addresses: c.Email.Addresses}
	_, err = v.VerifyEmail(&c2, "")
	assert.ErrorIs(t, err, verify.ErrBadInput)
}
