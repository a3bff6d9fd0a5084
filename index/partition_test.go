package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// withPartitionRows runs f with hash builds split into partitions of
// about rows rows, so that small vectors take the many-partition path.
func withPartitionRows(rows int, f func()) {
	saved := partitionRows
	partitionRows = rows
	defer func() { partitionRows = saved }()
	f()
}

// setNulls makes count random rows of the vectors null (the same rows in
// each) and returns them.
func setNulls(t *testing.T, r *rand.Rand, n, count int, vs ...*value.V) map[int]bool {
	t.Helper()
	null := map[int]bool{}
	for range count {
		i := r.IntN(n)
		null[i] = true
		for _, vp := range vs {
			if err := vec.SetNull(vp, i, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return null
}

// rowsByKey is the model of a hash index: each key's non-null rows,
// newest first.
func rowsByKey[K comparable](xs []K, null map[int]bool) map[K][]int {
	model := map[K][]int{}
	for i := len(xs) - 1; i >= 0; i-- {
		if !null[i] {
			model[xs[i]] = append(model[xs[i]], i)
		}
	}
	return model
}

// The partitioned build against a map from key to rows (newest first),
// over distributions that stress it differently: few keys (most
// partitions empty, some huge), all keys distinct (the group tables grow),
// one key holding half the rows, and nulls.
func TestHashPartitionsAgainstModel(t *testing.T) {
	heaptest.Check(t)
	const n = 20000
	dists := map[string]func(r *rand.Rand, i int) int64{
		"few":      func(r *rand.Rand, i int) int64 { return int64(r.IntN(5)) },
		"distinct": func(r *rand.Rand, i int) int64 { return int64(i)*7 - 50000 },
		"skewed": func(r *rand.Rand, i int) int64 {
			if r.IntN(2) == 0 {
				return 42
			}
			return int64(r.IntN(3000))
		},
		"uniform": func(r *rand.Rand, i int) int64 { return int64(r.Uint64()>>40) - 1<<23 },
	}
	for _, rows := range []int{16, 500, 65536} {
		for name, dist := range dists {
			t.Run(fmt.Sprintf("%s/partition=%d", name, rows), func(t *testing.T) {
				withPartitionRows(rows, func() {
					r := rand.New(rand.NewPCG(uint64(rows), 9))
					xs := make([]int64, n)
					for i := range xs {
						xs[i] = dist(r, i)
					}
					v := must(vec.FromSlice(value.I64, xs))
					defer cow.Release(&v)
					null := setNulls(t, r, n, n/50, &v)
					model := rowsByKey(xs, null)
					if err := Attach(&v, Hash); err != nil {
						t.Fatal(err)
					}
					if err := cow.Check(v); err != nil {
						t.Fatal(err)
					}
					info, _ := InfoOf(v)
					if info.Keys != n-len(null) || info.Capacity < 2*len(model) {
						t.Fatalf("info %+v: want %d keys and room for %d", info, n-len(null), len(model))
					}
					probe := make([]int64, 0, 2*len(model))
					for key, want := range model {
						if got := collect(Lookup(v, key)); !slices.Equal(got, want) {
							t.Fatalf("rows of %d: %v, want %v", key, got, want)
						}
						probe = append(probe, key, key+1_000_000_000) // and a key v lacks
					}
					seen := 0
					err := Probe(v, probe, func(k int, rows []uint32) bool {
						want := model[probe[k]]
						if len(want) != len(rows) {
							t.Fatalf("probe of %d: %d rows, want %d", probe[k], len(rows), len(want))
						}
						for j, row := range rows {
							if int(row) != want[j] {
								t.Fatalf("probe of %d: rows %v, want %v", probe[k], rows, want)
							}
						}
						seen++
						return true
					})
					if err != nil || seen != len(model) {
						t.Fatalf("probe saw %d keys, want %d (%v)", seen, len(model), err)
					}
				})
			})
		}
	}
}

// Byte keys in many partitions: short (inline) and long strings, nulls,
// and the empty string.
func TestHashPartitionsStrings(t *testing.T) {
	heaptest.Check(t)
	withPartitionRows(32, func() {
		r := rand.New(rand.NewPCG(4, 4))
		const n = 5000
		xs := make([]string, n)
		for i := range xs {
			switch r.IntN(3) {
			case 0:
				xs[i] = fmt.Sprint(r.IntN(200))
			case 1:
				xs[i] = fmt.Sprintf("a key long enough to live in the pool %d", r.IntN(200))
			default:
				xs[i] = ""
			}
		}
		v := must(vec.FromStrings(xs))
		defer cow.Release(&v)
		null := setNulls(t, r, n, 100, &v)
		model := rowsByKey(xs, null)
		if err := Attach(&v, Hash); err != nil {
			t.Fatal(err)
		}
		for key, want := range model {
			if got := collect(LookupBytes(v, []byte(key))); !slices.Equal(got, want) {
				t.Fatalf("rows of %q: %v, want %v", key, got, want)
			}
		}
		if got := collect(LookupBytes(v, []byte("absent"))); len(got) != 0 {
			t.Fatalf("rows of an absent key: %v", got)
		}
	})
}

// Float probes: NaN matches nothing, -0.0 finds 0.0, and returning false
// stops the probe.
func TestProbeFloatsAndEarlyStop(t *testing.T) {
	heaptest.Check(t)
	withPartitionRows(16, func() {
		xs := []float64{0, math.NaN(), 1.5, math.Copysign(0, -1), 1.5, math.Inf(1)}
		xs = slices.Concat(xs, xs, xs, xs, xs, xs, xs, xs)
		v := must(vec.FromSlice(value.F64, xs))
		defer cow.Release(&v)
		if err := Attach(&v, Hash); err != nil {
			t.Fatal(err)
		}
		keys := []float64{math.NaN(), math.Copysign(0, -1), 7, 1.5, math.Inf(1)}
		var got []int
		if err := Probe(v, keys, func(k int, rows []uint32) bool {
			got = append(got, k, len(rows))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 16, 3, 16, 4, 8}; !slices.Equal(got, want) {
			t.Fatalf("probe (key, rows) = %v, want %v", got, want)
		}
		calls := 0
		if err := Probe(v, keys, func(int, []uint32) bool { calls++; return false }); err != nil || calls != 1 {
			t.Fatalf("a probe told to stop went on: %d calls (%v)", calls, err)
		}
		if err := Probe(v, []int64{1}, func(int, []uint32) bool { return true }); err == nil {
			t.Fatal("probing F64 with int64 keys succeeded")
		}
	})
}

// The radix-sorted order against a stable sort of the rows by value,
// nulls last: full-range keys (every byte varies), a narrow range (most
// bytes skipped), one value (nothing to sort), negatives.
func TestSortOrderAgainstModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(5, 5))
	const n = 5000
	dists := map[string]func() int64{
		"full":     func() int64 { return int64(r.Uint64()) },
		"narrow":   func() int64 { return int64(r.IntN(1000)) },
		"constant": func() int64 { return -7 },
		"signed":   func() int64 { return int64(r.IntN(2000)) - 1000 },
	}
	for name, dist := range dists {
		t.Run(name, func(t *testing.T) {
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = dist()
			}
			v := must(vec.FromSlice(value.I64, xs))
			defer cow.Release(&v)
			null := setNulls(t, r, n, 50, &v)
			want := make([]uint32, n)
			for i := range want {
				want[i] = uint32(i)
			}
			slices.SortStableFunc(want, func(ra, rb uint32) int {
				a, b := int(ra), int(rb)
				switch {
				case null[a] || null[b]:
					return cmpBool(null[a], null[b])
				case xs[a] < xs[b]:
					return -1
				case xs[a] > xs[b]:
					return 1
				}
				return 0
			})
			if err := Attach(&v, Sort); err != nil {
				t.Fatal(err)
			}
			got, err := Order(v)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("order differs from the model")
			}
		})
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Many goroutines probe one shared indexed vector while others write to
// their own references (which copies them and drops the copy's index):
// the shared index keeps answering from the original rows. Run with -race.
func TestSharedIndexUnderConcurrentWriters(t *testing.T) {
	heaptest.Check(t)
	const n = 50_000
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = int64(i % 1000)
	}
	v := must(vec.FromSlice(value.I64, xs))
	defer cow.Release(&v)
	if err := Attach(&v, Hash); err != nil {
		t.Fatal(err)
	}
	keys := make([]int64, 1000)
	for i := range keys {
		keys[i] = int64(i)
	}
	const workers = 8
	errs := make(chan error, workers)
	for w := range workers {
		mine := cow.Retain(v)
		probe := func() error {
			for round := range 20 {
				if w%2 == 1 && round == 3 {
					// A writer: its copy loses the index, v keeps it.
					if err := vec.Set(&mine, w, int64(-1)); err != nil {
						return err
					}
					if _, ok := InfoOf(mine); ok {
						return fmt.Errorf("worker %d: a written copy kept its index", w)
					}
					continue
				}
				if w%2 == 1 && round > 3 {
					continue
				}
				total := 0
				err := Probe(mine, keys, func(k int, rows []uint32) bool {
					for _, r := range rows {
						if xs[r] != keys[k] {
							total = -1 << 40
						}
					}
					total += len(rows)
					return true
				})
				if err != nil || total != n {
					return fmt.Errorf("worker %d: probe found %d rows (%v)", w, total, err)
				}
			}
			return nil
		}
		go func() {
			err := probe()
			cow.Release(&mine) // before the report: the test's leak check follows it
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := collect(Lookup(v, int64(5))); len(got) != n/1000 {
		t.Fatalf("the shared vector's index lost rows: %d", len(got))
	}
}

// Zones of STR, GUID and SYM vectors know their least and greatest value
// (bytewise; SYM by name, not id): MayOverlapBytes never prunes a range
// that holds a value, and prunes every range that lies outside them.
func TestByteZonesAgainstScan(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(6, 6))
	words := []string{"apple", "banana", "cherry", "date", "elderberry fruit, long", "fig", "", "zucchini"}
	var xs []string
	for range 300 {
		xs = append(xs, words[r.IntN(len(words)-1)]) // never "zucchini"
	}
	syms := make([]string, len(xs))
	for i, x := range xs {
		syms[i] = "zone." + x
	}
	sv := must(vec.FromStrings(xs))
	defer cow.Release(&sv)
	yv := must(vec.FromSyms(syms))
	defer cow.Release(&yv)
	null := setNulls(t, r, len(xs), 30, &sv, &yv)
	for _, c := range []struct {
		v      *value.V
		prefix string
	}{{&sv, ""}, {&yv, "zone."}} {
		if err := Attach(c.v, Zone); err != nil {
			t.Fatal(err)
		}
		z, err := ZoneOf(*c.v)
		if err != nil {
			t.Fatal(err)
		}
		var least, greatest string
		first := true
		for i, x := range xs {
			if null[i] {
				continue
			}
			x = c.prefix + x
			if first || x < least {
				least = x
			}
			if first || x > greatest {
				greatest = x
			}
			first = false
		}
		if string(z.MinBytes) != least || string(z.MaxBytes) != greatest || z.Nulls != len(null) {
			t.Fatalf("zone %q..%q with %d nulls, want %q..%q with %d", z.MinBytes, z.MaxBytes, z.Nulls, least, greatest, len(null))
		}
		bounds := append([]string{"", "a", "b", "c", "zz", "\xff"}, words...)
		for _, lo := range bounds {
			for _, hi := range bounds {
				lo, hi := c.prefix+lo, c.prefix+hi
				holds := false
				for i, x := range xs {
					if x = c.prefix + x; !null[i] && lo <= x && x <= hi {
						holds = true
					}
				}
				may, err := MayOverlapBytes(*c.v, []byte(lo), []byte(hi))
				if err != nil {
					t.Fatal(err)
				}
				if holds && !may {
					t.Fatalf("[%q, %q] holds a value but was pruned", lo, hi)
				}
				if may && (hi < least || lo > greatest) {
					t.Fatalf("[%q, %q] lies outside %q..%q but was not pruned", lo, hi, least, greatest)
				}
			}
		}
	}
	iv := must(vec.FromSlice(value.I64, []int64{1}))
	defer cow.Release(&iv)
	if err := Attach(&iv, Zone); err != nil {
		t.Fatal(err)
	}
	if _, err := MayOverlapBytes(iv, nil, nil); err == nil {
		t.Error("MayOverlapBytes of an I64 zone succeeded")
	}
}

// STR and GUID sort indexes (radix on an 8-byte prefix, then the whole
// bytes where prefixes tie) against a stable sort: long shared prefixes,
// strings that differ only past byte 8, "a" against "a\x00", the empty
// string, duplicates and nulls.
func TestByteSortAgainstModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(7, 7))
	pick := []string{"", "a", "a\x00", "a\x00\x00", "ab", "b", "common-prefix-1", "common-prefix-10", "common-prefix-2", "common-pre", "zz", "\xff\xfe"}
	const n = 2000
	xs := make([]string, n)
	for i := range xs {
		xs[i] = pick[r.IntN(len(pick))]
		if r.IntN(5) == 0 {
			xs[i] = fmt.Sprintf("common-prefix-%d", r.IntN(100))
		}
	}
	gs := make([][16]byte, n)
	for i := range gs {
		gs[i][r.IntN(3)*7] = byte(r.IntN(3)) // ties in the first 8 bytes, differences after
		gs[i][15] = byte(r.IntN(2))
	}
	sv := must(vec.FromStrings(xs))
	defer cow.Release(&sv)
	gv := must(vec.FromSlice(value.GUID, gs))
	defer cow.Release(&gv)
	null := setNulls(t, r, n, 40, &sv, &gv)
	for _, c := range []struct {
		v    *value.V
		key  func(i int) string
		name string
	}{
		{&sv, func(i int) string { return xs[i] }, "STR"},
		{&gv, func(i int) string { return string(gs[i][:]) }, "GUID"},
	} {
		want := make([]uint32, n)
		for i := range want {
			want[i] = uint32(i)
		}
		slices.SortStableFunc(want, func(ra, rb uint32) int {
			a, b := int(ra), int(rb)
			if null[a] || null[b] {
				return cmpBool(null[a], null[b])
			}
			return strings.Compare(c.key(a), c.key(b))
		})
		if err := Attach(c.v, Sort); err != nil {
			t.Fatal(err)
		}
		got, err := Order(*c.v)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s order differs at %d: row %d (%q), want row %d (%q)", c.name, i, got[i], c.key(int(got[i])), want[i], c.key(int(want[i])))
				}
			}
		}
	}
}

// RangeBytes against a scan, for STR and SYM (by name) columns with nulls.
func TestRangeBytesAgainstScan(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(9, 9))
	words := []string{"", "a", "apple", "b", "banana", "common-prefix-1", "common-prefix-2", "z"}
	const n = 500
	xs := make([]string, n)
	for i := range xs {
		xs[i] = words[r.IntN(len(words))]
	}
	syms := make([]string, n)
	for i, x := range xs {
		syms[i] = "rb." + x
	}
	sv := must(vec.FromStrings(xs))
	defer cow.Release(&sv)
	yv := must(vec.FromSyms(syms))
	defer cow.Release(&yv)
	null := setNulls(t, r, n, 30, &sv, &yv)
	for _, c := range []struct {
		v      *value.V
		prefix string
	}{{&sv, ""}, {&yv, "rb."}} {
		if err := Attach(c.v, Sort); err != nil {
			t.Fatal(err)
		}
		for _, lo := range words {
			for _, hi := range words {
				lo, hi := c.prefix+lo, c.prefix+hi
				var want []int
				for i, x := range xs {
					if x = c.prefix + x; !null[i] && lo <= x && x <= hi {
						want = append(want, i)
					}
				}
				seq, err := RangeBytes(*c.v, []byte(lo), []byte(hi))
				if err != nil {
					t.Fatal(err)
				}
				got := slices.Collect(seq)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("[%q, %q]: %d rows, want %d", lo, hi, len(got), len(want))
				}
			}
		}
	}
}
