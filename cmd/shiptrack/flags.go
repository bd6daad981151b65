package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// errHelpShown ends a command that was asked for its help: not a failure.
var errHelpShown = errors.New("help shown")

// flagSet is a command's flags with the synopsis its help prints.
type flagSet struct {
	*pflag.FlagSet
	synopsis string
}

func newFlagSet(name, synopsis string) *flagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.Usage = func() {}
	fs.SortFlags = false
	return &flagSet{FlagSet: fs, synopsis: synopsis}
}

// parse reads args, flags and arguments in any order. On -h it prints the
// command's help and returns errHelpShown; on a mistake it prints the mistake
// and the flags and returns errUsageShown.
func parse(fs *flagSet, e *env, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintf(e.stdout, "usage: shiptrack %s %s\n\n%s", fs.Name(), fs.synopsis, fs.FlagUsages())
		return errHelpShown
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shiptrack %s: %v\nusage: shiptrack %s %s\n\n%s", fs.Name(), err, fs.Name(), fs.synopsis, fs.FlagUsages())
		return errUsageShown
	}
	return nil
}
