package wordcount

func Count(phrase string) int {
	panic("Please implement the Count function")
}
