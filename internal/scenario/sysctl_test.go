package scenario

import (
	"strings"
	"testing"
)

const sysctlBase = `name: s
until: 10s
link: {rate: 10Mbps, delay: 10ms}
flows:
  - {name: f, protocol: tcp, bytes: 10KB}
`

func TestSysctlParsed(t *testing.T) {
	sc, err := Parse("s.yaml", []byte(sysctlBase+`sysctl:
  a: {net.ipv4.tcp_sack: 0, net.ipv4.tcp_rmem: "4096 131072 6291456"}
  b: {net.ipv4.tcp_ecn: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []HostSysctl{
		{Host: "a", Settings: []SysctlSetting{{"net.ipv4.tcp_sack", "0"}, {"net.ipv4.tcp_rmem", "4096 131072 6291456"}}},
		{Host: "b", Settings: []SysctlSetting{{"net.ipv4.tcp_ecn", "1"}}},
	}
	if len(sc.Sysctl) != 2 || sc.Sysctl[0].Host != "a" || len(sc.Sysctl[0].Settings) != 2 ||
		sc.Sysctl[0].Settings[1] != want[0].Settings[1] || sc.Sysctl[1].Settings[0] != want[1].Settings[0] {
		t.Errorf("got %+v, want %+v", sc.Sysctl, want)
	}
}

func TestSysctlErrors(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
	}{
		{"unknown host", "sysctl:\n  c: {net.ipv4.tcp_sack: 0}\n", `s.yaml:7:3: sysctl.c: no host named "c"`},
		{"global key", "sysctl:\n  a: {kernel.panic: 1}\n", `sysctl.a[kernel.panic]: "kernel.panic": want a per-namespace key`},
		{"path trick", "sysctl:\n  a: {net.ipv4../../x: 1}\n", "want a per-namespace key"},
		{"shell value", "sysctl:\n  a: {net.ipv4.tcp_sack: \"0; reboot\"}\n", "want a plain value"},
		{"not a mapping", "sysctl: [a]\n", "want a mapping of hosts to sysctl settings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(sysctlBase+c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}
