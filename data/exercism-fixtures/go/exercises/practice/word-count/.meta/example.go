package wordcount

import "strings"

func Count(phrase string) int {
	return len(strings.Fields(phrase))
}
