package testenv

import "testing"

func TestSlow(t *testing.T) {
	t.Setenv(SlowEnv, "1")
	if !Slow() {
		t.Errorf("%s=1: Slow() = false, want true", SlowEnv)
	}
	for _, v := range []string{"", "0", "true", "yes"} {
		t.Setenv(SlowEnv, v)
		if Slow() {
			t.Errorf("%s=%q: Slow() = true, want false (only 1 turns the slow tests on)", SlowEnv, v)
		}
	}
}

// A slow test is skipped by default and runs with TCPSIM_SLOW=1.
func TestSkipUnlessSlow(t *testing.T) {
	t.Setenv(SlowEnv, "")
	ran := false
	t.Run("off", func(t *testing.T) {
		defer func() {
			if !t.Skipped() {
				t.Error("SkipUnlessSlow did not skip without TCPSIM_SLOW=1")
			}
		}()
		SkipUnlessSlow(t, "example")
		ran = true
	})
	if ran {
		t.Error("the test body ran after SkipUnlessSlow")
	}
	t.Setenv(SlowEnv, "1")
	t.Run("on", func(t *testing.T) {
		SkipUnlessSlow(t, "example")
		ran = true
	})
	if !ran {
		t.Error("TCPSIM_SLOW=1: the test body did not run")
	}
}
