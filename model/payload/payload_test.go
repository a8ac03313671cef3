package payload

import "testing"

func TestFillCheck(t *testing.T) {
	b := make([]byte, 300000)
	Fill(b, 12345)
	if !Check(b, 12345) {
		t.Fatal("filled bytes fail the check")
	}
	if Check(b[1:], 12345) {
		t.Fatal("bytes shifted by one passed the check")
	}
	b[777] ^= 4
	if Check(b, 12345) {
		t.Fatal("a flipped bit passed the check")
	}
	if a := At(999, 1460); a == nil || !Check(a, 999) {
		t.Fatal("At does not match the stream")
	}
}

func TestDiff(t *testing.T) {
	b := At(1000, 600)
	c := append([]byte(nil), b...)
	if n := Diff(c, 1000); n != 0 || !Check(c, 1000) {
		t.Fatalf("equal bytes: Diff %d", n)
	}
	c[3] ^= 1
	c[599] ^= 0x80
	if n := Diff(c, 1000); n != 2 {
		t.Errorf("two bytes changed: Diff %d, want 2", n)
	}
	if n := Diff(c, 1001); n < 500 {
		t.Errorf("wrong offset: Diff %d, want most bytes", n)
	}
}
