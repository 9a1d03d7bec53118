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

// scaleReport mirrors the JSON line of verify/internal/scaleload/pass.
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
// verify/internal/scaleload/pass, which holds only what a user's process
// would: the library, the prepared input and the work; the server
// (verify/internal/scaleload/serve) runs in another. Each op is one pass over the 10,000 names. The passes: floor;
// txt-order (VerifyOrder, which keeps the 10,000 Results); txt-each (the
// same checks through VerifyEach, which hands each Result over and keeps
// none); auth-order (VerifyOrder in authoritative mode); caa-batch
// (caa.Checker.CheckAll of the 10,000 names).
//
// Metrics: x-floor (wall / the floor's wall) and x-floor-cpu (client
// CPU / the floor's); x-txt-order (wall / the TXT order's); each run of
// a pass is paired with runs of those references made just before it
// (which ns/op includes), so a ratio compares runs made under the same
// load. cpu-µs/check: client CPU per name. peak-rss-MB: the pass's
// process's peak resident set during the pass (the program and its
// prepared input included). peak-heap-MB and input-heap-MB: its live heap
// at the peak and just before the pass. gc: collections per pass. Run it
// alone, for a minute:
//
//	go test ./verify -run '^$' -bench Scale10k -benchtime 3x
func BenchmarkScale10k(b *testing.B) {
	dir := b.TempDir()
	for _, prog := range []string{"pass", "serve"} {
		if out, err := exec.Command("go", "build", "-o", dir, "./internal/scaleload/"+prog).CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", prog, err, out)
		}
	}
	bin := filepath.Join(dir, "pass")
	srv := exec.Command(filepath.Join(dir, "serve"))
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
	const mb = 1 << 20
	for _, pass := range []string{"floor", "txt-order", "txt-each", "auth-order", "caa-batch"} {
		b.Run(pass, func(b *testing.B) {
			// Each run of a pass is paired with runs of its references
			// made just before it (the floor; the TXT order for the other
			// passes), so that a ratio compares runs made under the same
			// load on the machine.
			var sum, floor, txt scaleReport
			for b.Loop() {
				if pass != "floor" {
					f := run(b, "floor")
					floor.Wall, floor.CPU = floor.Wall+f.Wall, floor.CPU+f.CPU
				}
				if pass != "floor" && pass != "txt-order" {
					txt.Wall += run(b, "txt-order").Wall
				}
				r := run(b, pass)
				if pass == "floor" {
					floor.Wall, floor.CPU = floor.Wall+r.Wall, floor.CPU+r.CPU
				}
				sum.Wall += r.Wall
				sum.CPU += r.CPU
				sum.GCs += r.GCs
				sum.Checks = r.Checks
				sum.PeakRSS = max(sum.PeakRSS, r.PeakRSS)
				sum.PeakHeap = max(sum.PeakHeap, r.PeakHeap)
				sum.BaseHeap = max(sum.BaseHeap, r.BaseHeap)
			}
			n := time.Duration(b.N)
			b.ReportMetric(float64(sum.Wall)/float64(floor.Wall), "x-floor")
			b.ReportMetric(float64(sum.CPU)/float64(floor.CPU), "x-floor-cpu")
			b.ReportMetric(float64((sum.CPU/n).Microseconds())/float64(sum.Checks), "cpu-µs/check")
			if txt.Wall > 0 {
				b.ReportMetric(float64(sum.Wall)/float64(txt.Wall), "x-txt-order")
			}
			b.ReportMetric(float64(sum.PeakRSS)/mb, "peak-rss-MB")
			b.ReportMetric(float64(sum.PeakHeap)/mb, "peak-heap-MB")
			b.ReportMetric(float64(sum.BaseHeap)/mb, "input-heap-MB")
			b.ReportMetric(float64(sum.GCs)/float64(b.N), "gc")
		})
	}
}
