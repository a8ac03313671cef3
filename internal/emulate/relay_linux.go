package emulate

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"tcpsim/internal/run"
	"tcpsim/model/hist"
	"tcpsim/model/link"
	"tcpsim/sim"
)

// Relay timing. The relay sleeps in ppoll until the next event of the
// engine, but for a release (a packet written to a TUN) it wakes its spin
// margin earlier and spins the rest: the margin is measured from its own
// recent wake-ups (margin.go). It never sleeps longer than maxSleep, so
// that it sees a stop request promptly.
const (
	maxSleep = 10 * sim.Millisecond
	// spinBudget is how much of every spinWindow the relay may spend
	// spinning.
	spinWindow = 100 * sim.Millisecond
	spinBudget = 30 * sim.Millisecond
	// stallOver: a step of the loop (or a ppoll overshoot) longer than
	// this is counted as a stall.
	stallOver = sim.Millisecond
)

// relay joins the hosts' TUN devices through the fabric's links, keeping
// the engine's clock in step with the wall clock: simulated time is the
// monotonic time since the relay started. A packet read from a TUN
// enters its link at the instant it was read (the engine is first run up
// to that instant, so that every earlier release has happened); a packet
// a link delivers is written to its host's TUN when the engine reaches
// its release time. One goroutine, locked to its thread, does all of it:
// the fabric is single-threaded, like every simulated run.
type relay struct {
	fab   *run.Fabric
	eng   *sim.Engine
	pool  *link.Pool
	fds   []int
	start time.Time
	cls   *classifier

	stop  atomic.Bool  // set by the conductor: every flow has finished
	intr  *atomic.Bool // set on SIGINT/SIGTERM
	until sim.Time

	notes chan note
	// traced: a trace is being written; corrupting: a link corrupts at
	// random. Only then are delivered packets' checksums verified.
	traced, corrupting bool

	// spin budget: the window's start and the spinning so far in it
	window, spun sim.Time
	// wake: how late the recent sleeps woke, and so the spin margin
	wake wakeMargin
	// woke: this step began with a sleep's end, at wokeAt
	woke   bool
	wokeAt sim.Time

	// measured
	em       run.Emulation
	errs     hist.Histogram // release errors, ns (to within hist.RelErr)
	awake    hist.Histogram // those of releases due while the relay was awake
	overs    hist.Histogram // sleep overshoots, ns
	writeErr int64
	reason   sim.StopReason
}

// note is a line for the trace from outside the relay (the built-in
// sender's TCP_INFO samples).
type note struct {
	flow, kind, detail string
	v, v2              int64
}

// hostRx is the receiver of the links that end at host i.
type hostRx struct {
	r *relay
	i int
}

// Receive implements link.Receiver: the packet's release time has come
// (the engine's clock), and it is written to the host's TUN now.
func (h hostRx) Receive(pkt link.Packet) {
	r := h.r
	r.cls.delivered(h.i, pkt)
	if r.traced && (pkt.Fault.Scripted() || r.corrupting) {
		r.fab.Delivered(h.i, pkt)
	}
	if _, err := unix.Write(r.fds[h.i], pkt.Buf); err != nil {
		r.writeErr++
	}
	late := r.now() - r.eng.Now()
	r.errs.Record(int64(max(late, 0)))
	if !r.woke || r.wokeAt <= r.eng.Now() {
		r.awake.Record(int64(max(late, 0)))
		r.em.AwakeReleases++
	}
	r.em.Releases++
	r.pool.Put(pkt.Buf)
}

func (r *relay) now() sim.Time { return sim.Time(time.Since(r.start)) }

// loop runs the relay until the conductor stops it, the budget (until)
// is spent or the run is interrupted.
func (r *relay) loop() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Best effort: a fine timer slack (1 ns instead of 50 µs), so that
	// ppoll wakes when asked. No real-time priority: the relay runs on
	// the host, beside everyone else's work, and a SCHED_FIFO thread
	// that spins would take a CPU from them (and be throttled by the
	// kernel for tens of milliseconds at a stretch).
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	pfds := make([]unix.PollFd, len(r.fds))
	for i, fd := range r.fds {
		pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	cpu0 := threadCPU()
	wall0 := r.now()
	defer func() { r.em.CPU, r.em.Wall = threadCPU()-cpu0, r.now()-wall0 }()
	stepStart := r.now()
	for {
		switch {
		case r.intr != nil && r.intr.Load():
			r.reason = sim.Interrupted
		case r.stop.Load():
			r.reason = sim.Stopped
		}
		if r.reason != 0 || r.now() >= r.until {
			if r.reason == 0 {
				r.reason = sim.TimeLimit
			}
			break
		}
		r.drainNotes()
		for i, fd := range r.fds {
			for {
				b := r.pool.Get(2048)
				b = b[:cap(b)]
				n, err := unix.Read(fd, b)
				if err != nil {
					r.pool.Put(b)
					if errors.Is(err, unix.EINTR) {
						continue
					}
					break // EAGAIN: nothing more now
				}
				r.eng.RunTo(max(r.now(), r.eng.Now()))
				r.em.Packets++
				r.place(i, b[:n])
			}
		}
		now := max(r.now(), r.eng.Now())
		r.eng.RunTo(now)
		if d := r.now() - stepStart; d > stallOver {
			r.stall(d)
		}
		// Spin within a budget: a relay that spins all the time (a busy
		// link, a release every 120 µs at 100 Mbps) would take a CPU from
		// everything else. Past the budget it sleeps to the release time
		// itself and pays the wake-up latency instead.
		if now-r.window >= spinWindow {
			r.window, r.spun = now, 0
		}
		margin := r.wake.margin()
		if r.spun >= spinBudget {
			margin = 0
		}
		at, pending := r.wakeAt(now, margin)
		if at > now {
			timeout := at - now
			ts := unix.NsecToTimespec(int64(timeout))
			before := r.now()
			n, _ := unix.Ppoll(pfds, &ts, nil)
			r.woke, r.wokeAt = true, r.now()
			if n == 0 {
				over := r.now() - before - timeout
				r.wake.record(over)
				r.overs.Record(int64(max(over, 0)))
				if over > stallOver {
					r.stall(over)
				}
			}
		} else {
			r.woke = false
			if pending {
				r.spun += r.now() - stepStart
			}
		}
		stepStart = r.now()
	}
	r.eng.RunTo(max(r.now(), r.eng.Now()))
	r.drainNotes()
}

// wakeAt returns when the relay should look at the engine again: at its
// next event, except that for a release it wakes margin earlier (and
// spins the rest); at the latest maxSleep from now. Other events (a
// transmission ending, a packet reaching a router) only move the model:
// the engine runs them at their own times whenever the relay gets to
// them, and a packet read meanwhile enters after them, so waking for
// them late costs nothing. pending says whether any event is due.
func (r *relay) wakeAt(now, margin sim.Time) (at sim.Time, pending bool) {
	at = now + maxSleep
	if next, ok := r.eng.Next(); ok {
		at, pending = min(at, next), true
	}
	if rel, ok := r.fab.NextRelease(); ok {
		at = min(at, rel-margin)
	}
	return at, pending
}

// threadCPU is the calling thread's CPU time so far.
func threadCPU() sim.Time {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) != nil {
		return 0
	}
	return sim.Time(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r *relay) stall(d sim.Time) {
	r.em.Stalls++
	r.em.MaxStall = max(r.em.MaxStall, d)
}

// place puts a packet read from host i's TUN on the host's link, tagged
// with its flow.
func (r *relay) place(i int, b []byte) {
	flow, ok := r.cls.sent(i, b, r.eng.Now())
	if !ok {
		r.em.Dropped++
		r.pool.Put(b)
		return
	}
	retrans := r.fab.Send(i, link.Packet{Buf: b, Flow: flow})
	if retrans && flow >= 0 {
		r.cls.flows[flow].retrans++
	}
}

func (r *relay) drainNotes() {
	for {
		select {
		case n := <-r.notes:
			r.fab.Note(n.flow, n.kind, n.detail, n.v, n.v2)
		default:
			return
		}
	}
}

// figures fills in the timing summary.
func (r *relay) figures() run.Emulation {
	em := r.em
	em.StallOver = stallOver
	if r.errs.Count() > 0 {
		em.ReleaseP50, em.ReleaseP99 = sim.Time(r.errs.Quantile(0.5)), sim.Time(r.errs.Quantile(0.99))
		em.ReleaseMax = sim.Time(r.errs.Max())
	}
	if r.awake.Count() > 0 {
		em.AwakeP99 = sim.Time(r.awake.Quantile(0.99))
	}
	if r.overs.Count() > 0 {
		em.WakeP99 = sim.Time(r.overs.Quantile(0.99))
	}
	return em
}
