package scenario

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
)

// Override sets one field, addressed by a dotted path such as
// "link.loss", "link.reverse.delay" or "flows.file.congestion" (flows are
// addressed by name), to a value written as in a scenario file.
type Override struct {
	Path, Value string
}

// ParseOverride splits "path=value".
func ParseOverride(s string) (Override, error) {
	p, v, ok := strings.Cut(s, "=")
	if !ok || p == "" || v == "" {
		return Override{}, fmt.Errorf("%q: want path=value, e.g. link.loss=2%%", s)
	}
	return Override{Path: strings.TrimSpace(p), Value: strings.TrimSpace(v)}, nil
}

// String formats o as "path=value".
func (o Override) String() string { return o.Path + "=" + o.Value }

// apply sets the field at o.Path in s.
func (s *Scenario) apply(o Override) error {
	v := reflect.ValueOf(s).Elem()
	segs := strings.Split(o.Path, ".")
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
			i--
			continue
		case reflect.Slice:
			found := false
			for j := range v.Len() {
				if name := v.Index(j).FieldByName("Name"); name.IsValid() && name.String() == seg {
					v, found = v.Index(j), true
					break
				}
			}
			if !found {
				return fmt.Errorf("%s: no flow named %q", o.Path, seg)
			}
			continue
		case reflect.Struct:
			f, ok := fieldByTag(v, seg)
			if !ok {
				return fmt.Errorf("%s: no field %q (fields: %s)", o.Path, seg, strings.Join(tags(v.Type()), ", "))
			}
			v = f
			continue
		}
		return fmt.Errorf("%s: %q has no field %q", o.Path, strings.Join(segs[:i], "."), seg)
	}
	if v.Kind() == reflect.Struct && v.Type() != reflect.TypeFor[Loss]() && v.Type() != reflect.TypeFor[DelAck]() {
		return fmt.Errorf("%s: is a group of fields, not a value", o.Path)
	}
	// Decode "v: <value>" into a one-field struct of the target type: the
	// same decoders as a scenario file, units and checks included.
	wrap := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: v.Type(), Tag: `yaml:"v"`}}))
	if err := yaml.UnmarshalWithOptions([]byte("v: "+o.Value), wrap.Interface(), yaml.Strict()); err != nil {
		var fe *fieldError
		if asField(err, &fe) {
			return fmt.Errorf("%s=%s: %s", o.Path, o.Value, fe.msg)
		}
		return fmt.Errorf("%s=%s: %v", o.Path, o.Value, err)
	}
	v.Set(wrap.Elem().Field(0))
	return nil
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == name {
			return v.Field(i), true
		}
		if f.Anonymous && strings.Contains(f.Tag.Get("yaml"), "inline") {
			if r, ok := fieldByTag(v.Field(i), name); ok {
				return r, true
			}
		}
	}
	return reflect.Value{}, false
}

func tags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.Anonymous {
			out = append(out, tags(f.Type)...)
		} else if tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}
