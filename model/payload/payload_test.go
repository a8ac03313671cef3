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
