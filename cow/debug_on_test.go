//go:build raydebug

package cow

// raydebug is true when the tests run under the raydebug build tag.
const raydebug = true
