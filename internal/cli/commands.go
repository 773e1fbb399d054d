package cli

// Commands returns the top-level subcommands. Each lives in its own file
// (cmd_NAME.go); add one line here to register a new one.
func Commands() []*Command {
	return []*Command{
		versionCmd(),
		watchlistCmd(),
		ingestCmd(),
		searchCmd(),
		showCmd(),
		statusCmd(),
		serveCmd(),
		demoCmd(),
		inspectCmd(),
		pdftextCmd(),
		genCmd(),
		trainCmd(),
		extractCmd(),
		matchCmd(),
		entityCmd(),
		screenCmd(),
		pathCmd(), neighboursCmd(), cellsCmd(), timelineCmd(),
		benchCmd(),
		alertsCmd(),
		workerCmd(),
	}
}
