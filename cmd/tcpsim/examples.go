package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are the commands' --help examples, by command path, for the
// commands that do not set their own Example: every available command has
// some (TestEveryCommandHasExamples).
var examples = map[string]string{
	"tcpsim": `  tcpsim run scenarios/tcp-loss-5.yaml
  tcpsim diagram ex:01
  tcpsim sweep scenarios/sweeps/tcp-vs-udp-over-loss.yaml --vary link.loss=0,1%,5% --seeds 30
  tcpsim serve --open`,
	"tcpsim run": `  tcpsim run scenarios/tcp-loss-5.yaml
  tcpsim run ex:02 --seed 7 --format json
  tcpsim run scenarios/tcp-vs-udp.yaml --trace trace.jsonl --pcap run.pcap
  tcpsim run scenarios/networks/*.yaml --format markdown`,
	"tcpsim sweep": `  tcpsim sweep scenarios/sweeps/tcp-vs-udp-over-loss.yaml --vary link.loss=0,0.5%,1%,2%,5% --seeds 30
  tcpsim sweep scenarios/sweeps/sack-vs-newreno.yaml --vary link.forward.loss=1%,5% \
      --vary flows.file.sack=false,true --seeds 30 --format csv > sack.csv
  tcpsim sweep s.yaml --vary link.loss=0,1%,5% --seeds 1000 --shard 3/8 --out shard-3.jsonl
  sbatch --array=1-8 --wrap 'tcpsim sweep s.yaml --seeds 1000 --shard auto --out shard-$SLURM_ARRAY_TASK_ID.jsonl'`,
	"tcpsim merge": `  tcpsim merge shard-*.jsonl
  tcpsim merge shard-*.jsonl --format json > sweep.json`,
	"tcpsim validate": `  tcpsim validate
  tcpsim validate --seeds 3
  sudo tcpsim validate --linux`,
	"tcpsim diagram": `  tcpsim diagram ex:01
  tcpsim diagram scenarios/tcp-loss-5.yaml --from 1s --to 1.5s --max-packets 0
  tcpsim diagram scenarios/networks/parking-lot.yaml --hops --ascii`,
	"tcpsim exercises": `  tcpsim exercises
  tcpsim exercises show 02
  tcpsim exercises extract my-exercises/`,
	"tcpsim exercises show": `  tcpsim exercises show 02
  tcpsim exercises show 09-reno > reno.yaml`,
	"tcpsim exercises extract": `  tcpsim exercises extract my-exercises/`,
	"tcpsim serve": `  tcpsim serve --open
  tcpsim serve --addr localhost:9000
  tcpsim serve --export site/`,
	"tcpsim emulate": `  sudo tcpsim emulate scenarios/tcp-loss-5.yaml
  sudo tcpsim emulate scenarios/tcp-loss-5.yaml --pcap real.pcap --pcap-at sender`,
	"tcpsim compare": `  sudo tcpsim compare scenarios/tcp-loss-5.yaml
  sudo tcpsim compare scenarios/tcp-loss-5.yaml --seeds 10 --markdown`,
	"tcpsim completion": `  tcpsim completion bash > /etc/bash_completion.d/tcpsim
  tcpsim completion zsh > "${fpath[1]}/_tcpsim"
  tcpsim completion fish > ~/.config/fish/completions/tcpsim.fish
  tcpsim completion powershell | Out-String | Invoke-Expression`,
	"tcpsim completion bash": `  source <(tcpsim completion bash)
  tcpsim completion bash > /etc/bash_completion.d/tcpsim`,
	"tcpsim completion zsh":        `  tcpsim completion zsh > "${fpath[1]}/_tcpsim"`,
	"tcpsim completion fish":       `  tcpsim completion fish > ~/.config/fish/completions/tcpsim.fish`,
	"tcpsim completion powershell": `  tcpsim completion powershell | Out-String | Invoke-Expression`,
	"tcpsim man": `  tcpsim man man/
  man -l man/tcpsim-sweep.1`,
}

// addExamples sets the examples of root's commands that have none, and
// adds cobra's completion command first so that it gets them too.
func addExamples(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok && strings.TrimSpace(c.Example) == "" {
			c.Example = ex
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
