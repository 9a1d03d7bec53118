package perspective

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Policy sets minimums beyond the quorum. The zero value sets none.
type Policy struct {
	// MinRemotes is the least number of remote perspectives that must be
	// used (configured and asked), whatever their answers.
	MinRemotes int `json:"min_remotes"`
	// MinRegions is the least number of distinct regions (RIRs) among the
	// remotes that corroborate. Empty regions do not count.
	MinRegions int `json:"min_regions"`
	// Rule says where the minimums come from, for the record: PolicyAt
	// names the BR phase it applies ("BR 3.2.2.9 from 2026-06-15").
	Rule string `json:"rule,omitempty"`
}

// WeakerThan reports whether p asks for fewer remotes or fewer regions
// than q.
func (p Policy) WeakerThan(q Policy) bool {
	return p.MinRemotes < q.MinRemotes || p.MinRegions < q.MinRegions
}

// BR2026 is the BR 3.2.2.9 policy from 2026-03-15: at least 3 remote
// perspectives, the corroborating ones in at least 2 RIRs.
func BR2026() Policy { return Policy{MinRemotes: 3, MinRegions: 2, Rule: "BR 3.2.2.9 from 2026-03-15"} }

// PolicyAt returns the BR 3.2.2.9 minimums in force at t: none before
// 2025-09-15, then 2 remotes; from 2026-03-15 3 remotes in 2 RIRs; from
// 2026-06-15 4; from 2026-12-15 5. Rule names the phase.
func PolicyAt(t time.Time) Policy {
	phases := []struct {
		from string
		p    Policy
	}{
		{"2026-12-15", Policy{MinRemotes: 5, MinRegions: 2}},
		{"2026-06-15", Policy{MinRemotes: 4, MinRegions: 2}},
		{"2026-03-15", Policy{MinRemotes: 3, MinRegions: 2}},
		{"2025-09-15", Policy{MinRemotes: 2}},
	}
	for _, ph := range phases {
		from, _ := time.Parse(time.DateOnly, ph.from)
		if !t.Before(from) {
			ph.p.Rule = "BR 3.2.2.9 from " + ph.from
			return ph.p
		}
	}
	return Policy{Rule: "none: BR 3.2.2.9 applies from 2025-09-15"}
}

// AllowedNonCorroborating is the BR 3.2.2.9 quorum: how many of n remote
// perspectives may fail to corroborate. 2 to 5 remotes allow 1, 6 or more
// allow 2. The BR start at 2 remotes; this library lets a single remote be
// used and requires it to corroborate (0 allowed).
func AllowedNonCorroborating(n int) int {
	switch {
	case n >= 6:
		return 2
	case n >= 2:
		return 1
	}
	return 0
}

// DefaultCorroborationTimeout bounds a Run whose ctx has no deadline.
const DefaultCorroborationTimeout = 30 * time.Second

// Corroborator repeats a check from every perspective at once and applies
// the quorum and the policy. The primary must pass; each remote
// corroborates only by passing too (DCV verified, CAA permitted). A remote
// that fails, errors, times out or is unreachable counts against the
// quorum, never for it. Labels must be distinct, and so must the
// endpoints the perspectives name in Info (for a Remote, its host and
// port): one server listed twice is refused (ErrConfig). Two names or
// addresses for one machine cannot be told apart here; like the BR's
// 500 km, that is the deployment's to ensure.
type Corroborator struct {
	Primary Perspective   // the CA's own perspective; it must succeed
	Remotes []Perspective // the remote perspectives
	Policy  Policy        // how many remotes must agree, from how many regions
	Timeout time.Duration // when ctx has no deadline; 0 means DefaultCorroborationTimeout
}

// Report is the outcome of a corroboration: every perspective's result
// with its evidence, the counts, and why it passed or failed.
type Report struct {
	Determination Determination `json:"determination"` // dcv or caa
	Corroborated  bool          `json:"corroborated"`  // whether the policy was met
	Reason        string        `json:"reason"`        // why, in words
	Primary       *Result       `json:"primary"`       // the primary perspective's result
	Remotes       []*Result     `json:"remotes"`       // in the order configured

	Corroborating    int      `json:"corroborating"`     // remotes that passed
	NonCorroborating int      `json:"non_corroborating"` // remotes that did not
	Allowed          int      `json:"allowed"`           // non-corroborating remotes the quorum allows
	Regions          []string `json:"regions,omitempty"` // distinct regions of the corroborating remotes
	Policy           Policy   `json:"policy"`            // the policy applied

	CheckedAt time.Time     `json:"checked_at"`  // when the corroboration started
	Duration  time.Duration `json:"duration_ns"` // how long it took
}

// Run validates chk, runs it on the primary and every remote concurrently
// and returns the report. The error is nil exactly when the check is
// corroborated. A bad check or configuration is an error without a report
// (ErrBadCheck, ErrConfig); otherwise the report is always returned, and
// the error wraps ErrNotCorroborated and each reason (ErrPrimaryFailed,
// ErrQuorum, ErrPolicy).
func (c *Corroborator) Run(ctx context.Context, chk Check) (*Report, error) {
	if err := chk.Validate(); err != nil {
		return nil, err
	}
	all, err := c.perspectives()
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, orDefault(c.Timeout, DefaultCorroborationTimeout))
		defer cancel()
	}
	start := time.Now()
	results := runAll(ctx, all, chk)
	rep := &Report{
		Determination: chk.Determination,
		Primary:       results[0],
		Remotes:       results[1:],
		Allowed:       AllowedNonCorroborating(len(c.Remotes)),
		Policy:        c.Policy,
		CheckedAt:     start.UTC(),
		Duration:      time.Since(start),
	}
	return rep, rep.decide()
}

func (c *Corroborator) perspectives() ([]Perspective, error) {
	if c.Primary == nil {
		return nil, fmt.Errorf("%w: no primary perspective", ErrConfig)
	}
	if len(c.Remotes) == 0 {
		return nil, fmt.Errorf("%w: no remote perspectives", ErrConfig)
	}
	if c.Policy.MinRemotes < 0 || c.Policy.MinRegions < 0 {
		return nil, fmt.Errorf("%w: negative policy minimum", ErrConfig)
	}
	all := append([]Perspective{c.Primary}, c.Remotes...)
	seen := map[string]bool{}
	for _, p := range all {
		if isNil(p) {
			return nil, fmt.Errorf("%w: nil perspective", ErrConfig)
		}
		label := p.Info().Label
		if label == "" || seen[label] {
			return nil, fmt.Errorf("%w: perspective label %q empty or used twice", ErrConfig, label)
		}
		seen[label] = true
	}
	// The same server under two labels (or two spellings of its URL)
	// would count twice toward the quorum and MinRemotes.
	served := map[string]string{}
	for _, p := range all {
		info := p.Info()
		if info.Endpoint == "" {
			continue
		}
		if prev, dup := served[info.Endpoint]; dup {
			return nil, fmt.Errorf("%w: perspectives %q and %q are the same server %s", ErrConfig, prev, info.Label, info.Endpoint)
		}
		served[info.Endpoint] = info.Label
	}
	return all, nil
}

// isNil reports whether p is nil or holds a nil pointer (a typed nil,
// whose Info would panic).
func isNil(p Perspective) bool {
	if p == nil {
		return true
	}
	v := reflect.ValueOf(p)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

type indexed struct {
	i   int
	res *Result
}

// runAll runs chk on every perspective and returns one result each, in
// order. A perspective that errors, panics or has not answered when ctx
// ends gets an Undecided result saying so.
func runAll(ctx context.Context, all []Perspective, chk Check) []*Result {
	out := make([]*Result, len(all))
	ch := make(chan indexed, len(all)) // buffered: a late answer never blocks
	for i, p := range all {
		go func() {
			start := time.Now()
			res := runOne(ctx, p, chk)
			if res.Duration == 0 {
				res.Duration = time.Since(start)
			}
			ch <- indexed{i, res}
		}()
	}
	for n := 0; n < len(all); n++ {
		select {
		case r := <-ch:
			out[r.i] = r.res
		case <-ctx.Done():
			for drained := false; !drained; {
				select {
				case r := <-ch:
					out[r.i] = r.res
				default:
					drained = true
				}
			}
			for i, p := range all {
				if out[i] == nil {
					out[i] = undecided(p.Info(), chk.Determination, fmt.Errorf("no answer: %w", ctx.Err()))
				}
			}
			return out
		}
	}
	return out
}

func runOne(ctx context.Context, p Perspective, chk Check) (res *Result) {
	info := p.Info()
	defer func() {
		if v := recover(); v != nil {
			res = undecided(info, chk.Determination, fmt.Errorf("perspective panicked: %v", v))
		}
	}()
	r, err := p.Run(ctx, chk)
	switch {
	case err != nil:
		return undecided(info, chk.Determination, err)
	case r == nil:
		return undecided(info, chk.Determination, errors.New("no result"))
	case r.Determination != chk.Determination:
		return undecided(info, chk.Determination, fmt.Errorf("%q result for a %q check", r.Determination, chk.Determination))
	case r.Verdict == Pass && !r.Passed():
		return undecided(info, chk.Determination, errors.New("pass verdict without passing evidence"))
	}
	cp := *r // the perspective's result is not changed
	cp.Label, cp.Region = info.Label, info.Region
	return &cp
}

func undecided(info Info, d Determination, err error) *Result {
	return &Result{Label: info.Label, Region: info.Region, Determination: d, Verdict: Undecided, Error: err.Error()}
}

// decide fills the counts and the reason and returns the error.
func (r *Report) decide() error {
	var dissent, regions []string
	for _, res := range r.Remotes {
		if res.Passed() {
			r.Corroborating++
			if reg := normRegion(res.Region); reg != "" && !slices.Contains(regions, reg) {
				regions = append(regions, reg)
			}
			continue
		}
		r.NonCorroborating++
		dissent = append(dissent, fmt.Sprintf("%s: %s", res.Label, res.Outcome()))
	}
	slices.Sort(regions)
	r.Regions = regions

	var reasons []string
	var errs []error
	if !r.Primary.Passed() {
		msg := fmt.Sprintf("primary %q %s", r.Primary.Label, r.Primary.Outcome())
		if r.Primary.Error != "" {
			msg += " (" + r.Primary.Error + ")"
		}
		reasons = append(reasons, msg)
		errs = append(errs, fmt.Errorf("%w: %s", ErrPrimaryFailed, msg))
	}
	n := len(r.Remotes)
	if r.NonCorroborating > r.Allowed {
		msg := fmt.Sprintf("%d of %d remotes did not corroborate (%s); at most %d allowed with %d remotes",
			r.NonCorroborating, n, strings.Join(dissent, "; "), r.Allowed, n)
		reasons = append(reasons, msg)
		errs = append(errs, fmt.Errorf("%w: %s", ErrQuorum, msg))
	}
	if n < r.Policy.MinRemotes {
		msg := fmt.Sprintf("%d remotes used, policy requires %d", n, r.Policy.MinRemotes)
		reasons = append(reasons, msg)
		errs = append(errs, fmt.Errorf("%w: %s", ErrPolicy, msg))
	}
	if len(regions) < r.Policy.MinRegions {
		msg := fmt.Sprintf("corroborating remotes span %d region(s) [%s], policy requires %d",
			len(regions), strings.Join(regions, ", "), r.Policy.MinRegions)
		reasons = append(reasons, msg)
		errs = append(errs, fmt.Errorf("%w: %s", ErrPolicy, msg))
	}
	if len(errs) > 0 {
		r.Reason = "not corroborated: " + strings.Join(reasons, "; ")
		return fmt.Errorf("%w: %w", ErrNotCorroborated, errors.Join(errs...))
	}
	r.Corroborated = true
	r.Reason = fmt.Sprintf("corroborated: primary %q %s; %d of %d remotes corroborate, %d may dissent",
		r.Primary.Label, r.Primary.Outcome(), r.Corroborating, n, r.Allowed)
	if len(dissent) > 0 {
		r.Reason += " (" + strings.Join(dissent, "; ") + ")"
	}
	if len(regions) > 0 {
		r.Reason += "; regions " + strings.Join(regions, ", ")
	}
	return nil
}

func normRegion(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
