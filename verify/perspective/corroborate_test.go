package perspective_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
	for _, tc := range []struct {
		at               time.Time
		remotes, regions int
		rule             string
	}{
		{day(2025, 9, 14), 0, 0, "none: BR 3.2.2.9 applies from 2025-09-15"},
		{day(2025, 9, 15), 2, 0, "BR 3.2.2.9 from 2025-09-15"},
		{day(2026, 3, 14).Add(23 * time.Hour), 2, 0, "BR 3.2.2.9 from 2025-09-15"},
		{day(2026, 3, 15), 3, 2, "BR 3.2.2.9 from 2026-03-15"},
		{day(2026, 6, 15), 4, 2, "BR 3.2.2.9 from 2026-06-15"},
		{day(2026, 12, 14).Add(23 * time.Hour), 4, 2, "BR 3.2.2.9 from 2026-06-15"},
		{day(2026, 12, 15), 5, 2, "BR 3.2.2.9 from 2026-12-15"},
		{day(2030, 1, 1), 5, 2, "BR 3.2.2.9 from 2026-12-15"},
	} {
		assert.Equal(t, perspective.Policy{MinRemotes: tc.remotes, MinRegions: tc.regions, Rule: tc.rule}, perspective.PolicyAt(tc.at), tc.at)
	}
	assert.Equal(t, perspective.BR2026(), perspective.PolicyAt(day(2026, 3, 15)))
	br := perspective.PolicyAt(day(2026, 12, 15))
	assert.True(t, perspective.Policy{MinRemotes: 4, MinRegions: 2}.WeakerThan(br))
	assert.True(t, perspective.Policy{MinRemotes: 9, MinRegions: 1}.WeakerThan(br))
	assert.False(t, perspective.Policy{MinRemotes: 5, MinRegions: 2}.WeakerThan(br))
	assert.False(t, perspective.Policy{MinRemotes: 6, MinRegions: 3}.WeakerThan(br))
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
	r := &perspective.Result{Label: "whatever", Determination: c.Determination, Verdict: f.verdict}
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
	return perspective.Check{Determination: perspective.DCV, TXT: &perspective.TXTCheck{Name: "_dnsauth.example.com", Value: "v"}}
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
	_, err = (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", "")}}).Run(ctx, perspective.Check{Determination: "dns"})
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
			if chk.Determination == perspective.CAA {
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

// A perspective's own claims about label and region count for nothing.
type claimer struct{ fake }

func (c *claimer) Run(ctx context.Context, chk perspective.Check) (*perspective.Result, error) {
	r, err := c.fake.Run(ctx, chk)
	if r != nil {
		r.Region = "APNIC"
		r.Label = "someone-else"
	}
	return r, err
}

func TestRegionsCountOnlyConfiguredCorroboratingRegions(t *testing.T) {
	remotes := []perspective.Perspective{
		pass("a", "ripe"), pass("b", " RIPE "), pass("c", "Ripe"),
		&claimer{fake{label: "d", verdict: perspective.Pass}},
		&fake{label: "e", region: "ARIN", verdict: perspective.Fail},
	}
	c := &perspective.Corroborator{Primary: pass("p", "LACNIC"), Remotes: remotes, Policy: perspective.Policy{MinRegions: 2}}
	rep, err := run(t, c)
	assert.ErrorIs(t, err, perspective.ErrPolicy)
	assert.Equal(t, []string{"RIPE"}, rep.Regions, "case and space variants are one region; a dissenter's, the primary's and a claimed region do not count")
	assert.Equal(t, "d", rep.Remotes[3].Label)
	assert.Empty(t, rep.Remotes[3].Region)
}

func TestQuorumBoundaries(t *testing.T) {
	for _, n := range []int{1, 2, 5, 6, 7} {
		allowed := perspective.AllowedNonCorroborating(n)
		for dissent := 0; dissent <= n; dissent++ {
			var rs []perspective.Perspective
			for i := 0; i < n; i++ {
				if i < dissent {
					rs = append(rs, &fake{label: fmt.Sprintf("r%d", i), verdict: perspective.Undecided})
				} else {
					rs = append(rs, pass(fmt.Sprintf("r%d", i), ""))
				}
			}
			rep, err := run(t, &perspective.Corroborator{Primary: pass("p", ""), Remotes: rs})
			if dissent <= allowed {
				assert.NoError(t, err, "n=%d dissent=%d", n, dissent)
				assert.True(t, rep.Corroborated)
			} else {
				assert.ErrorIs(t, err, perspective.ErrQuorum, "n=%d dissent=%d", n, dissent)
				assert.False(t, rep.Corroborated)
			}
			// The primary failing fails every case.
			rep, err = run(t, &perspective.Corroborator{Primary: failing("p"), Remotes: rs})
			assert.ErrorIs(t, err, perspective.ErrPrimaryFailed)
			assert.False(t, rep.Corroborated)
		}
	}
	assert.Equal(t, 1, perspective.AllowedNonCorroborating(2))
	assert.Equal(t, 2, perspective.AllowedNonCorroborating(6))
	assert.Equal(t, 0, perspective.AllowedNonCorroborating(-3))
}

func TestOddAnswersNeverPass(t *testing.T) {
	// A primary with a bare pass verdict, or (nil, nil), or a panic, or
	// an answer of the wrong kind never passes.
	for name, p := range map[string]*fake{
		"bare pass": {label: "p", verdict: perspective.Pass, bareVerdict: true},
		"nil, nil":  {label: "p", nilResult: true},
		"panic":     {label: "p", panics: true},
		"error":     {label: "p", err: errors.New("x")},
	} {
		rep, err := run(t, &perspective.Corroborator{Primary: p, Remotes: []perspective.Perspective{pass("r", "")}})
		assert.ErrorIs(t, err, perspective.ErrPrimaryFailed, name)
		assert.False(t, rep.Corroborated, name)
	}
	// A perspective that answers a caa result to a dcv check.
	wrongKind := &funcPerspective{label: "wk", run: func(ctx context.Context, c perspective.Check) (*perspective.Result, error) {
		return &perspective.Result{Determination: perspective.CAA, Verdict: perspective.Pass, CAA: &caa.Decision{Permitted: true}}, nil
	}}
	rep, err := run(t, &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{wrongKind}})
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	assert.Equal(t, 0, rep.Corroborating)
}

type funcPerspective struct {
	label, region string
	run           func(ctx context.Context, c perspective.Check) (*perspective.Result, error)
}

func (f *funcPerspective) Info() perspective.Info {
	return perspective.Info{Label: f.label, Region: f.region}
}
func (f *funcPerspective) Run(ctx context.Context, c perspective.Check) (*perspective.Result, error) {
	return f.run(ctx, c)
}

func TestCorroboratorRefusesOneServerTwice(t *testing.T) {
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	srv := serveHandler(t, &perspective.Handler{Key: testKey, Local: s.local})
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	// The same handler under other spellings of its URL: one remote, so it
	// must not count twice toward the quorum or MinRemotes.
	for _, other := range []string{
		srv.URL, srv.URL + "/", srv.URL + perspective.CheckPath, srv.URL + "//",
		"HTTP://127.0.0.1:" + port, "http://127.0.0.1:" + port + "/v2/../v2/check", "http://127.0.0.1:" + port + "/other",
	} {
		c := &perspective.Corroborator{
			Primary: pass("p", ""),
			Remotes: []perspective.Perspective{
				&perspective.Remote{URL: srv.URL, Key: testKey, Label: "eu", Region: "RIPE"},
				&perspective.Remote{URL: other, Key: testKey, Label: "us", Region: "ARIN"},
			},
			Policy: perspective.Policy{MinRemotes: 2, MinRegions: 2},
		}
		rep, err := run(t, c)
		assert.ErrorIs(t, err, perspective.ErrConfig, other)
		assert.False(t, rep != nil && rep.Corroborated, other)
	}
	// Any Perspective that names its endpoint is deduplicated by it, not
	// only a *Remote.
	c := &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{
		&endpointed{fake: *pass("x", "RIPE"), endpoint: "10.0.0.1:443"},
		&endpointed{fake: *pass("y", "ARIN"), endpoint: "10.0.0.1:443"},
	}}
	_, err := run(t, c)
	assert.ErrorIs(t, err, perspective.ErrConfig)
	c.Remotes[1] = &endpointed{fake: *pass("y", "ARIN"), endpoint: "10.0.0.2:443"}
	_, err = run(t, c)
	assert.NoError(t, err)
}

// endpointed is a perspective of another type that names its endpoint.
type endpointed struct {
	fake
	endpoint string
}

func (e *endpointed) Info() perspective.Info {
	i := e.fake.Info()
	i.Endpoint = e.endpoint
	return i
}

func TestCancelledAndLateAnswersNeverPass(t *testing.T) {
	// Cancelled before Run: perspectives that honour ctx cannot pass.
	s := newSite(t, "eu-1", "RIPE", newFixture(t).honest)
	s.zone.MustAdd(`_dnsauth.example.com. 300 IN TXT "v"`)
	r := s.serve(t, testKey)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Label = "eu-remote"
	rep, err := (&perspective.Corroborator{Primary: s.local, Remotes: []perspective.Perspective{r}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrNotCorroborated)
	require.NotNil(t, rep)
	assert.False(t, rep.Corroborated)

	// A remote that answers "pass" after the deadline changes nothing in
	// the report already returned.
	release := make(chan struct{})
	late := &fake{label: "late", verdict: perspective.Pass, hang: true, release: release}
	c := &perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{late}, Timeout: 50 * time.Millisecond}
	rep, err = c.Run(context.Background(), txtCheck())
	assert.ErrorIs(t, err, perspective.ErrQuorum)
	close(release)
	time.Sleep(20 * time.Millisecond) // let the late goroutine send (race detector watches)
	assert.Equal(t, perspective.Undecided, rep.Remotes[0].Verdict)
	assert.False(t, rep.Corroborated)
	assert.Equal(t, 0, rep.Corroborating)
}

func TestCorroboratorRefusesEmptyAndNilPerspectives(t *testing.T) {
	ctx := ctx5s(t)
	// Zero remotes is a configuration error, never "corroborated by none".
	for _, rs := range [][]perspective.Perspective{nil, {}} {
		rep, err := (&perspective.Corroborator{Primary: pass("p", ""), Remotes: rs}).Run(ctx, txtCheck())
		assert.ErrorIs(t, err, perspective.ErrConfig)
		assert.Nil(t, rep)
	}
	// Typed nil perspectives are refused, not dereferenced.
	for name, p := range map[string]perspective.Perspective{
		"nil remote": (*perspective.Remote)(nil),
		"nil local":  (*perspective.Local)(nil),
		"nil fake":   (*fake)(nil),
	} {
		assert.NotPanics(t, func() {
			_, err := (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", ""), p}}).Run(ctx, txtCheck())
			assert.ErrorIs(t, err, perspective.ErrConfig, name)
		}, name)
		assert.NotPanics(t, func() {
			_, err := (&perspective.Corroborator{Primary: p, Remotes: []perspective.Perspective{pass("r", "")}}).Run(ctx, txtCheck())
			assert.ErrorIs(t, err, perspective.ErrConfig, name)
		}, name)
	}
	// Negative minimums.
	_, err := (&perspective.Corroborator{Primary: pass("p", ""), Remotes: []perspective.Perspective{pass("r", "")}, Policy: perspective.Policy{MinRegions: -1}}).Run(ctx, txtCheck())
	assert.ErrorIs(t, err, perspective.ErrConfig)
}
