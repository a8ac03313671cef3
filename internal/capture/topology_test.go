package capture

import (
	"testing"

	"tcpsim/internal/run"
	"tcpsim/internal/trace"
)

const topoSrc = `name: cap-topo
seed: 3
nodes: {hosts: [s, d], routers: [r]}
links:
  - {between: [s, r], rate: 10Mbps, delay: 5ms}
  - {between: [r, d], rate: 2Mbps, delay: 10ms, queue: 20, loss: 1%}
flows:
  - {name: file, protocol: tcp, from: s, to: d, bytes: 100KB}
`

// captureAt runs src capturing at node (and peer, if set).
func captureAt(t *testing.T, src, node, peer string) (string, *run.Result) {
	t.Helper()
	return captureWith(t, src, node+peer, func(w *Writer) trace.Sink { return w.SinkAt(node, peer) })
}

// At a router, Wireshark sees every packet arrive with the hosts' TTL
// (64) and leave one lower, with a valid IPv4 header checksum both times:
// the incremental update (RFC 1624) is what a full recompute gives.
func TestTsharkRouterDecrementsTTL(t *testing.T) {
	f, res := captureAt(t, topoSrc, "r", "")
	rows := tsharkFieldsWith(t, f, []string{"-o", "ip.check_checksum:TRUE"}, "ip.ttl", "ip.checksum.status", "eth.dst", "_ws.malformed")
	if !res.OK() {
		t.Fatalf("run: %s", res.Status())
	}
	var in, out int64
	for _, l := range res.Links {
		if l.To == "r" {
			in += l.Delivered
		}
		if l.From == "r" {
			out += l.Offered
		}
	}
	var ttl64, ttl63 int64
	for i, r := range rows {
		switch r[0] {
		case "64":
			ttl64++
		case "63":
			ttl63++
		default:
			t.Errorf("frame %d: TTL %s, want 64 (arriving) or 63 (forwarded)", i+1, r[0])
		}
		if r[1] != "1" { // Wireshark's PROTO_CHECKSUM_E_GOOD
			t.Errorf("frame %d: IPv4 header checksum status %s, want 1 (good)", i+1, r[1])
		}
		if len(r) > 3 && r[3] != "" {
			t.Errorf("frame %d is malformed", i+1)
		}
	}
	if ttl64 != in || ttl63 != out || in == 0 {
		t.Errorf("%d frames with TTL 64 and %d with 63; the router received %d and sent %d", ttl64, ttl63, in, out)
	}
	if fw := res.Routers[0].Forwarded; fw != out {
		t.Errorf("router forwarded %d, its links were offered %d", fw, out)
	}
	// One interface: only the link to d, both ways.
	f2, _ := captureAt(t, topoSrc, "r", "d")
	rows2 := tsharkFields(t, f2, "ip.ttl")
	var want int64
	for _, l := range res.Links {
		if l.Name == "r->d" {
			want += l.Offered
		}
		if l.Name == "d->r" {
			want += l.Delivered
		}
	}
	if int64(len(rows2)) != want {
		t.Errorf("capture at r:d has %d frames, want %d", len(rows2), want)
	}
}
