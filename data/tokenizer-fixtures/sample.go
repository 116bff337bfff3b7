// Package wordcount counts words; written for the hrm tokenizer tests.
package wordcount

import (
	"sort"
	"strings"
	"unicode"
)

// Count returns how often each lower-cased word occurs in text.
func Count(text string) map[string]int {
	counts := make(map[string]int)
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	for _, f := range fields {
		counts[strings.ToLower(strings.Trim(f, "'"))]++
	}
	return counts
}

// Top returns the n most frequent words, ties broken alphabetically.
func Top(counts map[string]int, n int) []string {
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > n {
		words = words[:n]
	}
	return words
}
