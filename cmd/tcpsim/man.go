package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// sourceDateEpoch, when set (seconds since 1970, the reproducible-builds
// convention), dates the man pages; otherwise they carry today's date.
const sourceDateEpoch = "SOURCE_DATE_EPOCH"

func newManCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write a man page for every command into DIR (tcpsim.1, tcpsim-run.1, ...)",
		Long: `Write the manual pages of tcpsim and of each of its commands, section 1,
generated from the same command tree as --help, into DIR (created if
missing). The release archives carry them in man/. The pages are dated
by SOURCE_DATE_EPOCH when it is set, else today.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			date := time.Now().UTC()
			if s := os.Getenv(sourceDateEpoch); s != "" {
				sec, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("%s=%q: want seconds since 1970", sourceDateEpoch, s)
				}
				date = time.Unix(sec, 0).UTC()
			}
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			hdr := &doc.GenManHeader{Title: "TCPSIM", Section: "1", Source: "tcpsim", Manual: "tcpsim manual", Date: &date}
			if err := doc.GenManTree(root, hdr, args[0]); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			fmt.Fprintln(stdout, "wrote the man pages into", args[0])
			return nil
		},
	}
}
