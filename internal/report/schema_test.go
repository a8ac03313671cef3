package report

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tcpsim/internal/run"
	"tcpsim/sim"
)

const schemaFile = "schema/run.schema.json"

func compileSchema(t *testing.T, loc string) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func instance(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The schema names exactly the keys of the field lists, in each object.
func TestSchemaKeysMatchFields(t *testing.T) {
	b, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	keys := func(fs ...[]Field) []string {
		var k []string
		for _, l := range fs {
			for _, f := range l {
				k = append(k, f.Key)
			}
		}
		return k
	}
	var runK, flowK, tcpK, udpK, rdtK, rdtSome, floodK, linkK []string
	for _, f := range runIDs {
		runK = append(runK, f.Key)
	}
	for _, f := range runFields {
		runK = append(runK, f.Key)
	}
	flowK = []string{"name"}
	for _, r := range flowRows {
		for _, f := range r.fields {
			switch {
			case f.Protocols == nil:
				flowK = append(flowK, f.Key)
			case f.AppliesTo(tcpProto):
				tcpK = append(tcpK, f.Key)
			case f.AppliesTo(udpProto):
				udpK = append(udpK, f.Key)
			case f.AppliesTo(onlyFlood[0]):
				floodK = append(floodK, f.Key)
			}
			// The rdt family's fields share one object; those of only
			// some of its protocols are optional there.
			switch {
			case f.Protocols == nil:
			case !slices.ContainsFunc(onlyRDT, func(p string) bool { return !f.AppliesTo(p) }):
				rdtK = append(rdtK, f.Key)
			case slices.ContainsFunc(onlyRDT, f.AppliesTo):
				rdtSome = append(rdtSome, f.Key)
			}
		}
	}
	linkK = []string{"name"}
	for _, f := range linkIDs {
		linkK = append(linkK, f.Key)
	}
	for _, r := range linkRows {
		linkK = append(linkK, keys([]Field{r.fields[0].Field})...)
	}
	routerK := []string{"name"}
	for _, r := range routerRows {
		routerK = append(routerK, r.fields[0].Key)
	}
	for _, c := range []struct {
		def            string
		required, also []string
	}{
		{"run", runK, []string{"flows", "links", "routers", "emulated"}},
		{"flow", flowK, []string{"tcp", "udp", "rdt", "flood"}},
		{"flood", floodK, nil},
		{"tcp", tcpK, nil},
		{"udp", udpK, nil},
		{"rdt", rdtK, rdtSome},
		{"link", linkK, nil},
		{"router", routerK, nil},
	} {
		d := s.Defs[c.def]
		props := slices.Sorted(maps.Keys(d.Properties))
		want := slices.Sorted(slices.Values(append(slices.Clone(c.required), c.also...)))
		if !slices.Equal(props, want) {
			t.Errorf("schema %s properties %v, want %v", c.def, props, want)
		}
		if got, w := slices.Sorted(slices.Values(d.Required)), slices.Sorted(slices.Values(c.required)); !slices.Equal(got, w) {
			t.Errorf("schema %s requires %v, want %v", c.def, got, w)
		}
	}
}

// Every shipped scenario's JSON, as one array and as JSON lines, is valid;
// output of the old shape (values as strings with units) is not.
func TestSchemaValidates(t *testing.T) {
	rs := append(shipped(t), handMade())
	arr := compileSchema(t, schemaFile)
	one := compileSchema(t, schemaFile+"#/$defs/run")
	if err := arr.Validate(instance(t, render(t, "json", rs, nil))); err != nil {
		t.Errorf("json: %v", err)
	}
	for _, sections := range [][]string{{"flows"}, {"link"}} {
		if err := arr.Validate(instance(t, render(t, "json", rs[:1], sections))); err != nil {
			t.Errorf("json with report %v: %v", sections, err)
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(render(t, "jsonl", rs, nil), "\n"), "\n") {
		if err := one.Validate(instance(t, line)); err != nil {
			t.Errorf("jsonl line %d: %v", i+1, err)
		}
	}
	good := render(t, "json", []*run.Result{handMade()}, nil)
	for _, bad := range []struct{ from, to string }{
		{`"goodput_bps": 1619924.2912183257`, `"goodput_bps": "1.62 Mbps"`},
		{`"protocol": "udp"`, `"protocol": "tcp"`},
		{`"delivery_ratio": 0.9424`, `"delivery_ratio": 94.24`},
		{`"srtt_s": 0.041313887`, `"srtt_s": 0.041313887, "bytes_offered": 1`},
	} {
		doc := strings.Replace(good, bad.from, bad.to, 1)
		if doc == good {
			t.Fatalf("%q not in the output", bad.from)
		}
		if arr.Validate(instance(t, doc)) == nil {
			t.Errorf("schema accepts %s", bad.to)
		}
	}
}

// An emulated run's JSON, with its relay figures, is valid, and its text
// report says it is emulated and gives the relay line.
func TestEmulatedRunValidates(t *testing.T) {
	res := handMade()
	res.Emulated = &run.Emulation{Packets: 10, Releases: 9, ReleaseP50: 20 * sim.Microsecond, ReleaseP99: 300 * sim.Microsecond,
		ReleaseMax: 2 * sim.Millisecond, Stalls: 1, StallOver: sim.Millisecond, MaxStall: 2 * sim.Millisecond, CPU: sim.Millisecond, Wall: sim.Second,
		AwakeReleases: 8, AwakeP99: 40 * sim.Microsecond, WakeP99: 900 * sim.Microsecond}
	doc := render(t, "json", []*run.Result{res}, nil)
	if !strings.Contains(doc, `"emulated": {`) || !strings.Contains(doc, `"packets_read": 10`) {
		t.Errorf("no emulated object in %s", doc)
	}
	if err := compileSchema(t, schemaFile).Validate(instance(t, doc)); err != nil {
		t.Errorf("emulated run: %v", err)
	}
	txt := render(t, "table", []*run.Result{res}, nil)
	if !strings.Contains(doc, `"releases_awake": 8`) || !strings.Contains(doc, `"release_error_awake_p99_s": 0.00004`) {
		t.Errorf("no awake figures in %s", doc)
	}
	for _, want := range []string{"emulated: real packets", "relay: 10 packets read, 9 released; release error p50 20 µs, p99 300 µs",
		"; 8 releases found it awake (their p99 40 µs), the others waited for a sleep that woke late (sleeps overshot p99 900 µs)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text report lacks %q:\n%s", want, txt)
		}
	}
}
