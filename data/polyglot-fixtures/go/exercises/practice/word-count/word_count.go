package wordcount

// Count returns how many times each lowercased word occurs in text.
func Count(text string) map[string]int {
	panic("Please implement the Count function")
}
