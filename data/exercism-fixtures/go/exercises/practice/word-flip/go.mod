module wordflip

go 1.18
