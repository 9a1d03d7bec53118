package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit statuses, shared by every subcommand.
const (
	exitOK          = 0   // success, verified, permitted; also -h/--help
	exitNo          = 1   // not verified, forbidden
	exitFail        = 2   // could not decide, bad input
	exitUsage       = 64  // usage error (EX_USAGE)
	exitInterrupted = 130 // stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C)
)

// env is what a subcommand may touch: its streams and whether stderr is a
// terminal (for the live progress line of --wait).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	tty            bool
}

// command is one subcommand. Add a file with a run function and a line in
// commands() to add one.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"hash", "print the validation hashes of a CSR", runHash},
		{"challenge", "print what to publish for a validation method", runChallenge},
		{"verify", "check a published record or file", runVerify},
		{"caa", "check whether CAA lets a CA issue for a name", runCAA},
		{"diagnose", "find every reason a CA would refuse a domain, with fixes", runDiagnose},
		{"serve-perspective", "serve checks as a remote perspective for --perspective", runServe},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, tty: isTerminal(os.Stderr)}
	code := run(ctx, os.Args[1:], e)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the exit status. A command
// that fails because ctx was cancelled (SIGINT, SIGTERM) exits 130.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		topUsage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		topUsage(e.stdout)
		return exitOK
	case "help":
		if len(args) == 1 {
			topUsage(e.stdout)
			return exitOK
		}
		args = []string{args[1], "--help"}
	case "-version", "--version", "version":
		fmt.Fprintf(e.stdout, "dcv %s\n", version())
		return exitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "dcv: unknown command %q; run 'dcv help' for the list\n", args[0])
		return exitUsage
	}
	code := c.run(ctx, e, args[1:])
	if code != exitOK && ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "dcv: interrupted")
		return exitInterrupted
	}
	return code
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

// version is the module version the binary was built from: a release tag
// with "go install ...@v1.2.3", "(devel)" from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: dcv COMMAND [flags] [arguments]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-17s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'dcv help COMMAND' (or 'dcv COMMAND --help') for a command's flags; 'dcv --version'.")
	fmt.Fprintln(w, "Exit status: 0 ok/verified/permitted, 1 not verified/forbidden, 2 could not decide or bad input,")
	fmt.Fprintln(w, "64 usage, 130 interrupted.")
}

// isTerminal reports whether f is a character device, such as a terminal.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
