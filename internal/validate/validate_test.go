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
