package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// cmdFlags is one subcommand's flag set with the tool's conventions: flags
// may follow positional arguments, -h/--help prints the help on stdout and
// exits 0, a usage error prints one line and the synopsis on stderr and
// exits 64.
type cmdFlags struct {
	*flag.FlagSet
	cmd      string   // the subcommand's name
	synopsis []string // usage lines after "usage: "
	notes    string   // printed after the flag list
}

func newFlags(name string, synopsis ...string) *cmdFlags {
	fs := flag.NewFlagSet("dcv "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself
	return &cmdFlags{FlagSet: fs, cmd: name, synopsis: synopsis}
}

// printSynopsis writes the usage lines.
func (f *cmdFlags) printSynopsis(w io.Writer) {
	for i, s := range f.synopsis {
		prefix := "usage: "
		if i > 0 {
			prefix = "       "
		}
		fmt.Fprintln(w, prefix+s)
	}
}

// help writes the whole help: synopsis, flags (spelt --flag, as the README
// does) and notes.
func (f *cmdFlags) help(w io.Writer) {
	f.printSynopsis(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags (before or after the arguments):")
	f.VisitAll(func(fl *flag.Flag) {
		arg, usage := flag.UnquoteUsage(fl)
		line := "  --" + fl.Name
		if arg != "" {
			line += " " + arg
		}
		fmt.Fprintln(w, line)
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && d != "0s" && d != "[]" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(usage, "\n", "\n      "))
	})
	if f.notes != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, f.notes)
	}
}

// parse parses args, collecting positional arguments wherever they are.
// A "--" ends the flags. If ok is false the caller returns code.
func (f *cmdFlags) parse(e *env, args []string) (pos []string, code int, ok bool) {
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.help(e.stdout)
				return nil, exitOK, false
			}
			return nil, f.fail(e, "%s", dashes(err.Error())), false
		}
		rest := f.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" &&
			(used < 2 || !f.takesValue(args[used-2])) {
			return append(pos, rest...), 0, true
		}
		if len(rest) == 0 {
			return pos, 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// singleDash finds a flag name the flag package wrote with one dash.
var singleDash = regexp.MustCompile(`(^|: |flag |for )-([A-Za-z])`)

// dashes respells the flag package's "-name" as "--name", as the help does.
func dashes(msg string) string { return singleDash.ReplaceAllString(msg, "$1--$2") }

// takesValue reports whether arg is a flag that consumed the next argument
// as its value ("--value" but not "--value=x" or a boolean flag).
func (f *cmdFlags) takesValue(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if name == arg || strings.Contains(name, "=") {
		return false
	}
	fl := f.Lookup(name)
	if fl == nil {
		return false
	}
	b, isBool := fl.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// fail reports a usage error: one line, then the synopsis and where the
// help is. It returns exitUsage.
func (f *cmdFlags) fail(e *env, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "dcv %s: %s\n", f.cmd, fmt.Sprintf(format, a...))
	f.printSynopsis(e.stderr)
	fmt.Fprintf(e.stderr, "Run 'dcv help %s' for the flags.\n", f.cmd)
	return exitUsage
}

// given returns the names of the flags set on the command line.
func (f *cmdFlags) given() map[string]bool {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return set
}

// needs returns a usage message for the first flag in pairs (flag, the
// flag it needs) that was given without its partner, or "".
func needs(set map[string]bool, pairs ...[2]string) string {
	for _, p := range pairs {
		if set[p[0]] && !set[p[1]] {
			return fmt.Sprintf("--%s needs --%s", p[0], p[1])
		}
	}
	return ""
}

// listFlag is a flag that may be repeated; with split, each value is also
// split at commas ("--ca a,b --ca c"). check, if set, vets each value.
type listFlag struct {
	vals  []string
	split bool
	check func(string) error
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }

func (l *listFlag) Set(s string) error {
	parts := []string{s}
	if l.split {
		parts = strings.Split(s, ",")
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p == "" {
			return errors.New("empty value")
		}
		if l.check != nil {
			if err := l.check(p); err != nil {
				return err
			}
		}
		l.vals = append(l.vals, p)
	}
	return nil
}

// duration registers a duration flag that refuses negative values.
func (f *cmdFlags) duration(name string, def time.Duration, usage string) *time.Duration {
	d := def
	f.Func(name, usage+durationDefault(def), func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("want a duration such as 30s, 10m or 1h")
		}
		if v < 0 {
			return errors.New("negative duration")
		}
		d = v
		return nil
	})
	return &d
}

func durationDefault(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf(" (default %s)", d)
}

// port registers a flag holding a TCP port number, 1 to 65535.
func (f *cmdFlags) port(name, usage string) *string {
	p := new(string)
	f.Func(name, usage, func(s string) error {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 65535 {
			return errors.New("want a port number, 1 to 65535")
		}
		*p = s
		return nil
	})
	return p
}
