package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tcpsim/internal/diagram"
	"tcpsim/internal/run"
	"tcpsim/internal/scenario"
	"tcpsim/internal/trace"
	"tcpsim/sim"
)

// traceRun runs sc and returns its events for flow within [from, to].
func traceRun(sc *scenario.Scenario, seed uint64, flow string, from, to sim.Time) (*run.Result, []trace.Event, error) {
	rec := &trace.Recorder{}
	res, err := run.ScenarioWith(sc, seed, run.Options{Trace: &trace.Filter{Flow: flow, From: from, To: to, Next: rec}})
	return res, rec.Events, err
}

// window parses a time window given by two flags (fromFlag, toFlag name
// them in errors): an empty from is 0, an empty to is no end (0). An
// explicit to must be after zero and not before from.
func window(fromFlag, from, toFlag, to string) (sim.Time, sim.Time, error) {
	var f, t sim.Time
	if from != "" {
		d, err := scenario.ParseDuration(from)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", fromFlag, err)
		}
		f = sim.Time(d)
	}
	if to != "" {
		d, err := scenario.ParseDuration(to)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", toFlag, err)
		}
		t = sim.Time(d)
		if t == 0 {
			return 0, 0, fmt.Errorf("%s %s: the window would end at time zero: want a time after 0 (leave %s out for no end)", toFlag, to, toFlag)
		}
		if f > t {
			return 0, 0, fmt.Errorf("%s %s is after %s %s: want %s no later than %s", fromFlag, from, toFlag, to, fromFlag, toFlag)
		}
	}
	return f, t, nil
}

// flowRun is what diagram and plot share: load FILE, pick the flow (the
// first by default), choose the seed (--seed overrides the file's).
type flowRun struct {
	sc   *scenario.Scenario
	flow string
	seed uint64
}

func loadFlowRun(cmd *cobra.Command, file, flow string, seed uint64) (*flowRun, error) {
	sc, err := loadScenario(file)
	if err != nil {
		return nil, err
	}
	r := &flowRun{sc: sc, flow: flow, seed: sc.Seed}
	if flow == "" {
		r.flow = sc.Expanded(sc.Seed)[0].Name // a repeated flow's first member
	} else if !hasFlow(sc, flow) {
		return nil, fmt.Errorf("--flow %q: %s", flow, sc.NoSuchFlow(flow))
	}
	if cmd.Flags().Changed("seed") {
		r.seed = seed
	}
	return r, nil
}

func newDiagramCmd(stdout io.Writer) *cobra.Command {
	var (
		flow, from, to string
		format         string
		ascii, hops    bool
		seed           uint64
		maxPackets     int
		width          int
		emulated       bool
		runs           []string
	)
	cmd := &cobra.Command{
		Use:   "diagram FILE",
		Short: "Draw the ladder (sequence) diagram of a flow between its two hosts",
		Long: `Draw the textbook ladder diagram of one flow: its two hosts as two lanes,
time going down to scale, each packet a sloping arrow from departure to
arrival, lost packets ending in X half way. Every packet, note and timer
has a row of its own with its label beside it (relative sequence and ACK
numbers from each side's ISN, as Wireshark shows them, whatever the
window; datagrams numbered from the flow's first); an arrival's row says
what arrived, and a packet that waited in its sender's queue behind others
sent at the same instant says how long ("queued 0.864 ms": their
serialisation times). An idle stretch longer
than two one-way delays is one row, "~~~ 0.959 s later ~~~"; a
retransmission (or persist) timer that fires is a bracket in its host's
margin from where it was armed to where it fired, labelled with the RTO
("re-armed by ACK ack=N" when an ACK arriving at that instant re-armed it:
it then guards seq=N, not the segment sent just above the bracket).
Lines fit --width columns (long labels wrap). After --max-packets packets
one line says the chart was truncated, and nothing follows it.

In a topology (nodes: and links:) the lanes are the flow's sender and
receiver hosts: each packet is one arrow across every hop, and a loss or
drop on any hop ends in X saying where ("lost on r1->r2"). --hops adds a
lane per router on the path and draws each packet hop by hop, a heavy
lane while it waits in a node's output queue. --hops is refused when the
packets come back by other routers than they went (an asymmetric route).

--format svg writes the same chart as an SVG document for slides and
handouts, --format html as a page holding it: every row at an absolute
position and every label one text element on rows of its own, so the
chart survives any font and line height (a pasted text ladder does not).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if maxPackets < 0 {
				return fmt.Errorf("--max-packets %d: want 0 (all packets) or a positive number", maxPackets)
			}
			if format != "text" && format != "svg" && format != "html" {
				return fmt.Errorf("--format %q: want text, svg or html", format)
			}
			if width < diagram.MinWidth {
				return fmt.Errorf("--width %d: want at least %d columns (lanes and labels side by side)", width, diagram.MinWidth)
			}
			f, t, err := window("--from", from, "--to", to)
			if err != nil {
				return err
			}
			fr, err := loadFlowRun(cmd, args[0], flow, seed)
			if err != nil {
				return err
			}
			sc, s, name := fr.sc, fr.seed, fr.flow
			if hops && !sc.Topology() {
				return fmt.Errorf("--hops: %s has no routers (the two-host form, link:); --hops is for a topology (nodes: and links:)", sc.File)
			}
			// The whole flow is traced: relative numbers come from the
			// ISN and datagrams are numbered from the first, whatever
			// the window; the diagram applies the window itself.
			var res *run.Result
			var evs []trace.Event
			if emulated || len(runs) > 0 {
				res, evs, err = emulateTrace(sc, s, name, runs, cmd.ErrOrStderr())
			} else {
				res, evs, err = traceRun(sc, s, name, 0, 0)
			}
			if err != nil {
				return err
			}
			opt := diagram.Options{ASCII: ascii, MaxPackets: maxPackets, Width: width, From: f, To: t, Hops: hops}
			title := fmt.Sprintf("%s (seed %d), flow %s", sc.Name, s, name)
			if res.Emulated != nil {
				title += ", emulated (real kernel packets)"
			}
			if sc.Topology() {
				r, delay := flowRoute(res, name)
				if r == nil {
					return fmt.Errorf("%s: flow %s has no path from its sender to its receiver", sc.File, name)
				}
				if hops && !diagram.LanesFit(len(r.Path), width) {
					return fmt.Errorf("--hops: the path of flow %s has %d nodes, too many lanes for --width %d: widen --width", name, len(r.Path), width)
				}
				if hops && !r.Symmetric() {
					return fmt.Errorf("--hops: the ACKs of flow %s return by %s, not the data's path %s: the routers only the way back crosses have no lane; drop --hops for the end-to-end ladder",
						name, strings.Join(r.Back, " "), strings.Join(r.Path, " "))
				}
				opt.Route, opt.Delay = r, delay
				title += " (" + strings.Join(r.Path, " → ") + ")"
				if ascii {
					title = strings.ReplaceAll(title, "→", "->")
				}
			} else {
				opt.Delay = run.LinkConfig(sc.LinkDirection("forward")).Delay
			}
			switch format {
			case "svg":
				_, err = io.WriteString(stdout, diagram.SVG(evs, opt, title))
			case "html":
				_, err = io.WriteString(stdout, diagram.HTML(evs, opt, title))
			default:
				fmt.Fprintf(stdout, "%s\n\n", title)
				_, err = io.WriteString(stdout, diagram.Draw(evs, opt))
			}
			return err
		},
	}
	cmd.Flags().StringVar(&flow, "flow", "", "flow to draw (default: the first)")
	cmd.Flags().StringVar(&from, "from", "", "start of the time window, e.g. 1.2s")
	cmd.Flags().StringVar(&to, "to", "", "end of the time window")
	cmd.Flags().BoolVar(&ascii, "ascii", false, "plain ASCII instead of Unicode")
	cmd.Flags().StringVar(&format, "format", "text", "output: text, svg (an SVG document) or html (a page holding the SVG)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "override the scenario's seed")
	cmd.Flags().IntVar(&maxPackets, "max-packets", 60, "stop after this many packets (0 = all)")
	cmd.Flags().BoolVar(&hops, "hops", false, "topology: a lane per router on the flow's path, each packet drawn hop by hop")
	cmd.Flags().IntVar(&width, "width", diagram.DefaultWidth, fmt.Sprintf("most columns a line takes (at least %d)", diagram.MinWidth))
	cmd.Flags().BoolVar(&emulated, "emulate", false, "draw an emulated run (tcpsim emulate: the real kernel's packets; Linux, root)")
	cmd.Flags().StringArrayVar(&runs, "run", nil, "with --emulate (implied): carry a host's flows by a command, HOST='COMMAND ARGS...'")
	return cmd
}

// flowRoute returns the way the packets of flow name go in a topology's
// run: the nodes out to the receiver and back, each link direction's
// delay, and the one-way propagation delay out (nil if the flow has no
// path).
func flowRoute(res *run.Result, name string) (*diagram.Route, sim.Time) {
	var path []string
	for _, f := range res.Flows {
		if f.Name == name {
			path = f.Path
		}
	}
	if len(path) < 2 {
		return nil, 0
	}
	r := &diagram.Route{Path: path, Back: res.PathOf(path[len(path)-1], path[0]), Delay: res.LinkDelays()}
	return r, r.OneWay()
}
