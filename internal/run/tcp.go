package run

import (
	"fmt"

	"tcpsim/internal/scenario"
	"tcpsim/model/host"
	"tcpsim/sim"
)

// TCPResult holds the TCP-only measurements of a flow.
type TCPResult struct {
	Verified       string // "yes", "NO" or "partial"
	Handshake      sim.Time
	TimeoutRetrans int64
	FastRetrans    int64
	RTOExpirations int64
	DupAcks        int64
	ZeroWindows    int64
	CwndFinal      int64
	CwndMax        int64
	SRTT           sim.Time
	RTO            sim.Time
	State          string
}

func newTCPFlow(n *Network, i int, f *scenario.Flow, src, dst *host.Host, cport, sport uint16, streams sim.Streams) (flow, error) {
	return nil, fmt.Errorf("%s: flow %s: TCP is not implemented yet", n.sc.File, f.Name)
}
