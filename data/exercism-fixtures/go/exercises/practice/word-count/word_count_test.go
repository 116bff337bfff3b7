package wordcount

import "testing"

func TestCount(t *testing.T) {
	if Count("a b") != 2 {
		t.Fail()
	}
}
