// Command pass is the measured side of verify's BenchmarkScale10k: a
// program that does one thing a user's process would do with 10,000
// dns-01 names, so that its CPU and resident set are that work's alone,
// not those of a test binary holding every pass's inputs (nor of the DNS
// server, which is the program serve).
//
//	pass -pass floor|txt-order|txt-each|auth-order|caa-batch -server ADDR
//
// prepares that pass's input, then runs it once against ADDR and prints
// one JSON line: wall time, CPU time, the process's peak resident set
// during the pass and its live heap (see measure).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/internal/scaleload"
)

// Report is one pass's cost, as printed.
type Report struct {
	Wall     time.Duration `json:"wall_ns"`
	CPU      time.Duration `json:"cpu_ns"`         // user + system
	PeakRSS  uint64        `json:"peak_rss"`       // bytes, whole process, during the pass
	BaseRSS  uint64        `json:"base_rss"`       // bytes, whole process, just before it
	PeakHeap uint64        `json:"peak_heap"`      // bytes of live heap objects, sampled every 5 ms
	BaseHeap uint64        `json:"base_heap"`      // the same just before the pass: the prepared input
	GCs      uint32        `json:"gc_cycles"`      // collections during the pass
	Checks   int           `json:"checks"`         // names checked
	Failures int           `json:"failures"`       // checks that did not pass: must be 0
	Error    string        `json:"error,omitzero"` // why the pass could not run
}

func main() {
	pass := flag.String("pass", "", "the pass to run: floor, txt-order, txt-each, auth-order or caa-batch")
	server := flag.String("server", "", "the benchmark DNS server, ip:port")
	cpuprofile := flag.String("cpuprofile", "", "write the pass's CPU profile to this file")
	memprofile := flag.String("memprofile", "", "write the pass's allocation profile to this file")
	flag.Parse()
	if *memprofile != "" {
		runtime.MemProfileRate = 4096
	}
	rep := runPass(*pass, *server, *cpuprofile)
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			rep.Error = err.Error()
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
	if rep.Error != "" || rep.Failures > 0 {
		os.Exit(1)
	}
}

// runPass prepares the pass's input, lets the process settle and
// measures the pass alone.
func runPass(pass, addr, cpuprofile string) Report {
	if addr == "" {
		return Report{Error: "-server is required"}
	}
	chs, err := scaleload.Challenges()
	if err != nil {
		return Report{Error: err.Error()}
	}
	var f func() (checks, failures int)
	switch pass {
	case "floor":
		names := make([]string, len(chs))
		for i, c := range chs {
			names[i] = c.Record.Name
		}
		f = func() (int, int) { return len(names), floor(addr, names) }
	case "txt-order", "txt-each", "auth-order":
		items := make([]verify.OrderItem, len(chs))
		for i, c := range chs {
			items[i] = verify.OrderItem{Challenge: c}
		}
		v := &verify.Verifier{DNSSEC: verify.DNSSECOff, DNS: &verify.DNSClient{Servers: []string{addr}},
			Concurrency: scaleload.Conc, Now: func() time.Time { return scaleload.Now }}
		if pass == "auth-order" {
			_, port, _ := net.SplitHostPort(addr)
			v.Authoritative = &verify.AuthOptions{Servers: &verify.DNSClient{AllowPrivate: true}, Port: port}
		}
		if pass == "txt-each" {
			f = func() (int, int) {
				failed := 0
				_, _ = v.VerifyEach(context.Background(), items, func(_ int, r *verify.Result, _ error) {
					if r == nil || r.Outcome != verify.Verified {
						failed++
					}
				})
				return len(items), failed
			}
			break
		}
		f = func() (int, int) {
			res, _ := v.VerifyOrder(context.Background(), items)
			failed := 0
			for _, r := range res.Results {
				if r == nil || r.Outcome != verify.Verified {
					failed++
				}
			}
			return len(items), failed
		}
	case "caa-batch":
		reqs := make([]caa.Request, len(chs))
		for i, c := range chs {
			reqs[i] = caa.Request{Domain: c.Domain, Issuers: []string{"ssl.com"}}
		}
		chk := &caa.Checker{DNSSEC: caa.DNSSECOff, DNS: &verify.DNSClient{Servers: []string{addr}},
			Concurrency: scaleload.Conc, Now: func() time.Time { return scaleload.Now }}
		f = func() (int, int) {
			failed := 0
			for _, r := range chk.CheckAll(context.Background(), reqs) {
				if r.Err != nil || !r.Decision.Permitted {
					failed++
				}
			}
			return len(reqs), failed
		}
	default:
		return Report{Error: fmt.Sprintf("unknown pass %q", pass)}
	}
	if cpuprofile != "" {
		out, err := os.Create(cpuprofile)
		if err != nil {
			return Report{Error: err.Error()}
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return Report{Error: err.Error()}
		}
		defer pprof.StopCPUProfile()
	}
	return measure(f)
}

// floor is raw miekg/dns: as many workers as the checks' concurrency, one
// TXT query per name with EDNS0 as DNSClient sends it. It returns the
// number of failed queries.
func floor(addr string, names []string) int {
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range scaleload.Conc {
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
	return int(failed.Load())
}

// measure runs f once after returning freed memory to the system and
// restarting the kernel's peak-RSS count (Linux clear_refs 5), so the
// peak is the pass's: the program, its prepared input and the work.
func measure(f func() (checks, failures int)) Report {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var rep Report
	rep.BaseRSS = procStatus("VmRSS:")
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sample)
	rep.BaseHeap = sample[0].Value.Uint64()
	gc0 := sample[1].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak.Store(max(peak.Load(), s[0].Value.Uint64()))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	cpu0, t0 := cpuTime(), time.Now()
	rep.Checks, rep.Failures = f()
	rep.Wall, rep.CPU = time.Since(t0), cpuTime()-cpu0
	rep.PeakRSS = procStatus("VmHWM:")
	close(stop)
	wg.Wait()
	rep.PeakHeap = peak.Load()
	metrics.Read(sample)
	rep.GCs = uint32(sample[1].Value.Uint64() - gc0)
	return rep
}

func writeHeapProfile(path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	return pprof.Lookup("allocs").WriteTo(out, 0)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads one of /proc/self/status's kB fields in bytes, 0 where
// /proc is missing.
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
