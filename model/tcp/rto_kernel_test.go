package tcp

import (
	"testing"

	"tcpsim/sim"
)

// linuxEstimator is Linux's estimator with a 200 ms minimum RTO.
func linuxEstimator() *rttEstimator {
	r := &rttEstimator{}
	r.init(&Config{LinuxRTO: true, InitialRTO: sim.Second, MinRTO: 200 * ms, MaxRTO: 120 * sim.Second, Granularity: ms})
	return r
}

// steady feeds n samples of rtt, each in a new window of data (SND.UNA
// past the SND.NXT of the one before, which is 1000 above it).
func steady(r *rttEstimator, n int, rtt sim.Time) {
	for range n {
		r.at(r.una+2000, r.nxt+2000)
		r.sample(rtt)
	}
}

// Linux's RTO (tcp_rtt_estimator, tcp_set_rto) against RFC 6298's on a
// path whose RTT is steady: the first sample gives SRTT + 2·RTT's
// deviation term, at least rto_min, as both do; after that RFC 6298's
// deviation decays to nothing and its RTO to max(SRTT, rto_min), where
// Linux's never falls below SRTT + rto_min.
func TestLinuxRTOSteadyPath(t *testing.T) {
	for _, c := range []struct {
		name               string
		rtt                sim.Time
		firstRTO, linuxRTO sim.Time
		rfcMax             sim.Time
	}{
		{"10 ms path", 10 * ms, 210 * ms, 210 * ms, 200 * ms},
		{"40 ms path", 40 * ms, 240 * ms, 240 * ms, 200 * ms},
		{"200 ms path", 200 * ms, 600 * ms, 400 * ms, 210 * ms},
		{"500 ms path (a full queue)", 500 * ms, 1500 * ms, 700 * ms, 510 * ms},
	} {
		r := linuxEstimator()
		r.at(0, 1000)
		r.sample(c.rtt)
		if r.rto != c.firstRTO {
			t.Errorf("%s: first sample: RTO %v, want SRTT + max(2·RTT, rto_min) = %v", c.name, r.rto, c.firstRTO)
		}
		steady(r, 100, c.rtt)
		if r.rto-c.linuxRTO >= sim.Microsecond || r.rto < c.linuxRTO || r.srtt != c.rtt {
			t.Errorf("%s: after 100 windows: SRTT %v RTO %v, want %v and SRTT + rto_min = %v", c.name, r.srtt, r.rto, c.rtt, c.linuxRTO)
		}
		rfc := &rttEstimator{}
		rfc.init(&Config{InitialRTO: sim.Second, MinRTO: 200 * ms, MaxRTO: 120 * sim.Second, Granularity: ms})
		for range 101 {
			rfc.sample(c.rtt)
		}
		if rfc.rto > c.rfcMax {
			t.Errorf("%s: RFC 6298's RTO %v, want at most %v", c.name, rfc.rto, c.rfcMax)
		}
	}
}

// A sample below SRTT raises Linux's deviation an eighth as much as one as
// far above it ("only increase mdev by a fraction" when the RTT falls), and
// the RTO's deviation term follows the largest deviation of the window at
// once, then decays by a quarter of the excess per window.
func TestLinuxRTODeviation(t *testing.T) {
	r := linuxEstimator()
	r.at(0, 1000)
	r.sample(100 * ms)
	steady(r, 200, 100*ms) // mdev decays to nothing
	if r.mdev > ms {
		t.Fatalf("mdev %v after a steady RTT, want about 0", r.mdev)
	}
	base := r.mdev
	r.at(r.una, r.nxt) // same window
	r.sample(20 * ms)  // 80 ms below SRTT
	down := r.mdev - base
	r2 := *r
	r2.mdev, r2.srtt = base, 100*ms
	r2.sample(180 * ms) // 80 ms above
	up := r2.mdev - base
	if down <= 0 || up < 7*down || up > 9*down {
		t.Errorf("mdev grew by %v for a sample 80 ms below SRTT and %v for one above; want the first an eighth of the second", down, up)
	}
	// A jump of the deviation in one window lifts the RTO at once, then
	// the RTO decays by a quarter of the excess per window.
	r = linuxEstimator()
	r.at(0, 1000)
	r.sample(100 * ms)
	steady(r, 200, 100*ms)
	r.at(r.una, r.nxt)
	r.sample(400 * ms) // err 300 ms: mdev (four deviations) grows by ~300 ms
	jump := r.rttvar
	if jump < 290*ms {
		t.Fatalf("rttvar %v after a 300 ms jump, want it lifted at once", jump)
	}
	before := r.rttvar
	steady(r, 2, r.srtt) // the window of the jump ends, then one decays
	if r.rttvar >= before || r.rttvar < 200*ms {
		t.Errorf("rttvar %v a window after %v: want it decaying, never below rto_min", r.rttvar, before)
	}
	steady(r, 100, 100*ms)
	if r.rttvar-200*ms >= sim.Microsecond || r.rttvar < 200*ms {
		t.Errorf("rttvar %v after 100 steady windows, want rto_min (less than 1 µs above: the integer decay's remainder)", r.rttvar)
	}
}
