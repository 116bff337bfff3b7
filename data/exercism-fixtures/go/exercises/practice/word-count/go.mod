module wordcount

go 1.18
