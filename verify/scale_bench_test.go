package verify_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// scaleReport mirrors the JSON line of verify/internal/scaleload.
type scaleReport struct {
	Wall     time.Duration `json:"wall_ns"`
	CPU      time.Duration `json:"cpu_ns"`
	PeakRSS  uint64        `json:"peak_rss"`
	BaseRSS  uint64        `json:"base_rss"`
	PeakHeap uint64        `json:"peak_heap"`
	BaseHeap uint64        `json:"base_heap"`
	GCs      uint32        `json:"gc_cycles"`
	Checks   int           `json:"checks"`
	Failures int           `json:"failures"`
	Error    string        `json:"error"`
}

// BenchmarkScale10k is issue 12's scale benchmark: 10,000 dns-01 names
// under example.com on a loopback DNS server that adds 20 ms to every
// query, at concurrency 128, side by side with raw miekg/dns as the
// floor. Each pass runs in a process of its own, the program
// verify/internal/scaleload, which holds only what a user's process
// would: the library, the prepared input and the work; the server runs in
// another. Each op is one pass over the 10,000 names. The passes: floor;
// txt-order (VerifyOrder, which keeps the 10,000 Results); txt-each (the
// same checks through VerifyEach, which hands each Result over and keeps
// none); auth-order (VerifyOrder in authoritative mode); caa-batch
// (caa.Checker.CheckAll of the 10,000 names).
//
// Metrics: x-floor (wall / the floor's wall); x-floor-cpu (client CPU
// per check / the floor's) and cpu-µs/check; x-txt-order (wall / the TXT
// order's); peak-rss-MB, the pass's process's peak resident set during
// the pass (the program and its prepared input included); peak-heap-MB
// and input-heap-MB, its live heap at the peak and just before the pass;
// gc (collections per pass). Run it alone, for a few seconds:
//
//	go test ./verify -run '^$' -bench Scale10k -benchtime 3x
func BenchmarkScale10k(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "scaleload")
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/scaleload").CombinedOutput(); err != nil {
		b.Fatalf("building scaleload: %v\n%s", err, out)
	}
	srv := exec.Command(bin, "-serve")
	stdin, err := srv.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := srv.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = srv.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("scale DNS server: %v", err)
	}
	addr := line[:len(line)-1]

	run := func(b *testing.B, pass string) scaleReport {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, "-pass", pass, "-server", addr)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var r scaleReport
		if jerr := json.Unmarshal(out.Bytes(), &r); jerr != nil || err != nil || r.Failures > 0 || r.Error != "" {
			b.Fatalf("%s: %v; %d of %d checks failed %s\n%s%s", pass, err, r.Failures, r.Checks, r.Error, out.String(), errb.String())
		}
		return r
	}
	// ref is each pass's mean, measured once if its own run was filtered
	// out.
	ref := map[string]scaleReport{}
	refOf := func(b *testing.B, pass string) scaleReport {
		if r, ok := ref[pass]; ok {
			return r
		}
		ref[pass] = run(b, pass)
		return ref[pass]
	}
	const mb = 1 << 20
	for _, pass := range []string{"floor", "txt-order", "txt-each", "auth-order", "caa-batch"} {
		b.Run(pass, func(b *testing.B) {
			var sum scaleReport
			for b.Loop() {
				r := run(b, pass)
				sum.Wall += r.Wall
				sum.CPU += r.CPU
				sum.GCs += r.GCs
				sum.Checks = r.Checks
				sum.PeakRSS = max(sum.PeakRSS, r.PeakRSS)
				sum.PeakHeap = max(sum.PeakHeap, r.PeakHeap)
				sum.BaseHeap = max(sum.BaseHeap, r.BaseHeap)
			}
			n := time.Duration(b.N)
			mean := sum
			mean.Wall, mean.CPU, mean.GCs = sum.Wall/n, sum.CPU/n, sum.GCs/uint32(b.N)
			ref[pass] = mean
			floor := refOf(b, "floor")
			b.ReportMetric(float64(mean.Wall)/float64(floor.Wall), "x-floor")
			b.ReportMetric(float64(mean.CPU)/float64(floor.CPU), "x-floor-cpu")
			b.ReportMetric(float64(mean.CPU.Microseconds())/float64(mean.Checks), "cpu-µs/check")
			if pass != "floor" && pass != "txt-order" {
				b.ReportMetric(float64(mean.Wall)/float64(refOf(b, "txt-order").Wall), "x-txt-order")
			}
			b.ReportMetric(float64(mean.PeakRSS)/mb, "peak-rss-MB")
			b.ReportMetric(float64(mean.PeakHeap)/mb, "peak-heap-MB")
			b.ReportMetric(float64(mean.BaseHeap)/mb, "input-heap-MB")
			b.ReportMetric(float64(mean.GCs), "gc")
		})
	}
}
