package evens

// CountEvens returns how many numbers are even.
func CountEvens(numbers []int) int {
	count := 0
	for _, n := range numbers {
		if n%2 == 0 {
			count++
		}
	}
	return count
}
