package evens

import "testing"

func TestCountEvens(t *testing.T) {
	cases := []struct {
		in   []int
		want int
	}{{nil, 0}, {[]int{1, 3}, 0}, {[]int{0, 2, 5}, 2}, {[]int{-4, -3}, 1}}
	for _, c := range cases {
		if got := CountEvens(c.in); got != c.want {
			t.Errorf("CountEvens(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}
