package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEScenario: the README's ten-line scenario runs and completes,
// and with 150% loss it gives the error the README prints.
func TestREADMEScenario(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## A scenario in ten lines")
	if !ok {
		t.Fatal(`README.md lacks "## A scenario in ten lines"`)
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	yaml, rest, _ := strings.Cut(rest, "```")
	if n := strings.Count(yaml, "\n"); n > 10 {
		t.Errorf("the README's scenario has %d lines, want at most 10", n)
	}
	_, rest, _ = strings.Cut(rest, "```\n")
	block, _, _ := strings.Cut(rest, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 2 {
		t.Fatalf("the README's error example is %d lines, want a command and its error", len(lines))
	}
	wantErr := lines[1]

	t.Chdir(t.TempDir())
	if err := os.WriteFile("first.yaml", []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd("run", "first.yaml")
	if code != 0 || !strings.Contains(out, "complete") {
		t.Fatalf("the README's scenario: exit %d, stderr %q, out:\n%s", code, errs, out)
	}
	bad := strings.Replace(yaml, "loss: 2%", "loss: 150%", 1)
	if bad == yaml {
		t.Fatal("the README's scenario has no loss: 2% to break")
	}
	if err := os.WriteFile(filepath.Join(".", "first.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code = runCmd("run", "first.yaml")
	if code != 2 || strings.TrimSpace(errs) != wantErr {
		t.Errorf("with 150%% loss: exit %d, stderr\n%s\nwant exit 2 and the README's\n%s", code, errs, wantErr)
	}
}
