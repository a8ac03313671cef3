package report

import (
	"bytes"
	"encoding/json"
	"io"

	"tcpsim/internal/run"
)

// member is one key and value of a JSON object.
type member struct {
	key string
	val any
}

// object is a JSON object that keeps its keys in the order of the field
// lists (a map would sort them), so the output reads like the tables.
type object []member

// MarshalJSON writes the object's members in order, without HTML
// escaping ("->" stays "->").
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeTo(&b, m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeTo(&b, m.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeTo appends v's JSON to b without HTML escaping and without the
// encoder's trailing newline.
func encodeTo(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}

// put appends the fields of list read from src.
func put[T any](o object, list []field[T], src T) object {
	for i := range list {
		o = append(o, member{list[i].Key, list[i].get(src)})
	}
	return o
}

// runObject is the JSON object of one run: its header fields, then
// "flows" and "links" if the scenario's report: asks for them.
func runObject(r *run.Result, sections []string) object {
	o := put(put(object{}, runIDs, r), runFields, r)
	if em := r.Emulated; em != nil {
		o = append(o, member{"emulated", object{
			{"packets_read", em.Packets}, {"packets_released", em.Releases},
			{"release_error_p50_s", em.ReleaseP50.Seconds()}, {"release_error_p99_s", em.ReleaseP99.Seconds()},
			{"release_error_max_s", em.ReleaseMax.Seconds()}, {"stalls", em.Stalls}, {"stall_over_s", em.StallOver.Seconds()},
			{"max_stall_s", em.MaxStall.Seconds()}, {"unplaceable_dropped", em.Dropped},
			{"relay_cpu_s", em.CPU.Seconds()}, {"relay_wall_s", em.Wall.Seconds()},
			{"releases_awake", em.AwakeReleases}, {"release_error_awake_p99_s", em.AwakeP99.Seconds()}, {"wake_overshoot_p99_s", em.WakeP99.Seconds()},
		}})
	}
	if has(sections, "flows") {
		flows := make([]object, 0, len(r.Flows))
		for i := range r.Flows {
			flows = append(flows, flowObject(&r.Flows[i]))
		}
		o = append(o, member{"flows", flows})
	}
	if has(sections, "link") {
		var links []object
		for _, d := range linkDirs(r) {
			l := put(object{{"name", d.l.Name}}, linkIDs, d)
			for i := range linkRows {
				l = put(l, linkRows[i].fields, d)
			}
			links = append(links, l)
		}
		o = append(o, member{"links", links})
		if len(r.Routers) > 0 {
			routers := make([]object, 0, len(r.Routers))
			for i := range r.Routers {
				x := object{{"name", r.Routers[i].Name}}
				for j := range routerRows {
					x = put(x, routerRows[j].fields, &r.Routers[i])
				}
				routers = append(routers, x)
			}
			o = append(o, member{"routers", routers})
		}
	}
	return o
}

// flowObject is a flow's name, the fields that apply to every protocol,
// then an object named after its protocol ("tcp": {...}) with the fields
// that apply to that protocol only. A field that does not apply to the
// flow's protocol is absent, never null: null means "not measured" (a
// time never reached).
func flowObject(f *run.FlowResult) object {
	o := object{{"name", f.Name}}
	var own object
	for i := range flowRows {
		rw := &flowRows[i]
		switch {
		case rw.fields[0].Protocols == nil:
			o = put(o, rw.fields, f)
		case rw.appliesTo(f.Protocol):
			own = put(own, rw.fields, f)
		}
	}
	if own != nil {
		o = append(o, member{objectName(f.Protocol), own})
	}
	return o
}

// writeJSONElement writes r as an element of the JSON array that
// closeJSONArray ends, opening the array before the first.
func writeJSONElement(w io.Writer, r *run.Result, sections []string, first bool) error {
	var b bytes.Buffer
	if first {
		b.WriteString("[\n  ")
	} else {
		b.WriteString(",\n  ")
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(runObject(r, sections)); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	_, err := w.Write(b.Bytes())
	return err
}

// closeJSONArray ends the array after n elements.
func closeJSONArray(w io.Writer, n int) error {
	s := "\n]\n"
	if n == 0 {
		s = "[]\n"
	}
	_, err := io.WriteString(w, s)
	return err
}

// writeJSONLine writes r as one line of JSON.
func writeJSONLine(w io.Writer, r *run.Result, sections []string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(runObject(r, sections))
}
