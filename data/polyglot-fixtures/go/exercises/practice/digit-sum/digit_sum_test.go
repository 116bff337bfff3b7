package digitsum

import "testing"

func TestSum(t *testing.T) {
	cases := []struct{ in, want int }{{0, 0}, {7, 7}, {1234, 10}, {-56, 11}}
	for _, c := range cases {
		if got := Sum(c.in); got != c.want {
			t.Errorf("Sum(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}
