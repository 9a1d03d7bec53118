package perspective_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

func TestAllowedNonCorroborating(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 0, 2: 1, 3: 1, 4: 1, 5: 1, 6: 2, 7: 2, 20: 2} {
		assert.Equal(t, want, perspective.AllowedNonCorroborating(n), "remotes %d", n)
	}
}

func TestPolicyAt(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	assert.Equal(t, perspective.Policy{}, perspective.PolicyAt(day(2025, 9, 14)))
	assert.Equal(t, perspective.Policy{MinRemotes: 2}, perspective.PolicyAt(day(2025, 9, 15)))
	assert.Equal(t, perspective.Policy{MinRemotes: 2}, perspective.PolicyAt(day(2026, 3, 14).Add(23*time.Hour)))
	assert.Equal(t, perspective.BR2026(), perspective.PolicyAt(day(2026, 3, 15)))
	assert.Equal(t, perspective.Policy{MinRemotes: 3, MinRegions: 2}, perspective.BR2026())
	assert.Equal(t, perspective.Policy{MinRemotes: 4, MinRegions: 2}, perspective.PolicyAt(day(2026, 6, 15)))
	assert.Equal(t, perspective.Policy{MinRemotes: 5, MinRegions: 2}, perspective.PolicyAt(day(2026, 12, 15)))
	assert.Equal(t, perspective.Policy{MinRemotes: 5, MinRegions: 2}, perspective.PolicyAt(day(2030, 1, 1)))
}

// fake is a perspective with a scripted answer.
type fake struct {
	label, region string
	verdict       perspective.Verdict
	err           error
	hang          bool // ignore ctx and never answer (until the test ends)
	panics        bool
	nilResult     bool
	bareVerdict   bool // a pass verdict without evidence
	release       chan struct{}
}

func (f *fake) Info() perspective.Info { return perspective.Info{Label: f.label, Region: f.region} }

func (f *fake) Run(ctx context.Context, c perspective.Check) (*perspective.Result, error) {
	switch {
	case f.hang:
		<-f.release
	case f.panics:
		panic("boom")
	case f.err != nil:
		return nil, f.err
	case f.nilResult:
		return nil, nil
	}
	r := &perspective.Result{Label: "whatever", Kind: c.Kind, Verdict: f.verdict}
	if f.bareVerdict {
		return r, nil
	}
	outcome := verify.NotVerified
	if f.verdict == perspective.Pass {
		outcome = verify.Verified
	} else if f.verdict == perspective.Undecided {
		outcome = verify.Undecided
	}
	r.DCV = &verify.Result{Outcome: outcome}
	r.CAA = &caa.Decision{Permitted: f.verdict == perspective.Pass}
	return r, nil
}

func pass(label, region string) *fake {
	return &fake{label: label, region: region, verdict: perspective.Pass}
}
func failing(label string) *fake { return &fake{label: label, verdict: perspective.Fail} }

func txtCheck() perspective.Check {
	return perspective.Check{Kind: perspective.KindDCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}}
}

func run(t *testing.T, c *perspective.Corroborator) (*perspective.Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Run(ctx, txtCheck())
}

func TestQuorumWithFakes(t *testing.T) {
	remotes := func(ps ...*fake) []perspective.Perspective {
		out := make([]perspective.Perspective, len(ps))
		for i, p := range ps {
			out[i] = p
		}
		return out
	}
	cases := []struct {
		name    string
		primary *fake
		remotes []perspective.Perspective
		policy  perspective.Policy
		ok      bool
		is      []error
	}{
		{"one remote agrees", pass("p", ""), remotes(pass("r1", "")), perspective.Policy{}, true, nil},
		{"one remote dissents", pass("p", ""), remotes(failing("r1")), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"2 of 3", pass("p", ""), remotes(pass("r1", ""), pass("r2", ""), failing("r3")), perspective.Policy{}, true, nil},
		{"1 of 3", pass("p", ""), remotes(pass("r1", ""), failing("r2"), failing("r3")), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"4 of 6", pass("p", ""), remotes(pass("r1", ""), pass("r2", ""), pass("r3", ""), pass("r4", ""), failing("r5"), failing("r6")), perspective.Policy{}, true, nil},
		{"3 of 6", pass("p", ""), remotes(pass("r1", ""), pass("r2", ""), pass("r3", ""), failing("r4"), failing("r5"), failing("r6")), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"primary fails", failing("p"), remotes(pass("r1", ""), pass("r2", "")), perspective.Policy{}, false, []error{perspective.ErrPrimaryFailed}},
		{"primary errors", &fake{label: "p", err: errors.New("resolver down")}, remotes(pass("r1", "")), perspective.Policy{}, false, []error{perspective.ErrPrimaryFailed}},
		{"errors count against", pass("p", ""), remotes(pass("r1", ""), &fake{label: "r2", err: errors.New("x")}, &fake{label: "r3", err: errors.New("y")}), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"undecided counts against", pass("p", ""), remotes(pass("r1", ""), &fake{label: "r2", verdict: perspective.Undecided}), perspective.Policy{}, true, nil},
		{"panic and nil result count against", pass("p", ""), remotes(pass("r1", ""), &fake{label: "r2", panics: true}, &fake{label: "r3", nilResult: true}), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"pass without evidence counts against", pass("p", ""), remotes(&fake{label: "r1", verdict: perspective.Pass, bareVerdict: true}), perspective.Policy{}, false, []error{perspective.ErrQuorum}},
		{"BR2026 met", pass("p", "ARIN"), remotes(pass("r1", "arin"), pass("r2", "RIPE"), failing("r3")), perspective.BR2026(), true, nil},
		{"BR2026 too few remotes", pass("p", ""), remotes(pass("r1", "ARIN"), pass("r2", "RIPE")), perspective.BR2026(), false, []error{perspective.ErrPolicy}},
		{"BR2026 one region", pass("p", "RIPE"), remotes(pass("r1", "ARIN"), pass("r2", " arin "), &fake{label: "r3", region: "RIPE", verdict: perspective.Fail}), perspective.BR2026(), false, []error{perspective.ErrPolicy}},
		{"everything wrong", failing("p"), remotes(failing("r1"), failing("r2")), perspective.BR2026(), false, []error{perspective.ErrPrimaryFailed, perspective.ErrQuorum, perspective.ErrPolicy}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := run(t, &perspective.Corroborator{Primary: tc.primary, Remotes: tc.remotes, Policy: tc.policy})
			require.NotNil(t, rep)
			assert.Equal(t, tc.ok, rep.Corroborated, rep.Reason)
			assert.Equal(t, tc.ok, err == nil, "error %v", err)
			require.Len(t, rep.Remotes, len(tc.remotes))
			assert.Equal(t, len(tc.remotes), rep.Corroborating+rep.NonCorroborating)
			if tc.ok {
				assert.Contains(t, rep.Reason, "corroborated:")
				return
			}
			assert.ErrorIs(t, err, perspective.ErrNotCorroborated)
			for _, want := range tc.is {
				assert.ErrorIs(t, err, want)
			}
			assert.Contains(t, rep.Reason, "not corroborated:")
		})
	}
}

func TestReportDetails(t *testing.T) {
	c := &perspective.Corroborator{
		Primary: pass("primary", "ARIN"),
		Remotes: []perspective.Perspective{pass("eu", "RIPE"), pass("us", "ARIN"), &fake{label: "ap", region: "APNIC", err: errors.New("connection refused")}},
		Policy:  perspective.BR2026(),
	}
	rep, err := run(t, c)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Corroborating)
	assert.Equal(t, 1, rep.NonCorroborating)
	assert.Equal(t, 1, rep.Allowed)
	assert.Equal(t, []string{"ARIN", "RIPE"}, rep.Regions)
	// Labels come from the configuration, not from what the perspective said.
	assert.Equal(t, "primary", rep.Primary.Label)
	assert.Equal(t, []string{"eu", "us", "ap"}, []string{rep.Remotes[0].Label, rep.Remotes[1].Label, rep.Remotes[2].Label})
	ap := rep.Remotes[2]
	assert.Equal(t, perspective.Undecided, ap.Verdict)
	assert.Contains(t, ap.Error, "connection refused")
	assert.Equal(t, "could not decide", ap.Outcome())
	assert.Contains(t, rep.Reason, "ap: could not decide")
	assert.Contains(t, rep.Reason, "regions ARIN, RIPE")
}

func TestHangingPerspectiveCountsAgainst(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := &perspective.Corroborator{
		Primary: pass("p", ""),
		Remotes: []perspective.Perspective{pass("r1", ""), &fake{label: "stuck", hang: true, release: release}},
		Timeout: 100 * time.Millisecond,
	}
	rep, err := c.Run(context.Background(), txtCheck())
	require.NoError(t, err) // 1 of 2 may dissent
	assert.Equal(t, perspective.Undecided, rep.Remotes[1].Verdict)
	assert.Contains(t, rep.Remotes[1].Error, "no answer")

	c.Remotes = c.Remotes[1:]
	rep, err = c.Run(context.Background(), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	assert.False(t, rep.Corroborated)
}

func TestCorroboratorConfig(t *testing.T) {
	ctx := context.Background()
	_, err := (&perspective.Corroborator{Remotes: []perspective.Perspective{pass("r", "")}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
	_, err = (&perspective.Corroborator{Primary: pass("p", "")}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
	_, err = (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("p", "")}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
	_, err = (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{nil}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
	_, err = (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", "")}}).Run(ctx, perspective.Check{Kind: "dns"})
	assert.ErrorIs(t, err, perspective.ErrBadCheck)
}

// remotes builds the loopback remotes for views, each with its own DNS and
// HTTP servers and its own Handler.
func remotes(t *testing.T, views ...view) []perspective.Perspective {
	regions := []string{"RIPE", "APNIC", "ARIN", "LACNIC", "AFRINIC"}
	var out []perspective.Perspective
	for i, v := range views {
		s := newSite(t, "remote-"+regions[i%len(regions)], regions[i%len(regions)], v)
		out = append(out, s.serve(t, testKey))
	}
	return out
}

func TestLoopbackQuorum(t *testing.T) {
	fx := newFixture(t)
	h, x := fx.honest, fx.hijacked
	primary := newSite(t, "primary", "ARIN", h).local
	checks := map[string]perspective.Check{
		"dns-txt": dcvCheck(fx.txt),
		"file":    dcvCheck(fx.file),
		"caa":     caaCheck(),
	}
	for name, chk := range checks {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			// One hijacked remote out of three: corroborated.
			c := &perspective.Corroborator{Primary: primary, Remotes: remotes(t, h, x, h), Policy: perspective.BR2026()}
			rep, err := c.Run(ctx, chk)
			require.NoError(t, err, "%+v", rep)
			assert.True(t, rep.Corroborated)
			assert.Equal(t, 2, rep.Corroborating)
			assert.Equal(t, perspective.Fail, rep.Remotes[1].Verdict, rep.Remotes[1].Error)
			assert.Equal(t, "remote-APNIC (APNIC)", rep.Remotes[1].ServedBy)
			assert.Equal(t, []string{"ARIN", "RIPE"}, rep.Regions)
			assert.Contains(t, rep.Reason, "remote-APNIC: ")
			if chk.Kind == perspective.KindCAA {
				require.NotNil(t, rep.Remotes[1].CAA)
				assert.False(t, rep.Remotes[1].CAA.Permitted)
				assert.Equal(t, "forbidden", rep.Remotes[1].Outcome())
			} else {
				require.NotNil(t, rep.Remotes[1].DCV)
				assert.Equal(t, verify.NotVerified, rep.Remotes[1].DCV.Outcome)
				assert.NotEmpty(t, rep.Remotes[1].DCV.Evidence)
				assert.NotEmpty(t, rep.Primary.DCV.Evidence)
			}

			// Two hijacked out of three: refused.
			c.Remotes = remotes(t, h, x, x)
			rep, err = c.Run(ctx, chk)
			assert.ErrorIs(t, err, perspective.ErrQuorum)
			assert.False(t, rep.Corroborated)
			assert.Equal(t, 2, rep.NonCorroborating)

			// The primary hijacked: refused although every remote agrees.
			c.Primary = newSite(t, "primary-hijacked", "ARIN", x).local
			c.Remotes = remotes(t, h, h, h)
			rep, err = c.Run(ctx, chk)
			assert.ErrorIs(t, err, perspective.ErrPrimaryFailed)
			assert.NotErrorIs(t, err, perspective.ErrQuorum)
			assert.Equal(t, 3, rep.Corroborating)
			assert.False(t, rep.Corroborated)
			c.Primary = primary
		})
	}
}

// deadURL returns a loopback URL where nothing listens.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

func TestLoopbackDeadPerspectives(t *testing.T) {
	fx := newFixture(t)
	h, x := fx.honest, fx.hijacked
	primary := newSite(t, "primary", "ARIN", h).local
	dead := &perspective.Remote{URL: deadURL(t), Key: testKey, Label: "dead", Region: "RIPE"}
	block := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(block) })
	hung := &perspective.Remote{URL: hang.URL, Key: testKey, Label: "hung", Region: "APNIC"}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A dead remote beside two honest ones: corroborated, the dead one
	// listed as could not decide.
	c := &perspective.Corroborator{Primary: primary, Remotes: append(remotes(t, h, h), dead)}
	rep, err := c.Run(ctx, dcvCheck(fx.txt))
	require.NoError(t, err)
	assert.Equal(t, perspective.Undecided, rep.Remotes[2].Verdict)
	assert.Contains(t, rep.Remotes[2].Error, "unreachable")

	// Dead plus hijacked: refused.
	c.Remotes = append(remotes(t, h, x), dead)
	_, err = c.Run(ctx, dcvCheck(fx.txt))
	assert.ErrorIs(t, err, perspective.ErrQuorum)

	// A handler that hangs counts against too, once the deadline passes.
	short, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	c.Remotes = append(remotes(t, h), hung, dead)
	rep, err = c.Run(short, dcvCheck(fx.txt))
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	assert.Equal(t, perspective.Undecided, rep.Remotes[1].Verdict)
	assert.Equal(t, perspective.Pass, rep.Remotes[0].Verdict)
}
