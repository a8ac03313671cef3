package scenario

import (
	"regexp"
	"slices"

	"github.com/goccy/go-yaml/ast"
)

// HostSysctl is one host's sysctl: settings, in file order. They apply
// only to an emulated run (tcpsim emulate), inside that host's network
// namespace; a simulated run ignores them (Deviation: tcpsim's own TCP
// takes its settings from the flow's fields and profile instead).
type HostSysctl struct {
	Host     string
	Settings []SysctlSetting
}

// SysctlSetting is one key = value, e.g. net.ipv4.tcp_sack = 0.
type SysctlSetting struct {
	Key, Value string
}

// sysctlKey admits the per-namespace networking keys: net.ipv4.* and
// net.ipv6.* (dots between words of letters, digits, - and _). Nothing
// else, so that a scenario cannot reach the host's global settings.
var sysctlKey = regexp.MustCompile(`^net\.ipv[46](\.[A-Za-z0-9_-]+)+$`)

var sysctlValue = regexp.MustCompile(`^[A-Za-z0-9 _.:,-]{1,200}$`)

const wantSysctl = "a mapping of hosts to sysctl settings, e.g. {a: {net.ipv4.tcp_sack: 0}}"

func (d *decoder) sysctl(s *Scenario, n ast.Node, path string) error {
	d.pos[path] = nodePos(n)
	hosts, err := d.entries(n, path, wantSysctl)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		hp := join(path, h.key)
		d.pos[hp] = nodePos(h.at)
		kvs, err := d.entries(h.value, hp, "a mapping of sysctl keys to values, e.g. {net.ipv4.tcp_sack: 0}")
		if err != nil {
			return err
		}
		hs := HostSysctl{Host: h.key}
		for _, kv := range kvs {
			kp := hp + "[" + kv.key + "]"
			d.pos[kp] = nodePos(kv.at)
			if !sysctlKey.MatchString(kv.key) {
				return d.errAt(kv.at, kp, "%q: want a per-namespace key under net.ipv4. or net.ipv6., e.g. net.ipv4.tcp_sack", kv.key)
			}
			v, err := d.scalar(kv.value, kp, "a value, e.g. 0 or \"4096 131072 6291456\"")
			if err != nil {
				return err
			}
			if !sysctlValue.MatchString(v) {
				return d.errAt(kv.value, kp, "%q: want a plain value (letters, digits, spaces, . : , - _)", v)
			}
			hs.Settings = append(hs.Settings, SysctlSetting{Key: kv.key, Value: v})
		}
		s.Sysctl = append(s.Sysctl, hs)
	}
	return nil
}

// validateSysctl checks that every host named under sysctl: exists. It
// runs before Parse expands the shorthand, whose hosts are a and b.
func (s *Scenario) validateSysctl() error {
	hosts := []string{HostA, HostB}
	if s.Nodes != nil {
		hosts = s.Nodes.Hosts
	}
	for _, h := range s.Sysctl {
		if !slices.Contains(hosts, h.Host) {
			return s.errAt(join("sysctl", h.Host), "no host named %q (hosts: %v)", h.Host, hosts)
		}
	}
	return nil
}
