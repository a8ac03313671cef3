package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"tcpsim/internal/analyze"
	"tcpsim/internal/diagram"
	"tcpsim/internal/direction"
	"tcpsim/internal/plot"
	"tcpsim/sim"
)

// analyzeOptions are the analyze command's flags; validate and run are
// its body.
type analyzeOptions struct {
	flow, out      string
	ascii          bool
	maxPackets     int
	width          int
	stdout, stderr io.Writer
}

func newAnalyzeCmd(stdout io.Writer) *cobra.Command {
	o := &analyzeOptions{stdout: stdout}
	cmd := &cobra.Command{
		Use:   "analyze CAPTURE [table|packets|diagram|plot]",
		Short: "Read a packet capture (pcap, pcapng): its connections as tables, ladder diagrams and plots, with Wireshark's TCP analysis",
		Long: `Read a capture (pcap or pcapng; Ethernet, raw IP or Linux cooked link
layer; IPv4 and IPv6) from tcpdump, Wireshark or tcpsim run --pcap, and
show it the way tcpsim shows its own runs:

  table    (the default) one row per TCP connection and direction:
           segments, payload bytes and how many segments carried each of
           Wireshark's analysis flags (retransmission, fast retransmission,
           spurious retransmission, duplicate ACK, zero window, window
           full, out of order, previous segment not captured); then the
           UDP flows
  packets  one line per TCP segment (of --flow, or of every connection):
           frame number, time, connection, direction, flags, relative
           sequence and ACK numbers, length, window and its analysis
           flags by tshark field name, as a stream
  diagram  the ladder diagram of one connection (--flow, default the
           first), each segment labelled with its analysis flags
  plot     the time-sequence graph and receive window of one connection
           as PNG and SVG into --out DIR

Connections are named tcp0, tcp1, ... in order of their first packet
(tshark's tcp.stream), UDP flows udp0, udp1, .... The flags follow
Wireshark's rules (tshark agrees packet by packet on tcpsim's captures;
see docs/analyze.md). A capture sees each packet once: the diagram puts
the capture at the host nearer it and draws every packet with half the
initial RTT as its one-way delay.

The capture is read as a stream in bounded memory (only --flow's
segments are kept for a diagram or plot); a truncated or corrupt file
prints what was read before the damage and exits non-zero.`,
		Example: `  tcpsim run scenarios/tcp-loss-5.yaml --pcap loss.pcap --pcap-at sender
  tcpsim analyze loss.pcap
  tcpsim analyze loss.pcap diagram --max-packets 40
  tcpsim analyze loss.pcap plot --out plots/`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.stderr = cmd.ErrOrStderr()
			view := "table"
			if len(args) == 2 {
				view = args[1]
			}
			if err := o.validate(view); err != nil {
				return err
			}
			return o.run(args[0], view)
		},
	}
	cmd.Flags().StringVar(&o.flow, "flow", "", "connection for diagram and plot: tcp0, tcp1, ... (default: the first)")
	cmd.Flags().StringVar(&o.out, "out", "", "plot: directory for the PNG and SVG files")
	cmd.Flags().BoolVar(&o.ascii, "ascii", false, "diagram: plain ASCII instead of Unicode")
	cmd.Flags().IntVar(&o.maxPackets, "max-packets", 60, "diagram: stop after this many packets (0 = all)")
	cmd.Flags().IntVar(&o.width, "width", diagram.DefaultWidth, fmt.Sprintf("diagram: most columns a line takes (at least %d)", diagram.MinWidth))
	return cmd
}

// validate checks the view and the flags, before the capture is opened.
func (o *analyzeOptions) validate(view string) error {
	switch view {
	case "table", "diagram", "packets":
	case "plot":
		if o.out == "" {
			return fmt.Errorf("analyze plot: --out DIR is required")
		}
	default:
		return fmt.Errorf("analyze %q: want table, packets, diagram or plot", view)
	}
	if o.width < diagram.MinWidth {
		return fmt.Errorf("--width %d: want at least %d columns", o.width, diagram.MinWidth)
	}
	return nil
}

// run reads the capture as a stream and shows it as view. An error
// reading it (a truncated or corrupt file) is returned after what was
// read before it has been shown.
func (o *analyzeOptions) run(file, view string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := analyze.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	opt := analyze.Options{}
	if view == "packets" {
		opt.OnSegment = packetLine(o.stdout, o.flow)
	} else if view != "table" {
		opt.Keep = o.wanted
	}
	res, readErr := analyze.Analyze(r, opt)
	if readErr != nil {
		readErr = fmt.Errorf("%s: %w (the %d frames before it are shown)", file, readErr, res.Frames)
	}
	switch view {
	case "packets": // printed while reading
		return readErr
	case "table":
		if err := analyzeTable(o.stdout, res); err != nil {
			return err
		}
		return readErr
	}
	c, err := o.conn(file, res)
	if err != nil {
		if readErr != nil {
			return readErr // the connection may be past the damage
		}
		return err
	}
	if c.Cut {
		fmt.Fprintf(o.stderr, "tcpsim analyze: %s has more than %d segments: only the first %d are drawn\n", c.Name, analyze.DefaultMaxKeep, len(c.Packets))
	}
	title := fmt.Sprintf("%s, %s: a = %s, b = %s", file, c.Name, c.A, c.B)
	if view == "diagram" {
		if err := o.diagram(c, title); err != nil {
			return err
		}
		return readErr
	}
	return o.plot(file, c, title, readErr)
}

// wanted reports whether c is the connection to draw: --flow's, or the
// first.
func (o *analyzeOptions) wanted(c *analyze.Conn) bool {
	return c.Name == o.flow || o.flow == "" && c.Index == 0
}

// conn is the connection to draw, or why there is none.
func (o *analyzeOptions) conn(file string, res *analyze.Result) (*analyze.Conn, error) {
	var c *analyze.Conn
	for _, x := range res.Conns {
		if o.wanted(x) {
			c = x
		}
	}
	switch {
	case c != nil:
		return c, nil
	case o.flow == "":
		return nil, fmt.Errorf("%s: no TCP connection in the capture", file)
	}
	return nil, fmt.Errorf("--flow %q: no such TCP connection in %s (tcpsim analyze %s lists them)", o.flow, file, file)
}

// diagram writes c's ladder diagram under title.
func (o *analyzeOptions) diagram(c *analyze.Conn, title string) error {
	fmt.Fprintf(o.stdout, "%s\n\n", title)
	_, err := io.WriteString(o.stdout, diagram.Draw(c.Trace(), diagram.Options{ASCII: o.ascii, MaxPackets: o.maxPackets, Width: o.width, Delay: analyzeDelay(c)}))
	return err
}

// plot renders c's figures into --out, saying which files it wrote;
// it returns readErr (the capture's damage) when nothing else failed.
func (o *analyzeOptions) plot(file string, c *analyze.Conn, title string, readErr error) error {
	mss := c.MSS
	if mss == 0 {
		mss = 1460
	}
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)) + "-" + c.Name
	figs, err := plot.Flows([]plot.Run{{Label: c.Name, Events: c.Trace(), MSS: mss}}, plot.Options{Name: name, Title: title})
	if err != nil {
		return errors.Join(err, readErr)
	}
	if err := renderFigures(o.stdout, figs, o.out); err != nil {
		return err
	}
	return readErr
}

// analyzeTable writes the per-connection table of a capture.
func analyzeTable(w io.Writer, res *analyze.Result) error {
	fmt.Fprintf(w, "%d frames (link type %s): %d TCP connections, %d UDP flows, %d other frames", res.Frames, res.LinkType, len(res.Conns), len(res.UDP), res.Other)
	if res.Untracked > 0 {
		fmt.Fprintf(w, ", %d frames of flows past the limit not analysed", res.Untracked)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if len(res.Conns) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "flow\tdirection\tsegments\tbytes\tretrans\tfast retrans\tspurious\tdup ACKs\tzero window\twindow full\tout of order\tnot captured\tiRTT (ms)\t")
		for _, c := range res.Conns {
			for d, dir := range []string{c.A.String() + " → " + c.B.String(), c.B.String() + " → " + c.A.String()} {
				k := &c.Dir[d]
				irtt := ""
				if d == 0 && c.IRTT > 0 {
					irtt = fmt.Sprintf("%.3f", float64(c.IRTT.Microseconds())/1000)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", c.Name, dir, k.Packets, k.Bytes,
					k.Count(analyze.Retransmission), k.Count(analyze.FastRetransmission), k.Count(analyze.SpuriousRetransmission),
					k.Count(analyze.DuplicateACK), k.Count(analyze.ZeroWindow), k.Count(analyze.WindowFull),
					k.Count(analyze.OutOfOrder), k.Count(analyze.LostSegment), irtt)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(res.UDP) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "flow\tdirection\tdatagrams\tbytes\tfirst (s)\tlast (s)\t")
		for _, u := range res.UDP {
			for d, dir := range []string{u.A.String() + " → " + u.B.String(), u.B.String() + " → " + u.A.String()} {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.6f\t%.6f\t\n", u.Name, dir, u.Dir[d].Packets, u.Dir[d].Bytes,
					u.First.Sub(res.Start).Seconds(), u.Last.Sub(res.Start).Seconds())
			}
		}
	}
	return tw.Flush()
}

// analyzeDelay is the one-way delay the diagram of c draws to scale.
func analyzeDelay(c *analyze.Conn) sim.Time { return sim.Time(c.OneWay()) }

// packetLine returns an Options.OnSegment that prints each segment of
// connection flow ("" every connection) on one line, its sequence and ACK
// numbers relative to each side's first, as Wireshark shows them.
func packetLine(w io.Writer, flow string) func(*analyze.Conn, *analyze.Packet) {
	type base struct {
		isn [2]uint32
		set [2]bool
	}
	bases := map[int]*base{}
	var t0 time.Time
	return func(c *analyze.Conn, p *analyze.Packet) {
		if t0.IsZero() {
			t0 = p.Time
		}
		b := bases[c.Index]
		if b == nil {
			b = &base{}
			bases[c.Index] = b
		}
		if !b.set[p.Dir] {
			b.isn[p.Dir], b.set[p.Dir] = p.Seq, true
		}
		if flow != "" && c.Name != flow {
			return
		}
		dir := direction.AB
		if p.Dir == 1 {
			dir = direction.BA
		}
		ack := "-"
		if p.Flags&analyze.ACK != 0 && b.set[1-p.Dir] {
			ack = fmt.Sprint(p.Ack - b.isn[1-p.Dir])
		}
		fl := ""
		if p.Analysis != 0 {
			fl = " [" + p.Analysis.String() + "]"
		}
		fmt.Fprintf(w, "%6d %12.6f %s %s %-11s seq=%d ack=%s len=%d win=%d%s\n", p.Num, p.Time.Sub(t0).Seconds(), c.Name, dir,
			analyze.FlagText(p.Flags), p.Seq-b.isn[p.Dir], ack, p.Len, p.Win, fl)
	}
}
