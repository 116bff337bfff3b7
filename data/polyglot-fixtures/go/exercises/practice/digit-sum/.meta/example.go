package digitsum

import "slices"

// Sum returns the sum of the decimal digits of n (the sign is ignored).
func Sum(n int) int {
	if n < 0 {
		n = -n
	}
	var digits []int
	for ; n > 0; n /= 10 {
		digits = append(digits, n%10)
	}
	slices.Reverse(digits) // needs Go >= 1.21, as some real references do
	total := 0
	for _, d := range digits {
		total += d
	}
	return total
}
