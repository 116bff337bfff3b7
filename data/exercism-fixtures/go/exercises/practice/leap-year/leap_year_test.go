package leap

import "testing"

func TestIsLeapYear(t *testing.T) {
	cases := []struct {
		year int
		want bool
	}{{2015, false}, {1996, true}, {1900, false}, {2000, true}}
	for _, c := range cases {
		if got := IsLeapYear(c.year); got != c.want {
			t.Errorf("IsLeapYear(%d) = %v, want %v", c.year, got, c.want)
		}
	}
}
