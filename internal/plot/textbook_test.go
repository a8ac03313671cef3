package plot

import "testing"

// K&R Figure 3.53 with textbook_window: true, in segments against rounds:
// 1, 2, 4, 8, 9, 10, 11, 12; the loss in round 8; then Tahoe 1, 2, 4, 6,
// 7 and Reno 9, 10, 11, 12, 13, ssthresh 6. Reno's window in fast
// recovery is drawn as cwnd (9), not as ssthresh (6): the model never
// inflates it.
func TestKRTextbookInRounds(t *testing.T) {
	tahoeRun := loadRun(t, "../../scenarios/exercises/26-kr-tahoe-textbook.yaml", "")
	renoRun := loadRun(t, "../../scenarios/exercises/26-kr-reno-textbook.yaml", "")
	tahoeRun.Textbook, renoRun.Textbook = true, true
	figs, err := Flows([]Run{tahoeRun, renoRun}, Options{Segments: true, Rounds: true, Name: "kr-textbook", Title: "K&R Figure 3.53"})
	if err != nil {
		t.Fatal(err)
	}
	cw := figs[1]
	checkFigure(t, cw)
	tahoe := seriesOf(t, cw, "ex26-kr-tahoe-textbook: tahoe file, cwnd")
	reno := seriesOf(t, cw, "ex26-kr-reno-textbook: reno file, cwnd")
	ss := seriesOf(t, cw, "ex26-kr-reno-textbook: reno file, ssthresh")
	for _, c := range []struct {
		s    Series
		want []float64 // rounds 1 to 13
	}{
		{tahoe, []float64{1, 2, 4, 8, 9, 10, 11, 12, 1, 2, 4, 6, 7}},
		{reno, []float64{1, 2, 4, 8, 9, 10, 11, 12, 9, 10, 11, 12, 13}},
	} {
		for k, want := range c.want {
			if got := valueAt(t, c.s, float64(k+1)); got != want {
				t.Errorf("%s round %d: cwnd %g segments, want %g", c.s.Label, k+1, got, want)
			}
		}
	}
	if got := valueAt(t, ss, 9); got != 6 {
		t.Errorf("ssthresh in round 9: %g segments, want 6", got)
	}
	// Tahoe's and Reno's ssthresh are one line to round 21: each dashes
	// in its own slot, so that neither hides the other (issue 20).
	tss := seriesOf(t, cw, "ex26-kr-tahoe-textbook: tahoe file, ssthresh")
	if tss.DashSlots != 2 || ss.DashSlots != 2 || tss.DashSlot == ss.DashSlot {
		t.Errorf("ssthresh dash slots: tahoe %d of %d, reno %d of %d, want 0 and 1 of 2", tss.DashSlot, tss.DashSlots, ss.DashSlot, ss.DashSlots)
	}
	// The loss cross of round 8 is drawn above that round's cwnd dot.
	if l := seriesOf(t, cw, "ex26-kr-reno-textbook: reno file, segment lost"); l.Lift < 10 {
		t.Errorf("loss marker lifted %g points, want at least 10 (clear of the 4-point dot)", l.Lift)
	}
	// The rounds axis ends one round past the last (25), not at 30.
	if cw.X.Max != 26 {
		t.Errorf("x axis to %g, want 26 (rounds to 25)", cw.X.Max)
	}
}
