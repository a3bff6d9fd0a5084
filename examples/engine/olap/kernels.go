package olap

// The kernels work on typed views of one morsel (rows [lo, hi) of a
// column) and on selection vectors: the rows of the morsel that are still
// in, as absolute row numbers, in a scratch I32 vector. A null never
// passes a predicate, as in SQL.
//
// Each kernel writes every candidate row to the selection vector and
// advances its length by 0 or 1, so that the loop has no branch on the
// data: a predicate that passes a third of the rows at random would
// otherwise mispredict on every third row.

// nullAt reports whether row i is null in a null bitmap from vec.NullBits
// (nil: no nulls).
func nullAt(bits []byte, off, i int) bool {
	j := off + i
	return j>>3 < len(bits) && bits[j>>3]>>(j&7)&1 != 0
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// selectEqual writes to sel the rows lo+j where ids[j] == want, and
// returns how many.
func selectEqual(sel []int32, ids []int64, lo int, want int64) int {
	n := 0
	sel = sel[:len(ids)]
	for j, id := range ids {
		sel[n] = int32(lo + j)
		n += b2i(id == want)
	}
	return n
}

// refineBetween keeps the rows of sel[:n] whose xs is not null and lies
// in [a, b], and returns how many remain.
func refineBetween(sel []int32, n int, xs []float64, bits []byte, off int, a, b float64) int {
	m := 0
	for _, r := range sel[:n] {
		x := xs[r]
		sel[m] = r
		m += b2i(a <= x && x <= b && !nullAt(bits, off, int(r)))
	}
	return m
}
