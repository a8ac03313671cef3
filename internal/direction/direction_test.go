package direction

import "testing"

func TestDir(t *testing.T) {
	for _, c := range []struct {
		d        Dir
		from, to string
		ok       bool
		reverse  Dir
		wantText string
	}{
		{d: Of("a", "b"), from: "a", to: "b", ok: true, reverse: BA, wantText: "a->b"},
		{d: BA, from: "b", to: "a", ok: true, reverse: AB, wantText: "b->a"},
		{d: Of("r1", "r2"), from: "r1", to: "r2", ok: true, reverse: "r2->r1", wantText: "r1->r2"},
		{d: Of("web_server.1", "d"), from: "web_server.1", to: "d", ok: true, reverse: "d->web_server.1", wantText: "web_server.1->d"},
		{d: "", ok: false, reverse: "", wantText: ""},
		{d: "forward", from: "forward", ok: false, reverse: "forward", wantText: "forward"},
	} {
		from, to, ok := c.d.Ends()
		if from != c.from || to != c.to || ok != c.ok {
			t.Errorf("%q.Ends() = %q, %q, %v, want %q, %q, %v", c.d, from, to, ok, c.from, c.to, c.ok)
		}
		if c.d.From() != c.from || c.d.To() != c.to {
			t.Errorf("%q: From, To = %q, %q, want %q, %q", c.d, c.d.From(), c.d.To(), c.from, c.to)
		}
		if got := c.d.Reverse(); got != c.reverse {
			t.Errorf("%q.Reverse() = %q, want %q", c.d, got, c.reverse)
		}
		if got := c.d.String(); got != c.wantText {
			t.Errorf("%q.String() = %q, want %q", c.d, got, c.wantText)
		}
	}
	if AB != Of("a", "b") || BA != AB.Reverse() {
		t.Errorf("AB, BA = %q, %q", AB, BA)
	}
}

func TestReverseTwoHostAllocatesNothing(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = AB.Reverse().Reverse() }); n != 0 {
		t.Errorf("AB.Reverse allocates %v times, want 0", n)
	}
}
