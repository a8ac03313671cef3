package rdt

import (
	"strconv"

	"tcpsim/model/payload"
	"tcpsim/sim"
)

// App takes the bytes a receiver delivers, in the order it delivers them.
type App interface {
	Deliver(data []byte)
}

// ReceiverStats are a receiver's counters.
type ReceiverStats struct {
	DataReceived        int64 // data packets that passed the checksum
	Delivered           int64 // packets handed to the application
	Duplicates          int64 // packets already received (or taken for such): discarded, ACKed again
	OutOfOrderDiscarded int64 // stop-and-wait, Go-Back-N: a later packet than the one expected, discarded
	OutOfOrderBuffered  int64 // Selective Repeat: a packet inside the window but not its base, buffered
	Ignored             int64 // Selective Repeat: outside both the window and the one before it
	Corrupt             int64 // failed the checksum or the header checks
	AcksSent            int64
	NAKsSent            int64 // rdt 2.0, 2.1: NAKs sent for corrupted packets
	MaxBuffered         int   // Selective Repeat: most packets held out of order at once
}

// Receiver is the receiving end of an rdt flow (K&R Figures 3.14, 3.21,
// 3.24). base is expectedseqnum (stop-and-wait, Go-Back-N) or rcv_base
// (Selective Repeat): the absolute number of the next packet the receiver
// believes is due.
type Receiver struct {
	cfg  Config
	app  App
	out  Output
	obs  Observer
	mask int64
	base int64
	buf  [][]byte // Selective Repeat: buffered payloads by absolute number mod N
	have []bool
	held int // packets buffered now
	st   ReceiverStats
	hdr  Header // handed to Output by pointer; kept here so that it does not escape
	// state is the rdt 2.x FSM state (NoState for the others).
	state State
}

// NewReceiver returns a receiver for cfg delivering to app; obs may be nil.
func NewReceiver(cfg Config, app App, out Output, obs Observer) *Receiver {
	r := &Receiver{cfg: cfg, app: app, out: out, obs: obs, mask: seqMask(cfg)}
	if cfg.Protocol == SelectiveRepeat {
		r.buf = make([][]byte, cfg.Window)
		r.have = make([]bool, cfg.Window)
	}
	return r
}

// Stats returns the counters so far.
func (r *Receiver) Stats() ReceiverStats { return r.st }

// Base returns expectedseqnum or rcv_base (absolute).
func (r *Receiver) Base() int64 { return r.base }

// Buffered returns how many packets the receiver holds out of order.
func (r *Receiver) Buffered() int { return r.held }

// Corrupt handles a data packet that failed the checksum. Stop-and-wait
// and Go-Back-N send the ACK of the last packet received in order again
// (rdt 2.2/3.0; GBN's "default" action, K&R Figure 3.21); Selective Repeat
// ignores it; rdt 2.0 and 2.1 send a NAK, rdt 2.2 its last ACK again.
func (r *Receiver) Corrupt() {
	r.st.Corrupt++
	if r.cfg.Protocol.rdt2() {
		r.corrupt2()
		return
	}
	if r.cfg.Protocol != SelectiveRepeat {
		r.ack(uint16((r.base - 1) & r.mask))
	}
}

// Input processes a data packet that passed the checksum.
func (r *Receiver) Input(h *Header, data []byte) {
	if h.Type != Data || int(h.SeqBits) != r.cfg.SeqBits {
		r.Corrupt()
		return
	}
	r.st.DataReceived++
	if r.cfg.Protocol == SelectiveRepeat {
		r.inputSR(int64(h.Seq), data)
	} else {
		r.inputGBN(int64(h.Seq), data)
	}
}

// inputGBN: deliver the expected packet and ACK it; discard anything else
// and ACK the last packet received in order (K&R Figure 3.21; for N = 1
// and k = 1 this is rdt 3.0's receiver, Figure 3.14).
func (r *Receiver) inputGBN(seq int64, data []byte) {
	if seq == r.base&r.mask {
		r.app.Deliver(data)
		r.st.Delivered++
		r.base++
		if r.cfg.Protocol.rdt2() {
			r.setState(r.deliveredWhy(seq))
		}
		r.ack(uint16(seq))
		return
	}
	if r.cfg.Protocol.rdt2() {
		r.st.Duplicates++
		r.duplicate2(seq)
		return
	}
	last := uint16((r.base - 1) & r.mask)
	// A packet up to N−1 ahead of the one expected is one the sender may
	// have sent after it: out of order. Anything else is a copy of one
	// already delivered.
	if d := (seq - r.base) & r.mask; d >= 1 && d < int64(r.cfg.Window) {
		r.st.OutOfOrderDiscarded++
		r.decide(seq, " out of order: discarded, re-ACK ", int(last))
	} else {
		r.st.Duplicates++
		r.decide(seq, " duplicate: discarded, re-ACK ", int(last))
	}
	r.ack(last)
}

// inputSR (K&R Figure 3.24): a packet in [rcv_base, rcv_base+N−1] is
// ACKed and buffered, and if it is rcv_base it and the buffered packets
// after it are delivered; a packet in [rcv_base−N, rcv_base−1] is ACKed
// again (the sender may have missed the ACK); anything else is ignored.
// The window test comes first, so with N > 2^(k−1), where the two ranges
// overlap modulo 2^k, an old packet is taken for a new one.
func (r *Receiver) inputSR(seq int64, data []byte) {
	n := int64(r.cfg.Window)
	d := (seq - r.base) & r.mask
	switch {
	case d < n:
		r.ack(uint16(seq))
		a := r.base + d
		i := a % n
		if r.have[i] {
			r.st.Duplicates++
			r.decide(seq, " duplicate (buffered already): discarded, ACK ", int(seq))
			return
		}
		if d > 0 {
			r.buf[i] = append(r.buf[i][:0], data...)
			r.have[i] = true
			r.held++
			r.st.MaxBuffered = max(r.st.MaxBuffered, r.held)
			r.st.OutOfOrderBuffered++
			if r.obs != nil {
				r.obs.RDTEvent(EvDecision, Note{Side: ReceiverSide, Text: "pkt " + strconv.Itoa(int(seq)) + " out of order: buffered as the receiver's packet #" +
					strconv.FormatInt(a, 10) + ", ACK " + strconv.Itoa(int(seq))})
			}
			return
		}
		k := 0
		for r.have[(r.base+int64(k)+1)%n] && k+1 < int(n) {
			k++
		}
		if k > 0 {
			r.decide(seq, " fills the gap: delivered with the buffered packets, ", k)
		}
		r.app.Deliver(data)
		r.st.Delivered++
		r.base++
		for r.have[r.base%n] {
			i := r.base % n
			r.app.Deliver(r.buf[i])
			r.have[i] = false
			r.held--
			r.st.Delivered++
			r.base++
		}
	case (r.base-seq)&r.mask >= 1 && (r.base-seq)&r.mask <= n:
		r.st.Duplicates++
		r.ack(uint16(seq))
		r.decide(seq, " duplicate: discarded, ACK ", int(seq))
	default:
		r.st.Ignored++
		r.decide(seq, " outside both windows: ignored", -1)
	}
}

func (r *Receiver) ack(n uint16) {
	r.st.AcksSent++
	r.send(ACK, n)
}

// send sends an ACK or NAK carrying number n.
func (r *Receiver) send(t Type, n uint16) {
	r.hdr = Header{Type: t, SeqBits: uint8(r.cfg.SeqBits), Ack: n}
	r.out.Output(&r.hdr, nil, 0, false)
}

// decide reports a decision "pkt <seq><what><n>" (n < 0: none).
func (r *Receiver) decide(seq int64, what string, n int) {
	if r.obs == nil {
		return
	}
	t := "pkt " + strconv.Itoa(int(seq)) + what
	if n >= 0 {
		t += strconv.Itoa(n)
	}
	r.obs.RDTEvent(EvDecision, Note{Side: ReceiverSide, Text: t})
}

// Verifier is the receiving application: it reads the delivered bytes as
// one stream and compares each with the byte the sender's application
// wrote at that offset (the payload pattern). It never trusts the
// protocol: an old packet delivered as new shows as wrong bytes.
type Verifier struct {
	Total     int64    // bytes the sender's application sent
	Delivered int64    // bytes read, up to Total
	Wrong     int64    // bytes read that differ from the ones sent there, and bytes beyond Total
	DoneAt    sim.Time // when Delivered reached Total; -1 before
	// Observer, if set, is told of each delivery that held wrong bytes
	// (EvWrong).
	Observer Observer
	clock    Clock
}

// NewVerifier returns an application expecting total bytes.
func NewVerifier(total int64, clock Clock) *Verifier {
	return &Verifier{Total: total, DoneAt: -1, clock: clock}
}

// Deliver implements App.
func (v *Verifier) Deliver(data []byte) {
	n := int64(len(data))
	in := min(n, v.Total-v.Delivered) // bytes that fall inside the file
	off, wrong := v.Delivered, n-in
	if in > 0 && !payload.Check(data[:in], v.Delivered) {
		want := make([]byte, in) // only on the failure path
		payload.Fill(want, v.Delivered)
		for i := range want {
			if want[i] != data[i] {
				wrong++
			}
		}
	}
	v.Delivered += in
	v.Wrong += wrong
	if wrong > 0 && v.Observer != nil {
		v.Observer.RDTEvent(EvWrong, Note{Side: ReceiverSide, Bytes: wrong, Off: off})
	}
	if v.Delivered == v.Total && v.DoneAt < 0 {
		v.DoneAt = v.clock.Now()
	}
}
