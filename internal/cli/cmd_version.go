package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

func versionCmd() *Command {
	c := &Command{
		Name:  "version",
		Short: "print the version of this binary",
		Usage: "mosaic version",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		if err := Parse(fs, args); err != nil {
			return err
		}
		v := "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		fmt.Fprintf(env.Stdout, "mosaic %s\n", v)
		return nil
	}
	return c
}
