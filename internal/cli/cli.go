// Package cli implements the mosaic command line. Subcommands are values
// (see commands.go): a name, a one-line summary, a usage line and a run
// function. Main dispatches to them and maps errors to exit codes:
//
//	0  all good
//	1  failure, or some inputs rejected while the rest were stored
//	2  usage error
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Command is one subcommand. Commands with Subs dispatch on their first
// argument (e.g. "mosaic entity merge").
type Command struct {
	Name  string // e.g. "ingest"
	Short string // one line for the command list
	Usage string // e.g. "mosaic ingest [--data DIR] [--mapping FILE] PATH..."
	Long  string // optional paragraphs shown by --help
	// Run executes the command. args excludes the command name.
	Run  func(ctx context.Context, env *Env, args []string) error
	Subs []*Command
}

// Env carries the process's streams and environment into commands, so tests
// can run commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads environment variables; defaults to os.Getenv.
	Getenv func(string) string
}

// ErrUsage marks an error as a usage error (exit code 2).
var ErrUsage = errors.New("usage")

// UsageErrorf returns a usage error with a message.
func UsageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// PartialError reports that some inputs were rejected while the rest were
// processed (exit code 1). Each rejection is listed.
type PartialError struct {
	Rejected []string
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d input(s) rejected", len(e.Rejected))
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	return Run(ctx, env, args)
}

// Run dispatches args to the command tree and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	root := &Command{Name: "mosaic", Usage: "mosaic COMMAND [ARGS...]", Subs: Commands()}
	err := dispatch(ctx, env, root, args)
	return exitCode(env, err)
}

func exitCode(env *Env, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var pe *PartialError
	switch {
	case errors.As(err, &pe):
		for _, r := range pe.Rejected {
			fmt.Fprintf(env.Stderr, "rejected: %s\n", r)
		}
		fmt.Fprintf(env.Stderr, "mosaic: %v\n", err)
		return 1
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(env.Stderr, "mosaic: %v\n", err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "mosaic: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, env *Env, c *Command, args []string) error {
	if c.Run != nil && len(c.Subs) == 0 {
		return c.Run(ctx, env, args)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return dispatch(ctx, env, c, append(args[1:], "--help"))
		}
		printCommandList(env.Stdout, c)
		if len(args) == 0 {
			return UsageErrorf("%s needs a subcommand", c.Name)
		}
		return nil
	}
	for _, s := range c.Subs {
		if s.Name == args[0] {
			return dispatch(ctx, env, s, args[1:])
		}
	}
	if c.Run != nil {
		return c.Run(ctx, env, args)
	}
	return UsageErrorf("unknown command %q (see %q)", args[0], c.Usage[:strings.Index(c.Usage+" ", " ")]+" --help")
}

func printCommandList(w io.Writer, c *Command) {
	fmt.Fprintf(w, "Usage: %s\n", c.Usage)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
	}
	fmt.Fprintf(w, "\nCommands:\n")
	subs := append([]*Command(nil), c.Subs...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	for _, s := range subs {
		fmt.Fprintf(w, "  %-12s %s\n", s.Name, s.Short)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags.\n", strings.Fields(c.Usage)[0]+suffix(c))
}

func suffix(c *Command) string {
	if c.Name == "mosaic" {
		return ""
	}
	return " " + c.Name
}

// NewFlagSet returns a flag set for cmd whose --help prints the usage line,
// the long description and the flags to env.Stdout. Parse errors are usage
// errors.
func NewFlagSet(env *Env, cmd *Command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		w := env.Stdout
		fmt.Fprintf(w, "Usage: %s\n\n%s\n", cmd.Usage, cmd.Short)
		if cmd.Long != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.Long))
		}
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
	}
	return fs
}

// Parse parses args with fs, allowing flags after positional arguments
// ("mosaic extract FILE --json"). A parse failure is a usage error; --help
// returns flag.ErrHelp (exit 0).
func Parse(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	// Re-parse the collected positional arguments only as positionals.
	return fs.Parse(append([]string{"--"}, positional...))
}
