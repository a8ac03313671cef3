package sweep

import (
	"strings"
	"testing"
)

// Issue 21, item 13: seeds base+k wrapped around 2^64 silently (seed
// 18446744073709551615 with --seeds 3 ran seeds ...615, 0 and 1). A
// sweep that would wrap is refused before any run. (This test failed
// before the fix.)
func TestSeedsDoNotWrap(t *testing.T) {
	for _, c := range []struct {
		seed  string
		seeds int
		err   string // "" for none
	}{
		{"18446744073709551615", 1, ""},
		{"18446744073709551615", 2, "use --seeds 1 or fewer"},
		{"18446744073709551614", 2, ""},
		{"18446744073709551614", 3, "go past the largest seed, 18446744073709551615"},
		{"18446744073709551606", 10, ""},
		{"18446744073709551606", 11, "use --seeds 10 or fewer"},
		{"0", 1000, ""},
	} {
		file := strings.Replace(src, "seed: 3", "seed: "+c.seed, 1)
		p, err := NewPlan("s.yaml", []byte(file), nil, c.seeds)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("seed %s, --seeds %d: %v, want no error", c.seed, c.seeds, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("seed %s, --seeds %d: error %v, want one saying %q", c.seed, c.seeds, err, c.err)
		case err == nil:
			if last := p.seed(c.seeds - 1); last < p.BaseSeed {
				t.Errorf("seed %s, --seeds %d: last seed %d wrapped", c.seed, c.seeds, last)
			}
		}
	}
}
