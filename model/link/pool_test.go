package link

import (
	"strings"
	"testing"
)

func TestPoolClasses(t *testing.T) {
	p := NewPool()
	for _, tc := range []struct {
		n, wantCap int
	}{
		{0, 128}, {40, 128}, {128, 128}, {129, 256}, {1500, 1536}, {1537, 2048}, {9000, 9216}, {65536, 65536}, {70000, 70000},
	} {
		b := p.Get(tc.n)
		if len(b) != 0 || cap(b) != tc.wantCap {
			t.Errorf("Get(%d): len %d cap %d, want len 0 cap %d", tc.n, len(b), cap(b), tc.wantCap)
		}
	}
	if got := p.Outstanding(); got != 9 {
		t.Errorf("Outstanding() = %d, want 9", got)
	}
}

// TestPoolReuse: a returned buffer is the next one handed out of its
// class (last in, first out, so it is still in the cache), and a run that
// holds k buffers at once makes about k, in few slabs.
func TestPoolReuse(t *testing.T) {
	p := NewPool()
	a := p.Get(1500)
	p.Put(append(a, 1, 2, 3))
	b := p.Get(1400)
	if &a[:1][0] != &b[:1][0] {
		t.Errorf("Get after Put returned another buffer")
	}
	p.Put(b)
	held := make([][]byte, 0, 1000)
	for range 1000 {
		held = append(held, p.Get(1500))
	}
	for _, b := range held {
		p.Put(b)
	}
	for range 1000 {
		p.Get(1500)
	}
	if m := p.Made(); m < 1000 || m > 1100 {
		t.Errorf("Made() = %d after holding 1000 buffers twice, want about 1000", m)
	}
}

// TestPoolSlabNeighbours: buffers cut from one slab end where the next
// begins, so growing one past its capacity moves it instead of writing
// into its neighbour.
func TestPoolSlabNeighbours(t *testing.T) {
	p := NewPool()
	var bufs [][]byte
	for range 64 {
		b := p.Get(100)
		bufs = append(bufs, append(b, make([]byte, 128)...))
	}
	for i := range bufs {
		for j := range bufs[i] {
			bufs[i][j] = byte(i)
		}
	}
	bufs[0] = append(bufs[0], 0xff) // beyond its class: reallocates
	for i, b := range bufs[1:] {
		for _, v := range b {
			if v != byte(i+1) {
				t.Fatalf("buffer %d was overwritten by its neighbour", i+1)
			}
		}
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one mentioning %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one mentioning %q", r, want)
		}
	}()
	f()
}

func TestPoolPoison(t *testing.T) {
	t.Run("returned twice", func(t *testing.T) {
		p := NewPool()
		p.SetPoison(true)
		b := p.Get(60)
		p.Put(b)
		mustPanic(t, "returned to the pool twice", func() { p.Put(b) })
	})
	t.Run("written after return", func(t *testing.T) {
		p := NewPool()
		p.SetPoison(true)
		b := append(p.Get(60), make([]byte, 60)...)
		p.Put(b)
		b[7] = 1
		mustPanic(t, "written at byte 7 after it was returned", func() { p.Get(60) })
	})
	t.Run("read after return", func(t *testing.T) {
		p := NewPool()
		p.SetPoison(true)
		b := append(p.Get(60), make([]byte, 60)...)
		p.Put(b)
		for i, v := range b {
			if v != PoisonByte {
				t.Fatalf("byte %d = %#x after return, want the poison %#x", i, v, PoisonByte)
			}
		}
	})
	t.Run("fresh slab buffers are poisoned too", func(t *testing.T) {
		p := NewPool()
		p.SetPoison(true)
		for range 100 {
			b := p.Get(1500)
			p.Put(b)
			b = p.Get(1500)
			_ = b
		}
		b := p.Get(200)
		if v := b[:cap(b)][0]; v != PoisonByte {
			t.Errorf("new buffer starts with %#x, want the poison %#x", v, PoisonByte)
		}
	})
}

// TestPoolGetAllocatesNothingWhenWarm: the hot path's Get and Put do not
// allocate once the class holds buffers.
func TestPoolGetAllocatesNothingWhenWarm(t *testing.T) {
	p := NewPool()
	p.Put(p.Get(1500))
	if a := testing.AllocsPerRun(100, func() { p.Put(p.Get(1500)) }); a != 0 {
		t.Errorf("Get+Put allocates %v times, want 0", a)
	}
}

// TestClassOfTable: the table of small sizes agrees with the classes.
func TestClassOfTable(t *testing.T) {
	for n := 0; n <= 70000; n++ {
		want := -1
		for i, s := range classSizes {
			if n <= s {
				want = i
				break
			}
		}
		if got := classOf(n); got != want {
			t.Fatalf("classOf(%d) = %d, want %d", n, got, want)
		}
	}
}
