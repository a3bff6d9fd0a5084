//go:build !raydebug

package cow

const raydebug = false
