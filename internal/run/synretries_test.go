package run

import (
	"fmt"
	"testing"

	"tcpsim/sim"
)

// Issue 21 item 8: the SYN's retransmissions are counted by syn_retries
// (Linux net.ipv4.tcp_syn_retries, default 6) and those of data by
// max_retries (tcp_retries2, default 15); each setting decides its own
// abort and the other one has no effect on it. With every packet lost and
// an initial RTO of 1 s doubling each time, the client gives up after
// 1+2+...+2^n s: the n-th retransmission's timer expiring.
func TestSynRetriesDecideTheHandshakeAbort(t *testing.T) {
	for _, c := range []struct {
		fields  string
		retrans int64    // SYN retransmissions before the abort
		end     sim.Time // when the client gives up
	}{
		{"", 6, 127 * sim.Second},
		{"syn_retries: 2", 2, 7 * sim.Second},
		{"syn_retries: 2, max_retries: 100", 2, 7 * sim.Second},
		{"max_retries: 1", 6, 127 * sim.Second}, // max_retries does not cover the SYN
		{"syn_retries: 8", 8, 511 * sim.Second},
	} {
		t.Run(c.fields, func(t *testing.T) {
			extra := ""
			if c.fields != "" {
				extra = ", " + c.fields
			}
			sc := parse(t, fmt.Sprintf("name: syn\nuntil: 1h\nlink: {rate: 10Mbps, delay: 10ms, loss: 100%%}\nflows: [{name: t, protocol: tcp, bytes: 10KB, max_rto: 10m%s}]\n", extra))
			res := mustRun(t, sc, 1)
			f := res.Flows[0]
			want := fmt.Sprintf("client: no answer to SYN after %d retransmissions", c.retrans)
			if f.Aborted != want {
				t.Fatalf("aborted %q, want %q", f.Aborted, want)
			}
			if f.TCP.TimeoutRetrans != c.retrans {
				t.Errorf("%d timeout retransmissions, want %d", f.TCP.TimeoutRetrans, c.retrans)
			}
			// The run ends at the abort, or one drain-watch period later.
			if res.End < c.end || res.End > c.end+watchPeriod {
				t.Errorf("ended at %v, want %v (+%v)", res.End, c.end, watchPeriod)
			}
		})
	}
}

// max_retries still decides the abort of an established connection whose
// data is never acknowledged, whatever syn_retries says.
func TestMaxRetriesDecidesTheDataAbort(t *testing.T) {
	for _, n := range []int{1, 3, 7} {
		sc := parse(t, fmt.Sprintf("name: data\nuntil: 2h\nlink: {rate: 10Mbps, delay: 10ms}\nfaults: [{from: 100ms, to: 2h, outage: both}]\nflows: [{name: t, protocol: tcp, bytes: 100KB, max_rto: 1s, max_retries: %d, syn_retries: 1}]\n", n))
		f := mustRun(t, sc, 1).Flows[0]
		if want := fmt.Sprintf("client: no ACK after %d retransmissions", n); f.Aborted != want {
			t.Errorf("max_retries %d: aborted %q, want %q", n, f.Aborted, want)
		}
	}
}
