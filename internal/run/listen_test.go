package run

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// SYN floods of random rates against random backlogs, with and without
// cookies, on a link that may lose packets: the legitimate client either
// completes with every byte delivered in order and verified, or ends
// with a clear reason (no answer to its SYN, or to its data); the
// listener's counters add up (every SYN it took is accepted, kept
// half-open, dropped, answered with a cookie or a repeat), it never holds
// more than its backlog, a full backlog without cookies drops and one
// with cookies never does, and the run's packet accounting balances
// (Check).
func TestFloodProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 3))
	for i := range 24 {
		rate, count := 20+r.IntN(400), 50+r.IntN(800)
		backlog, cookies := 1+r.IntN(200), r.IntN(2) == 0
		loss := []string{"0%", "0%", "1%"}[r.IntN(3)]
		start := fmt.Sprintf("%dms", r.IntN(3000))
		src := fmt.Sprintf(`name: flood-%d
until: 200s
link: {rate: 10Mbps, delay: 5ms, loss: %s}
flows:
  - {name: flood, protocol: syn-flood, rate: %d/s, count: %d, port: 80}
  - {name: web, protocol: tcp, bytes: 30KB, port: 80, start: %s, backlog: %d, syn_cookies: %v, syn_retries: 4}
`, i, loss, rate, count, start, backlog, cookies)
		t.Run(fmt.Sprintf("rate%d-count%d-backlog%d-cookies%v-loss%s", rate, count, backlog, cookies, loss), func(t *testing.T) {
			res := mustRun(t, parse(t, src), uint64(i))
			if v := Check(res); len(v) > 0 {
				t.Fatalf("accounting: %v", v)
			}
			web, flood := res.Flows[1], res.Flows[0]
			switch {
			case web.Complete:
				if web.DeliveredBytes != 30000 || web.TCP.Verified != "yes" {
					t.Errorf("complete but delivered %d bytes, verified %q", web.DeliveredBytes, web.TCP.Verified)
				}
			case web.Aborted == "":
				t.Errorf("neither complete nor aborted: %+v", web)
			case !strings.Contains(web.Aborted, "no answer to SYN") && !strings.Contains(web.Aborted, "retransmissions"):
				t.Errorf("aborted for an unclear reason: %q", web.Aborted)
			}
			if flood.PacketsSent != int64(count) {
				t.Errorf("flood sent %d SYNs, want %d", flood.PacketsSent, count)
			}
			l := flood.Flood.Listener
			if l == nil {
				t.Fatal("no listener on port 80")
			}
			bySyn := l.Accepted - l.CookiesAccepted // the flood never ACKs: every cookie accepted opened the client's connection
			if sum := bySyn + l.HalfOpened + l.Dropped + l.CookiesSent + l.Repeated; sum != l.Syns {
				t.Errorf("SYNs %d, but accepted %d + half-open %d + dropped %d + cookies %d + repeated %d = %d",
					l.Syns, bySyn, l.HalfOpened, l.Dropped, l.CookiesSent, l.Repeated, sum)
			}
			if cookies && web.Complete && l.Dropped == 0 && l.CookiesAccepted > 1 {
				t.Errorf("%d cookies accepted, want at most the client's", l.CookiesAccepted)
			}
			if l.MaxHalfOpen > backlog {
				t.Errorf("held %d half-open connections, backlog %d", l.MaxHalfOpen, backlog)
			}
			if cookies && l.Dropped != 0 || !cookies && l.CookiesSent != 0 {
				t.Errorf("cookies %v: dropped %d, cookies sent %d", cookies, l.Dropped, l.CookiesSent)
			}
			if l.HalfOpened+l.Accepted < int64(min(backlog, count)) && loss == "0%" {
				t.Errorf("kept %d half-open and accepted %d of %d SYNs with room for %d", l.HalfOpened, l.Accepted, l.Syns, backlog)
			}
		})
	}
}

// A client to a port nobody listens on is refused at once, by the host's
// RST, whatever the link's delay; with several such clients sharing the
// port, each is refused on its own 4-tuple.
func TestClosedPortRefuses(t *testing.T) {
	res := mustRun(t, parse(t, `name: refused
link: {rate: 1Mbps, delay: 30ms}
flows:
  - {name: web, protocol: tcp, bytes: 1KB, port: 80, listen: false, repeat: {count: 3, every: 1ms}}
`), 1)
	if v := Check(res); len(v) > 0 {
		t.Fatalf("accounting: %v", v)
	}
	for _, f := range res.Flows {
		if f.Aborted != "client: connection refused" || f.PacketsSent != 1 || f.PacketsRecv != 1 {
			t.Errorf("%s: aborted %q, sent %d, received %d; want client: connection refused, 1, 1", f.Name, f.Aborted, f.PacketsSent, f.PacketsRecv)
		}
	}
	if h := res.Hosts[1]; h.ResetsSent != 3 || h.NoEndpoint != 3 {
		t.Errorf("host b sent %d resets for %d segments to no endpoint, want 3 and 3", h.ResetsSent, h.NoEndpoint)
	}
}
