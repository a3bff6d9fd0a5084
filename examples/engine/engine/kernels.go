package engine

// The kernels work on typed views of one morsel (rows [lo, hi) of a
// column) and on selection vectors: the rows of the morsel that are still
// in, as absolute row numbers, in a scratch I32 vector. A null never
// passes a predicate, as in SQL.

// nullAt reports whether row i is null in a null bitmap from vec.NullBits
// (nil: no nulls).
func nullAt(bits []byte, off, i int) bool {
	j := off + i
	return j>>3 < len(bits) && bits[j>>3]>>(j&7)&1 != 0
}

// selectBetween writes to sel the rows i of [lo, hi) where xs[i] is not
// null and a <= xs[i] <= b, and returns how many.
func selectBetween(sel []int32, xs []float64, bits []byte, off, lo, hi int, a, b float64) int {
	n := 0
	if bits == nil {
		for i := lo; i < hi; i++ {
			x := xs[i]
			sel[n] = int32(i)
			if a <= x && x <= b {
				n++
			}
		}
		return n
	}
	for i := lo; i < hi; i++ {
		x := xs[i]
		sel[n] = int32(i)
		if a <= x && x <= b && !nullAt(bits, off, i) {
			n++
		}
	}
	return n
}

// refineEqual keeps the rows of sel[:n] whose id (ids holds the morsel's
// ids from row lo) is want, and returns how many remain.
func refineEqual(sel []int32, n int, ids []int64, lo int, want int64) int {
	m := 0
	for _, r := range sel[:n] {
		sel[m] = r
		if ids[int(r)-lo] == want {
			m++
		}
	}
	return m
}
