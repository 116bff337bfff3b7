package wordflip

import "testing"

func TestFlip(t *testing.T) {
	if got := Flip("hello world"); got != "world hello" {
		t.Errorf("Flip(hello world) = %q", got)
	}
}
