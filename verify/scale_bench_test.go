package verify_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/challenge"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/verifytest"
)

// Issue 12's scale benchmark: 10,000 dns-01 names under example.com on a
// loopback DNS server that adds 20 ms to every query, at concurrency 128,
// side by side with raw miekg/dns as the floor. The server runs in a
// separate process (this test binary again, see TestScaleDNSServer), so
// the CPU and memory figures are the client's alone.
const (
	scaleN     = 10_000
	scaleConc  = 128
	scaleDelay = 20 * time.Millisecond
	scaleEnv   = "DCV_SCALE_DNS_SERVER"
)

var scaleNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// scaleChallenges builds the same dns-01 challenges in every process: a
// fixed key, token, random stream and clock.
func scaleChallenges(tb testing.TB) []*challenge.Challenge {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	b := challenge.Builder{Now: func() time.Time { return scaleNow }}
	out := make([]*challenge.Challenge, scaleN)
	for i := range out {
		c, err := b.ACMEDNS01(fmt.Sprintf("d%05d.example.com", i), "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = c
	}
	return out
}

// TestScaleDNSServer is the server process of BenchmarkScale10k, not a
// test: it serves the benchmark zone, prints its address and runs until
// its stdin closes.
func TestScaleDNSServer(t *testing.T) {
	if os.Getenv(scaleEnv) == "" {
		t.Skip("the DNS server process of BenchmarkScale10k")
	}
	z := verifytest.NewZone().MustAdd(`example.com. 300 IN CAA 0 issue "ssl.com"`,
		// The zone's apex and its one name server, this very server, for
		// the authoritative-mode order.
		`example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300`,
		`example.com. 300 IN NS ns1.example.com.`,
		`ns1.example.com. 300 IN A 127.0.0.1`)
	for _, c := range scaleChallenges(t) {
		// The A record makes each name exist on its own: the zone double
		// would otherwise scan every name to find it an empty non-terminal.
		z.MustAdd(fmt.Sprintf(`%s 300 IN TXT "%s"`, c.Record.Name, c.Record.Value),
			fmt.Sprintf(`%s. 300 IN A 192.0.2.1`, c.ADN))
	}
	z.SetDelay(scaleDelay)
	srv, err := verifytest.NewDNSServer(z)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(srv.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startScaleServer runs TestScaleDNSServer in a child process and returns
// its address.
func startScaleServer(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleDNSServer$")
	cmd.Env = append(os.Environ(), scaleEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("scale DNS server: %v", err)
	}
	return line[:len(line)-1]
}

// scaleRun is what one pass over the 10,000 names cost the client.
type scaleRun struct {
	wall, cpu time.Duration
	peakHeap  uint64 // bytes of live heap objects, sampled every 5 ms
	peakRSS   uint64 // bytes, the process's peak resident set during the pass
	// What the pass added above the process at rest (the test binary,
	// the 10,000 prepared items and the other passes' clients): the
	// peaks minus the resident set and live heap measured just before.
	addedHeap, addedRSS uint64
}

// currentRSS is the process's resident set in bytes now (VmRSS), 0 where
// /proc is missing.
func currentRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func rusageCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS returns memory to the OS and restarts the kernel's peak-RSS
// count (Linux clear_refs 5), reporting whether it could.
func resetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the process's peak resident set in bytes since the last
// reset (VmHWM), else since it started (Getrusage Maxrss).
func peakRSS() uint64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb uint64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return uint64(ru.Maxrss) << 10 // Linux: KiB
}

func measure(f func()) scaleRun {
	runtime.GC()
	resetPeakRSS()
	baseRSS := currentRSS()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	baseHeap := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	cpu0, t0 := rusageCPU(), time.Now()
	f()
	r := scaleRun{wall: time.Since(t0), cpu: rusageCPU() - cpu0, peakRSS: peakRSS()}
	close(stop)
	wg.Wait()
	r.peakHeap = peak.Load()
	r.addedHeap = r.peakHeap - min(baseHeap, r.peakHeap)
	if baseRSS > 0 {
		r.addedRSS = r.peakRSS - min(baseRSS, r.peakRSS)
	}
	return r
}

// floorPass is the floor: scaleConc workers sending raw miekg/dns TXT
// queries (EDNS0, as DNSClient sends them), one per name.
func floorPass(b *testing.B, addr string, names []string) {
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range scaleConc {
		wg.Go(func() {
			c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				m := new(dns.Msg)
				m.SetQuestion(names[i], dns.TypeTXT)
				m.SetEdns0(1232, false)
				r, _, err := c.ExchangeContext(context.Background(), m, addr)
				if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		b.Fatalf("floor: %d queries failed", n)
	}
}

// BenchmarkScale10k runs the floor, a 10,000-item VerifyOrder (dns-01 TXT),
// the same order in authoritative mode and a 10,000-name CAA CheckAll side
// by side; each op is one pass over
// the 10,000 names. Metrics: x-floor (wall / the floor's wall), x-floor-cpu
// (client CPU per check / the floor's), x-txt-order (the CAA batch's and
// the authoritative-mode order's wall / the TXT order's), peak-heap-MB (live heap, sampled) and peak-rss-MB (the
// process's peak resident set during the pass, the 10,000 prepared items
// and the test binary included), and added-heap-MB and added-rss-MB: the
// same peaks minus what the process held just before the pass, so the
// floor's prepared names and the order's prepared items are not counted
// against either. Run it alone, for a few seconds:
//
//	go test ./verify -run '^$' -bench Scale10k -benchtime 2x
func BenchmarkScale10k(b *testing.B) {
	addr := startScaleServer(b)
	chs := scaleChallenges(b)
	names := make([]string, len(chs))
	items := make([]verify.OrderItem, len(chs))
	reqs := make([]caa.Request, len(chs))
	for i, c := range chs {
		names[i] = c.Record.Name
		items[i] = verify.OrderItem{Challenge: c}
		reqs[i] = caa.Request{Domain: c.Domain, Issuers: []string{"ssl.com"}}
	}
	client := &verify.DNSClient{Servers: []string{addr}}
	v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: client, Concurrency: scaleConc, Now: func() time.Time { return scaleNow }}
	checker := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: client, Concurrency: scaleConc, Now: func() time.Time { return scaleNow }}
	_, port, _ := net.SplitHostPort(addr)
	va := *v
	va.Authoritative = &verify.AuthOptions{Servers: &verify.DNSClient{AllowPrivate: true}, Port: port}

	passes := map[string]func(b *testing.B){
		"floor": func(b *testing.B) { floorPass(b, addr, names) },
		"txt-order": func(b *testing.B) {
			res, err := v.VerifyOrder(context.Background(), items)
			if err != nil {
				b.Fatalf("order: %v (%s)", err, res.Outcome)
			}
		},
		"auth-order": func(b *testing.B) {
			res, err := va.VerifyOrder(context.Background(), items)
			if err != nil {
				b.Fatalf("authoritative order: %v (%s)", err, res.Outcome)
			}
		},
		"caa-batch": func(b *testing.B) {
			for _, r := range checker.CheckAll(context.Background(), reqs) {
				if r.Err != nil || !r.Decision.Permitted {
					b.Fatalf("caa %s: %+v, %v", r.Request.Domain, r.Decision, r.Err)
				}
			}
		},
	}
	// ref is each pass's mean cost, measured once if its own run was
	// filtered out.
	ref := map[string]scaleRun{}
	refOf := func(b *testing.B, name string) scaleRun {
		if r, ok := ref[name]; ok {
			return r
		}
		ref[name] = measure(func() { passes[name](b) })
		return ref[name]
	}
	for _, name := range []string{"floor", "txt-order", "auth-order", "caa-batch"} {
		b.Run(name, func(b *testing.B) {
			var sum scaleRun
			for b.Loop() {
				r := measure(func() { passes[name](b) })
				sum.wall += r.wall
				sum.cpu += r.cpu
				sum.peakHeap = max(sum.peakHeap, r.peakHeap)
				sum.peakRSS = max(sum.peakRSS, r.peakRSS)
				sum.addedHeap = max(sum.addedHeap, r.addedHeap)
				sum.addedRSS = max(sum.addedRSS, r.addedRSS)
			}
			n := time.Duration(b.N)
			mean := scaleRun{wall: sum.wall / n, cpu: sum.cpu / n, peakHeap: sum.peakHeap, peakRSS: sum.peakRSS,
				addedHeap: sum.addedHeap, addedRSS: sum.addedRSS}
			ref[name] = mean
			floor := refOf(b, "floor")
			b.ReportMetric(float64(mean.wall)/float64(floor.wall), "x-floor")
			b.ReportMetric(float64(mean.cpu)/float64(floor.cpu), "x-floor-cpu")
			b.ReportMetric(float64(mean.cpu.Microseconds())/scaleN, "cpu-µs/check")
			if name == "caa-batch" || name == "auth-order" {
				b.ReportMetric(float64(mean.wall)/float64(refOf(b, "txt-order").wall), "x-txt-order")
			}
			b.ReportMetric(float64(mean.peakHeap)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(mean.peakRSS)/(1<<20), "peak-rss-MB")
			b.ReportMetric(float64(mean.addedHeap)/(1<<20), "added-heap-MB")
			b.ReportMetric(float64(mean.addedRSS)/(1<<20), "added-rss-MB")
		})
	}
}
