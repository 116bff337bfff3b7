module evens

go 1.18
