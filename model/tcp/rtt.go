package tcp

import (
	"tcpsim/model/seqnum"
	"tcpsim/sim"
)

// rttK is RFC 6298's variance multiplier K.
const rttK = 4

// rttEstimator is RFC 6298's round-trip-time estimator and retransmission
// timeout: SRTT, RTTVAR and RTO in integer nanoseconds, one segment timed
// at a time, Karn's algorithm (no sample from a retransmitted segment) and
// exponential backoff.
type rttEstimator struct {
	srtt, rttvar sim.Time // SRTT and RTTVAR (RFC 6298 §2)
	rto          sim.Time // RTO, backed off by backoff until the next sample
	hasRTT       bool     // a first measurement has been taken
	// The segment being timed: a sample is taken when an ACK covers seq
	// (its end), if timing is still set (Karn's algorithm clears it when
	// anything is retransmitted).
	timing bool
	seq    seqnum.Value
	start  sim.Time

	minRTO, maxRTO, granularity sim.Time // Config.MinRTO, MaxRTO, Granularity G
	samples                     int64    // measurements taken (Stats.RTTSamples)
	latest                      sim.Time // the last measurement, for HyStart's delay samples
	// obs, if set (Config.Observer), sees every measurement with the
	// SRTT, RTTVAR and RTO it produced.
	obs Observer

	// linux selects Linux's estimator (Config.LinuxRTO, rto_kernel.go):
	// rttvar then holds Linux's rttvar_us (four mean deviations, never
	// below minRTO), mdev and mdevMax its mdev_us and mdev_max_us, and
	// rttSeq its rtt_seq; una and nxt are SND.UNA (the ACK being
	// processed) and SND.NXT when a sample is taken.
	linux         bool
	mdev, mdevMax sim.Time
	rttSeq        seqnum.Value
	una, nxt      seqnum.Value
}

func (r *rttEstimator) init(cfg *Config) {
	r.rto = cfg.InitialRTO
	r.minRTO, r.maxRTO, r.granularity = cfg.MinRTO, cfg.MaxRTO, cfg.Granularity
	r.obs = cfg.Observer
	r.linux = cfg.LinuxRTO
}

// at tells the estimator SND.UNA (the ACK being processed) and SND.NXT
// before an ACK's sample, for Linux's once-per-window update.
func (r *rttEstimator) at(una, nxt seqnum.Value) { r.una, r.nxt = una, nxt }

// sample updates SRTT, RTTVAR and RTO with a measurement m, as RFC 6298
// §2.2–2.4 says, in integer nanoseconds. α = 1/8 and β = 1/4.
func (r *rttEstimator) sample(m sim.Time) {
	if r.linux {
		r.sampleLinux(m)
		return
	}
	r.samples++
	r.latest = m
	if !r.hasRTT {
		r.srtt = m
		r.rttvar = m / 2
		r.hasRTT = true
	} else {
		d := r.srtt - m
		if d < 0 {
			d = -d
		}
		r.rttvar = sim.Blend(r.rttvar, 3, d, 1) // RTTVAR <- (1-β)·RTTVAR + β·|SRTT-R'|
		r.srtt = sim.Blend(r.srtt, 7, m, 1)     // SRTT <- (1-α)·SRTT + α·R'
	}
	r.rto = r.clamp(r.srtt.Add(max(r.granularity, r.rttvar.Mul(rttK))))
	if r.obs != nil {
		r.obs.TCPEvent(EvRTT, Note{RTT: m, SRTT: r.srtt, RTTVar: r.rttvar, RTO: r.rto})
	}
}

// clamp bounds a timeout to [MinRTO, MaxRTO] (RFC 6298 §2.4–2.5).
func (r *rttEstimator) clamp(t sim.Time) sim.Time { return min(max(t, r.minRTO), r.maxRTO) }

// backoff doubles the RTO (RFC 6298 §5.5), up to the maximum.
func (r *rttEstimator) backoff() { r.rto = min(r.rto.Mul(2), r.maxRTO) }

// startTiming times the segment ending at end, sent now, unless one is
// being timed already.
func (r *rttEstimator) startTiming(end seqnum.Value, now sim.Time) {
	if !r.timing {
		r.timing = true
		r.seq = end
		r.start = now
	}
}

// acked takes a sample if ack covers the segment being timed.
func (r *rttEstimator) acked(ack seqnum.Value, now sim.Time) {
	if r.timing && r.seq.LessThanEq(ack) {
		r.timing = false
		r.sample(now - r.start)
	}
}

// sampleTS takes an RTT measurement from an echoed timestamp (RFC 7323
// §4): ticks of the timestamp clock (tsClock), at least one. With
// timestamps every ACK of new data gives a sample, not one per round trip,
// so the gains are divided by the samples expected per round trip (RFC
// 7323 Appendix G): ExpectedSamples = ceil(FlightSize / (2·SMSS)), α' =
// 1/(8·ExpectedSamples), β' = 1/(4·ExpectedSamples); with one sample it is
// RFC 6298's update.
func (r *rttEstimator) sampleTS(ticks uint32, flight, smss int) {
	m := max(sim.Time(ticks), 1) * tsTick
	n := sim.Time(max(1, (flight+2*smss-1)/(2*smss)))
	if n == 1 || !r.hasRTT || r.linux {
		r.sample(m)
		return
	}
	r.samples++
	r.latest = m
	d := r.srtt - m
	if d < 0 {
		d = -d
	}
	r.rttvar += (d - r.rttvar) / (4 * n) // RTTVAR <- (1-β')·RTTVAR + β'·|SRTT-R'|
	r.srtt += (m - r.srtt) / (8 * n)     // SRTT <- (1-α')·SRTT + α'·R'
	r.rto = r.clamp(r.srtt.Add(max(r.granularity, r.rttvar.Mul(rttK))))
	if r.obs != nil {
		r.obs.TCPEvent(EvRTT, Note{RTT: m, SRTT: r.srtt, RTTVar: r.rttvar, RTO: r.rto})
	}
}
