package wordcount

import (
	"reflect"
	"testing"
)

func TestCount(t *testing.T) {
	got := Count("Go go STOP stop stop")
	want := map[string]int{"go": 2, "stop": 3}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Count = %v, want %v", got, want)
	}
}
