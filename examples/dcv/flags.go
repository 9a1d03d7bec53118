package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// cmdFlags is one subcommand's flag set with the tool's conventions: flags
// may follow positional arguments, -h/--help prints the usage on stdout
// and exits 0, a usage error prints it on stderr and exits 64.
type cmdFlags struct {
	*flag.FlagSet
	synopsis []string // usage lines after "usage: "
	notes    string   // printed after the flag list
}

func newFlags(name string, synopsis ...string) *cmdFlags {
	fs := flag.NewFlagSet("dcv "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself
	return &cmdFlags{FlagSet: fs, synopsis: synopsis}
}

func (f *cmdFlags) usage(w io.Writer) {
	for i, s := range f.synopsis {
		prefix := "usage: "
		if i > 0 {
			prefix = "       "
		}
		fmt.Fprintln(w, prefix+s)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags (one or two dashes; before or after the arguments):")
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
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
				f.usage(e.stdout)
				return nil, exitOK, false
			}
			return nil, f.fail(e, "%v", err), false
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

// fail reports a usage error and returns exitUsage.
func (f *cmdFlags) fail(e *env, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "%s: %s\n", f.Name(), fmt.Sprintf(format, a...))
	f.usage(e.stderr)
	return exitUsage
}

// listFlag is a flag that may be repeated; with split, each value is also
// split at commas ("--resolver a,b --resolver c").
type listFlag struct {
	vals  []string
	split bool
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
		l.vals = append(l.vals, p)
	}
	return nil
}

// durationFlag registers a duration flag that refuses negative values.
func (f *cmdFlags) duration(name string, def time.Duration, usage string) *time.Duration {
	d := def
	f.Func(name, usage+durationDefault(def), func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
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
