module github.com/raygo/ray

go 1.26.0

require (
	github.com/apache/arrow/go/v17 v17.0.0
	golang.org/x/sys v0.50.0
)

require github.com/klauspost/cpuid/v2 v2.4.2 // indirect
