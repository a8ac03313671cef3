package scenario

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// MaxNodes is the most YAML nodes (mappings, lists, keys and scalars) a
// scenario may hold once its aliases (*name) and merge keys (<<: *name)
// are expanded: an alias counts the whole node it names, each time it is
// used. A 128 KiB file holds at most about 65,000 nodes of its own; the
// limit leaves room for aliases that a person would write, and refuses the
// alias and merge "bombs" in which a few hundred bytes name each other
// until they expand to billions of nodes (the decoder expands merge keys,
// so without the bound such a file would never finish decoding).
const MaxNodes = 200_000

// expansion measures the size of a document with its aliases expanded,
// without expanding them: each node's size is computed once and
// remembered, so the cost is linear in the file, whatever it expands to.
type expansion struct {
	d    *decoder
	size map[ast.Node]int
	busy map[ast.Node]bool // nodes being measured: an alias to one is a loop
}

// checkExpansion refuses a document that would exceed MaxNodes once its
// aliases and merge keys are expanded, located at the alias (or node) that
// crosses the limit.
func (d *decoder) checkExpansion(body ast.Node) error {
	x := &expansion{d: d, size: map[ast.Node]int{}, busy: map[ast.Node]bool{}}
	_, err := x.measure(body, "")
	return err
}

// measure returns the expanded size of n, at most MaxNodes+1, or an error
// once the count crosses MaxNodes.
func (x *expansion) measure(n ast.Node, path string) (int, error) {
	if n == nil {
		return 0, nil
	}
	if s, ok := x.size[n]; ok {
		return s, nil
	}
	if x.busy[n] {
		return 0, x.d.errAt(n, path, "an alias refers to a node that contains it: the value would be infinite")
	}
	x.busy[n] = true
	defer delete(x.busy, n)
	total := 1
	add := func(child ast.Node, path string) error {
		s, err := x.measure(child, path)
		if err != nil {
			return err
		}
		total += s
		if total > MaxNodes {
			return x.d.errAt(child, path, "the document holds more than %d YAML nodes once its aliases and merge keys (<<) are expanded (each use of an alias counts the whole value it names, and the limit is %d)", MaxNodes, MaxNodes)
		}
		return nil
	}
	var err error
	switch v := n.(type) {
	case *ast.MappingNode:
		for _, mv := range v.Values {
			if err = add(mv, path); err != nil {
				break
			}
		}
		total-- // the pairs are the mapping
	case *ast.MappingValueNode:
		p := path
		switch k := v.Key.(type) {
		case *ast.StringNode:
			p = join(path, k.Value)
		case *ast.MergeKeyNode:
			p = join(path, "<<")
		}
		if err = add(v.Key, p); err == nil {
			err = add(v.Value, p)
		}
	case *ast.MappingKeyNode:
		err = add(v.Value, path)
	case *ast.SequenceNode:
		for i, item := range v.Values {
			if err = add(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				break
			}
		}
	case *ast.AnchorNode:
		err = add(v.Value, path)
		total--
	case *ast.TagNode:
		err = add(v.Value, path)
		total--
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.GetToken().Value
		}
		if target, ok := x.d.anchors[name]; ok {
			err = add(target, path)
			total--
		}
	}
	if err != nil {
		return 0, err
	}
	x.size[n] = total
	return total, nil
}
