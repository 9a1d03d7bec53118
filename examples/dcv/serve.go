package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify"
	"github.com/dcvkit/dcv/verify/perspective"
)

// shutdownGrace is how long serve-perspective lets running checks finish
// after SIGINT/SIGTERM before it closes their connections.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, e *env, args []string) int {
	f := newFlags("serve-perspective",
		"dcv serve-perspective --listen ADDR --key-file F [--resolver ADDR[,ADDR]] [--allow-private] [--region R] [--label L] [--tls-cert F --tls-key F]")
	f.notes = "Serves DCV and CAA checks to 'dcv verify|caa --perspective URL' (and any\n" +
		"perspective.Remote) over the signed protocol of verify/perspective, through its\n" +
		"own resolvers and HTTP client: deploy it in another region. It prints its URL\n" +
		"(http://ADDR, or https:// with --tls-cert) as the first line on stdout, logs each\n" +
		"request on stderr and serves until SIGINT or SIGTERM. --listen 127.0.0.1:0 picks\n" +
		"a free port. The key file holds the shared secret as text, at least 32\n" +
		"characters (e.g. from 'openssl rand -base64 48'); callers need the same file.\n" +
		"Exit status: 0 after a signal, 2 bad key file, certificate or address, 64 usage.\n"
	listen := f.String("listen", "", "`ADDR` to listen on, host:port (required; port 0 picks a free one)")
	keyFile := f.String("key-file", "", "`FILE` holding the shared key (required)")
	label := f.String("label", "", "name this perspective reports for itself (default: the listen address)")
	region := f.String("region", "", "`REGION` this perspective reports for itself, e.g. its RIR (callers set their own)")
	allowPrivate := f.Bool("allow-private", false, "permit loopback and private addresses as HTTP targets")
	authoritative := f.Bool("authoritative", false, "DNS: ask every authoritative server directly; all must agree")
	authPort := f.String("auth-port", "", "port of the authoritative servers (default 53; for tests)")
	tlsCert := f.String("tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (with --tls-key)")
	tlsKey := f.String("tls-key", "", "PEM private key `FILE` of --tls-cert")
	nf := addNetFlags(f, perspective.DefaultMaxTimeout, "cap on the time one check may take")
	pos, code, ok := f.parse(e, args)
	if !ok {
		return code
	}
	switch {
	case len(pos) > 0:
		return f.fail(e, "unexpected argument %q", pos[0])
	case *listen == "":
		return f.fail(e, "--listen is required")
	case *keyFile == "":
		return f.fail(e, "--key-file is required")
	case (*tlsCert == "") != (*tlsKey == ""):
		return f.fail(e, "--tls-cert and --tls-key go together")
	case len(*region) > maxRegion:
		return f.fail(e, "--region longer than %d characters", maxRegion)
	}

	key, err := perspective.LoadKey(*keyFile)
	if err != nil {
		return failf(e, "serve-perspective", "%v", err)
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return failf(e, "serve-perspective", "TLS certificate: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return failf(e, "serve-perspective", "%v", err)
	}
	addr := ln.Addr().String()
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
	}
	if *label == "" {
		*label = addr
	}

	dnsc := nf.dnsClient()
	local := &perspective.Local{
		Label:  *label,
		Region: *region,
		Verifier: &verify.Verifier{
			DNS:           dnsc,
			HTTP:          &verify.HTTPClient{DNS: dnsc, AllowPrivate: *allowPrivate},
			Authoritative: authOptions(*authoritative, *authPort),
		},
		CAA: &caa.Checker{DNS: dnsc, Timeout: *nf.timeout},
	}
	logw := &lockedWriter{w: e.stderr}
	h := &perspective.Handler{Key: key, Local: local, MaxTimeout: *nf.timeout}
	srv := &http.Server{
		Handler:           logRequests(logw, h),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(*nf.timeout, perspective.DefaultMaxTimeout) + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(logw, "dcv serve-perspective: ", 0),
	}

	// The URL first, alone on its line: scripts and tests read it.
	if _, err := fmt.Fprintf(e.stdout, "%s://%s\n", scheme, addr); err != nil {
		ln.Close()
		return failf(e, "serve-perspective", "%v", err)
	}
	fmt.Fprintf(logw, "dcv serve-perspective: %s serving checks at %s://%s%s\n",
		perspective.Info{Label: *label, Region: *region}, scheme, addr, perspective.CheckPath)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return failf(e, "serve-perspective", "%v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		fmt.Fprintf(logw, "dcv serve-perspective: stopped, checks still running were cut: %v\n", err)
	} else {
		fmt.Fprintf(logw, "dcv serve-perspective: stopped\n")
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failf(e, "serve-perspective", "%v", err)
	}
	return exitOK
}

// logRequests logs one line per request on w: who asked, what, the status
// and how long it took.
func logRequests(w io.Writer, h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		fmt.Fprintf(w, "dcv serve-perspective: %s %s %q: %d (%s)\n",
			r.RemoteAddr, r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Millisecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// lockedWriter serializes writes from concurrent requests.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
