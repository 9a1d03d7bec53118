package csrhash

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"
)

// sink keeps results alive so the compiler cannot drop the work.
var sink Hashes

// rawSum is the baseline: the two hashes and hex encoding, nothing else.
func rawSum(der []byte) Hashes {
	m := md5.Sum(der)
	s := sha256.Sum256(der)
	return Hashes{MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(s[:])}
}

func BenchmarkSum(b *testing.B) {
	der := readFile(b, "rsa-san.der") // 906 bytes, a typical RSA-2048 CSR with SANs
	b.SetBytes(int64(len(der)))
	b.ReportAllocs()
	for b.Loop() {
		sink = Sum(der)
	}
}

func BenchmarkRawMD5SHA256(b *testing.B) {
	der := readFile(b, "rsa-san.der")
	b.SetBytes(int64(len(der)))
	b.ReportAllocs()
	for b.Loop() {
		sink = rawSum(der)
	}
}

// BenchmarkSumRatio reports Sum's time per call over the raw baseline's as
// "x-raw" (target <= 1.1). Both are timed in the same run, in alternating
// blocks, so drift in machine load affects both alike.
func BenchmarkSumRatio(b *testing.B) {
	der := readFile(b, "rsa-san.der")
	const rounds = 10
	var sum, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range rounds {
			sink = Sum(der)
		}
		t1 := time.Now()
		for range rounds {
			sink = rawSum(der)
		}
		raw += time.Since(t1)
		sum += t1.Sub(t0)
	}
	if raw > 0 {
		b.ReportMetric(float64(sum)/float64(raw), "x-raw")
	}
}

// BenchmarkParse is Parse of a PEM CSR, dominated by the signature check.
func BenchmarkParse(b *testing.B) {
	pem := readFile(b, "rsa-san.csr")
	b.ReportAllocs()
	for b.Loop() {
		c, err := Parse(pem)
		if err != nil {
			b.Fatal(err)
		}
		sink = c.Hashes
	}
}
