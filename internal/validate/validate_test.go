package validate

import (
	"fmt"
	"testing"
)

func TestAgainstModels(t *testing.T) {
	checks, err := All(4)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		fmt.Printf("%-30s %-35s pred %12.4g sim %12.4g err %+6.1f%% tol %4.1f%%\n", c.Model, c.Params, c.Predicted, c.Simulated, 100*c.RelErr(), 100*c.Tolerance)
		if !c.Pass() {
			t.Errorf("%s (%s): predicted %.4g, simulated %.4g: error %+.1f%% beyond ±%.1f%%", c.Model, c.Params, c.Predicted, c.Simulated, 100*c.RelErr(), 100*c.Tolerance)
		}
	}
}

// Drop-tail on the CoDel check's link is bufferbloat: its median queue
// delay is hundreds of ms, twenty times CoDel's target and more.
func TestDropTailIsBloated(t *testing.T) {
	tail, err := medianSojourn("droptail")
	if err != nil {
		t.Fatal(err)
	}
	codel, err := medianSojourn("codel")
	if err != nil {
		t.Fatal(err)
	}
	if tail < 0.1 || tail < 20*codel {
		t.Fatalf("median queue delay: drop-tail %.1f ms, CoDel %.1f ms; want drop-tail above 100 ms and 20 times CoDel's", tail*1000, codel*1000)
	}
}
