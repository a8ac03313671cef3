package run

import (
	"fmt"

	"tcpsim/internal/scenario"
	"tcpsim/model/aqm"
	"tcpsim/model/link"
	"tcpsim/model/rdt"
	"tcpsim/model/tcp"
	"tcpsim/model/udp"
	"tcpsim/sim"
)

// The translation of a scenario's links and flows into their models'
// configurations is here, in one place: internal/scenario parses and validates (and fills
// in every default), internal/run builds. Every field is explicit: the
// scenario's table of defaults has filled in what the file left out, so a
// model's own fallbacks never apply. The per-connection and per-flow
// values (ports, ISS, hosts, observers) are set where the flow is built.

// tcpConfig returns the TCP model's configuration of a flow's fields,
// the same for both ends.
func tcpConfig(t *scenario.TCPFlow) (tcp.Config, error) {
	cc, err := tcp.ParseCongestion(t.Congestion)
	if err != nil {
		return tcp.Config{}, err
	}
	hystart := tcp.HyStartAuto
	if t.HyStart != "" {
		if hystart, err = tcp.ParseHyStart(t.HyStart); err != nil {
			return tcp.Config{}, err
		}
	}
	cfg := tcp.Config{
		MSS: t.MSS, RecvBuffer: int(t.RecvBuffer), InitialWindow: t.InitialWindow,
		Congestion: cc, MaxRetries: t.MaxRetries, SynRetries: t.SynRetries, SynAckRetries: t.SynAckRetries,
		MinRTO: sim.Time(t.MinRTO), MaxRTO: sim.Time(t.MaxRTO), InitialRTO: sim.Time(t.InitialRTO),
		TimeWait: sim.Time(t.TimeWait), InitialSsthresh: t.InitialSsthresh * t.MSS, SACK: t.SACK, Timestamps: t.Timestamps,
		QuickAcks: t.QuickAcks, ECN: t.ECN, PRR: t.PRR, Pacing: t.Pacing, RACK: t.RACK, DSACK: t.DSACK, FRTO: t.FRTO, LinuxRTO: t.RTOEstimator == "linux",
		ByteCounting: t.ByteCounting, TextbookWindow: t.TextbookWindow, NewRenoRecovery: t.NewRenoRecovery, DelAckATO: t.DelAckATO, HyStart: hystart, RecvBufferMax: int(t.RecvBufferMax),
	}
	if t.DelayedAck.On {
		cfg.DelayedAck = sim.Time(t.DelayedAck.Timeout)
	}
	return cfg, nil
}

// udpConfig returns the UDP model's configuration of a flow's fields;
// the caller sets its flow number, hosts, ports and observer.
func udpConfig(f *scenario.Flow) udp.Config {
	u := f.UDP
	return udp.Config{Count: u.Count, Bytes: int64(u.Bytes), Datagram: int(u.Datagram), Rate: int64(u.Rate),
		Checksum: u.Checksum, Start: sim.Time(f.Start)}
}

// rdtConfig returns the rdt model's configuration of an rdt flow, checked
// by the model (rdt.Config.Validate).
func rdtConfig(f *scenario.Flow) (rdt.Config, error) {
	p, err := rdt.ParseProtocol(f.Protocol)
	if err != nil {
		return rdt.Config{}, fmt.Errorf("flow %s: %w", f.Name, err)
	}
	r := f.RDT
	c := rdt.Config{Protocol: p, Window: r.Window, SeqBits: r.SeqBits, Timeout: 0, Packet: int(r.Packet), Bytes: int64(r.Bytes)}
	if !r.Adaptive {
		c.Timeout = sim.Time(r.Timeout)
	}
	return c, c.Validate()
}

// LinkConfig returns the link model's configuration of one direction of
// a link, resolved by the scenario (scenario.Link.Resolved: the table of
// defaults, the link's settings, the direction's overrides). An absent
// rate is an infinitely fast link (0), an absent reorder_delay 0 (the
// scenario requires one wherever reorder is above 0%).
func LinkConfig(d scenario.Direction) link.Config {
	c := link.Config{}
	if d.Rate != nil {
		c.Rate = int64(*d.Rate)
	}
	if d.Delay != nil {
		c.Delay = sim.Time(*d.Delay)
	}
	if d.Queue != nil {
		c.QueuePackets = *d.Queue
	}
	if d.QueueBytes != nil {
		c.QueueBytes = int(*d.QueueBytes)
	}
	if l := d.Loss; l != nil {
		switch l.Model {
		case "periodic":
			c.Loss = link.Loss{Model: link.LossPeriodic, Every: l.Every}
		case "gilbert-elliott":
			c.Loss = link.Loss{Model: link.LossGilbertElliott, P: float64(l.P), R: float64(l.R), LossGood: float64(l.LossGood), LossBad: float64(l.LossBad)}
		default:
			c.Loss = link.Loss{Model: link.LossBernoulli, P: float64(l.P)}
		}
	}
	if d.Corrupt != nil {
		c.Corrupt = float64(*d.Corrupt)
	}
	if d.Duplicate != nil {
		c.Duplicate = float64(*d.Duplicate)
	}
	if d.Reorder != nil {
		c.Reorder = float64(*d.Reorder)
	}
	if d.ReorderDelay != nil {
		c.ReorderDelay = sim.Time(*d.ReorderDelay)
	}
	if d.AQM != nil {
		a, err := link.ParseDiscipline(*d.AQM)
		if err != nil {
			panic(err) // the field's decoder only accepts known names
		}
		c.AQM = a
	}
	if r := d.RED; r != nil {
		c.RED = aqm.REDParams{MinTh: float64(r.Min), MaxTh: float64(r.Max), MaxP: float64(r.MaxP), Weight: r.Weight, Gentle: r.Gentle}
	}
	if cd := d.CoDel; cd != nil {
		c.CoDel = aqm.CoDelParams{Target: sim.Time(cd.Target), Interval: sim.Time(cd.Interval)}
	}
	if d.ECN != nil {
		c.ECN = *d.ECN
	}
	return c
}
