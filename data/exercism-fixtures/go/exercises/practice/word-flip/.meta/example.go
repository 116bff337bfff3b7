package wordflip

// Flip returns the sentence unchanged: a broken reference.
func Flip(sentence string) string {
	return sentence
}
