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
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dcvkit/dcv/caa"
	"github.com/dcvkit/dcv/verify/perspective"
)

// shutdownGrace is how long serve-perspective lets running checks finish
// after SIGINT/SIGTERM before it closes their connections.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, e *env, args []string) int {
	f := newFlags("serve-perspective",
		"dcv serve-perspective --listen ADDR --key-file F [--url URL] [--label L] [--region R] [--tls-cert F --tls-key F] [--resolver ADDR[,ADDR]] [--allow-private]")
	f.notes = "Serves DCV and CAA checks to 'dcv verify|caa --perspective URL' (and any\n" +
		"perspective.Remote) over the signed protocol of verify/perspective, through its\n" +
		"own resolvers and HTTP client: deploy it in another region. Its URL is its\n" +
		"identity: it answers only requests signed for that URL, and callers must give\n" +
		"exactly it (--perspective URL). It prints the URL as the first line on stdout\n" +
		"(http://ADDR, https:// with --tls-cert, or --url), logs each request on stderr\n" +
		"and serves until SIGINT or SIGTERM. On a wildcard address (0.0.0.0, [::], :PORT)\n" +
		"it cannot know the name callers use: give it with --url (e.g. --url\n" +
		"https://mpic-eu.example.net:8443, also when a TLS proxy is in front). Serve\n" +
		"https (--tls-cert/--tls-key or a proxy); plain http off loopback is warned\n" +
		"about. --listen 127.0.0.1:0 picks a free port. The key file holds the key as\n" +
		"text, at least 32 characters (e.g. from 'openssl rand -base64 48'), readable by\n" +
		"its owner only (chmod 600); callers need the same key.\n" +
		"Exit status: 0 after a signal, 2 bad key file (short, or readable by group or\n" +
		"others), certificate or address, 64 usage.\n"
	listen := f.String("listen", "", "`ADDR` to listen on, host:port (required; port 0 picks a free one)")
	keyFile := f.String("key-file", "", "`FILE` holding this perspective's key (required)")
	publicURL := f.String("url", "", "the `URL` callers reach this perspective at, its identity (required on a wildcard --listen)")
	label := f.String("label", "", "name this perspective reports for itself (default: the URL's host[:port][/path])")
	region := f.String("region", "", "`REGION` this perspective reports for itself, e.g. its RIR (callers set their own)")
	tlsCert := f.String("tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (with --tls-key)")
	tlsKey := f.String("tls-key", "", "PEM private key `FILE` of --tls-cert")
	view := addViewFlags(f, perspective.DefaultMaxTimeout, "cap on the time one check may take")
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
	case *publicURL == "" && wildcardListen(*listen):
		return f.fail(e, "--listen %s is a wildcard address: give the URL callers use, e.g. --url https://NAME:PORT", *listen)
	}
	if msg := needs(f.given(), [2]string{"auth-port", "authoritative"}); msg != "" {
		return f.fail(e, "%s", msg)
	}
	if *publicURL != "" {
		if _, err := perspective.Identity(*publicURL); err != nil {
			return f.fail(e, "--url: %v", err)
		}
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
	if *publicURL == "" {
		*publicURL = scheme + "://" + addr
	}
	identity, _ := perspective.Identity(*publicURL)
	if *label == "" {
		*label = strings.TrimPrefix(strings.TrimPrefix(identity, "https://"), "http://")
	}

	v := view.newVerifier()
	local := &perspective.Local{Label: *label, Region: *region, Verifier: v,
		CAA: &caa.Checker{DNS: v.DNS, Timeout: *view.timeout, DNSSEC: v.DNSSEC, TrustAnchors: v.TrustAnchors}}
	logw := &lockedWriter{w: e.stderr}
	h := &perspective.Handler{URL: identity, Key: key, Local: local, MaxTimeout: *view.timeout}
	srv := h.Server()
	srv.Handler = logRequests(logw, h)
	srv.ErrorLog = log.New(logw, "dcv serve-perspective: ", 0)

	// The URL first, alone on its line: scripts and tests read it.
	if _, err := fmt.Fprintln(e.stdout, identity); err != nil {
		ln.Close()
		return failf(e, "serve-perspective", "%v", err)
	}
	fmt.Fprintf(logw, "dcv serve-perspective: %s serving checks on %s for %s%s; callers use --perspective %s\n",
		perspective.Info{Label: *label, Region: *region}, addr, identity, perspective.CheckPath, identity)
	if u, _ := url.Parse(identity); u.Scheme == "http" && !loopbackListen(addr) {
		fmt.Fprintf(logw, "dcv serve-perspective: warning: plain HTTP: checks and results cross the network readable by anyone on the path; use --tls-cert/--tls-key, or a TLS proxy and --url https://...\n")
	}

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

// wildcardListen reports whether a listen address names no one host
// (":8443", "0.0.0.0:8443", "[::]:8443"), so the URL callers use is not
// known from it.
func wildcardListen(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false // net.Listen reports it
	}
	ip, err := netip.ParseAddr(host)
	return host == "" || (err == nil && ip.IsUnspecified())
}

// loopbackListen reports whether a bound address is a loopback one.
func loopbackListen(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().IsLoopback()
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
