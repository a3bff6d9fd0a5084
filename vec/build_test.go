package vec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/attrs"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/heap/heaptest"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/value"
)

// NewSymN makes a SYM vector of the width asked for, every row the fill
// id; MutableSymIDs writes it in place at that width and no other.
func TestNewSymNAndMutableSymIDs(t *testing.T) {
	heaptest.Check(t)
	a, _ := value.Intern("build.a")
	b, _ := value.Intern("build.b")
	v, err := NewSymN(5, 2, a)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if w, _ := attrs.SymWidth(v); w != 2 {
		t.Errorf("width %v, want W16", w)
	}
	ids, err := MutableSymIDs[uint16](&v)
	if err != nil {
		t.Fatal(err)
	}
	ids[3] = uint16(b)
	for i, want := range []string{"build.a", "build.a", "build.a", "build.b", "build.a"} {
		if got, err := GetSym(v, i); err != nil || got != want {
			t.Errorf("row %d: %q %v, want %q", i, got, err, want)
		}
	}
	if _, err := MutableSymIDs[uint32](&v); !errors.Is(err, ray.ErrType) {
		t.Errorf("a uint32 view of 2-byte ids: %v", err)
	}
	i64, _ := FromSlice(value.I64, []int64{1})
	defer cow.Release(&i64)
	if _, err := MutableSymIDs[uint8](&i64); !errors.Is(err, ray.ErrType) {
		t.Errorf("ids of an I64 vector: %v", err)
	}
	if err := cow.Check(v); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		n    int
		w    int
		fill int64
		kind error
	}{
		{-1, 1, a, ray.ErrLength},
		{3, 3, a, ray.ErrDomain},
		{3, 16, a, ray.ErrDomain},
		{3, 1, value.SymCount(), ray.ErrRange},
		{3, 1, -1, ray.ErrRange},
	} {
		if _, err := NewSymN(c.n, c.w, c.fill); !errors.Is(err, c.kind) {
			t.Errorf("NewSymN(%d, %v, %d): %v, want %v", c.n, c.w, c.fill, err, c.kind)
		}
	}
	if big := value.SymCount() - 1; big > 255 {
		if _, err := NewSymN(3, 1, big); !errors.Is(err, ray.ErrRange) {
			t.Errorf("id %d in 1-byte ids: %v", big, err)
		}
	}
}

// A StrBuilder gives the strings appended, whatever their lengths and
// however they arrive (Append, AppendString, AppendSpans), and refuses
// rows past its size and spans outside their data, changing nothing.
func TestStrBuilderModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(4, 2))
	for round := range 100 {
		rows := r.IntN(400)
		b, err := NewStrBuilder(rows, r.IntN(64))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for len(want) < rows {
			switch r.IntN(3) {
			case 0:
				s := strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(40))
				if err := b.Append([]byte(s)); err != nil {
					t.Fatal(err)
				}
				want = append(want, s)
			case 1:
				s := fmt.Sprintf("row %d of round %d", len(want), round)
				if err := b.AppendString(s); err != nil {
					t.Fatal(err)
				}
				want = append(want, s)
			default:
				k := min(1+r.IntN(20), rows-len(want))
				data := []byte(strings.Repeat("0123456789abcdefghij", 3))
				spans := make([]uint32, 2*k)
				for i := range k {
					s := uint32(r.IntN(len(data)))
					e := s + uint32(r.IntN(len(data)-int(s)+1))
					spans[2*i], spans[2*i+1] = s, e
					want = append(want, string(data[s:e]))
				}
				if err := b.AppendSpans(data, []uint32{0, uint32(len(data) + 1)}); !errors.Is(err, ray.ErrRange) || b.Len() != len(want)-k {
					t.Fatalf("a span past its data: %v, %d rows", err, b.Len())
				}
				if err := b.AppendSpans(data, spans); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := b.Append([]byte("x")); !errors.Is(err, ray.ErrLength) {
			t.Fatalf("a row past the builder's: %v", err)
		}
		if round%7 == 0 {
			b.Release()
			continue
		}
		v := b.Finish()
		for i, s := range want {
			if got, err := GetStr(v, i); err != nil || got != s {
				t.Fatalf("round %d row %d: %q %v, want %q", round, i, got, err, s)
			}
		}
		if v.Len() != int64(rows) {
			t.Fatalf("%d rows, want %d", v.Len(), rows)
		}
		if err := cow.Check(v); err != nil {
			t.Fatal(err)
		}
		cow.Release(&v)
	}
}

// StrParts joins parts written at once by several goroutines into the
// column of their rows, and refuses parts that leave rows unwritten,
// leaking nothing.
func TestStrPartsJoin(t *testing.T) {
	heaptest.Check(t)
	const rows = 5000
	want := make([]string, rows)
	for i := range want {
		want[i] = fmt.Sprintf("%d%s", i, strings.Repeat("y", i%30))
	}
	p, err := NewStrParts(rows)
	if err != nil {
		t.Fatal(err)
	}
	bounds := []int{0, 1, 700, 701, 2500, 4999, rows}
	parts := make([]*StrBuilder, len(bounds)-1)
	var wg sync.WaitGroup
	for k := range parts {
		part, err := p.Part(bounds[k], bounds[k+1]-bounds[k])
		if err != nil {
			t.Fatal(err)
		}
		parts[k] = part
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := bounds[k]; i < bounds[k+1]; i++ {
				if err := part.AppendString(want[i]); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	v, err := p.Join(parts)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	for i, s := range want {
		if got, _ := GetStr(v, i); got != s {
			t.Fatalf("row %d: %q, want %q", i, got, s)
		}
	}
	if err := cow.Check(v); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Part(0, 1); err == nil {
		t.Error("a part of a joined StrParts")
	}

	q, err := NewStrParts(10)
	if err != nil {
		t.Fatal(err)
	}
	half, _ := q.Part(0, 5)
	_ = half.AppendString("a string longer than twelve")
	if _, err := q.Part(6, 5); !errors.Is(err, ray.ErrRange) {
		t.Errorf("a part past the rows: %v", err)
	}
	if _, err := q.Join([]*StrBuilder{half}); !errors.Is(err, ray.ErrLength) {
		t.Errorf("parts that leave rows unwritten: %v", err)
	}
}

// Goroutines writing runs of rows into one StrFill at once make the vector
// of those strings: one pool, every view into it; rows no run wrote are
// empty; bad runs are refused and write nothing.
func TestStrFillModel(t *testing.T) {
	heaptest.Check(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, rows := range []int{0, 1, 100, 20_000} {
		want := make([]string, rows)
		for i := range want {
			want[i] = strings.Repeat(string(rune('a'+i%26)), r.IntN(40))
		}
		f, err := NewStrFill(rows)
		if err != nil {
			t.Fatal(err)
		}
		// Runs of random lengths, some left unwritten, shared among four
		// writers.
		type run struct{ at, n int }
		var runs []run
		for at := 0; at < rows; {
			n := min(rows-at, 1+r.IntN(700))
			if r.IntN(10) != 0 {
				runs = append(runs, run{at, n})
			} else {
				for i := at; i < at+n; i++ {
					want[i] = ""
				}
			}
			at += n
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < len(runs); k += 4 {
					strs := make([][]byte, runs[k].n)
					for i := range strs {
						strs[i] = []byte(want[runs[k].at+i])
					}
					if err := f.Write(runs[k].at, strs); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if err := f.Write(rows, [][]byte{[]byte("x")}); !errors.Is(err, ray.ErrRange) {
			t.Errorf("a row past the vector: %v", err)
		}
		if err := f.Write(-1, nil); !errors.Is(err, ray.ErrRange) {
			t.Errorf("row -1: %v", err)
		}
		v := f.Finish()
		if err := cow.Check(v); err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			if s, err := StrView(v, i); err != nil || string(s) != w {
				t.Fatalf("%d rows: row %d is %q (%v), want %q", rows, i, s, err, w)
			}
		}
		if err := f.Write(0, nil); !errors.Is(err, ray.ErrDomain) {
			t.Errorf("a write after Finish: %v", err)
		}
		cow.Release(&v)
		f.Release() // nothing more to free
	}
	g, err := NewStrFill(10)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Write(3, [][]byte{[]byte(strings.Repeat("long", 10))}); err != nil {
		t.Fatal(err)
	}
	g.Release() // frees the vector and its pool
	if _, err := NewStrFill(-1); !errors.Is(err, ray.ErrLength) {
		t.Errorf("-1 rows: %v", err)
	}
}

// A StrLoad filled with a STR vector's own views and pool is that vector;
// every kind of bad view is ErrCorrupt naming its row, and frees the
// vector.
func TestStrLoad(t *testing.T) {
	heaptest.Check(t)
	strs := []string{"", "short", "exactly12byt", "a string longer than twelve bytes", "x", strings.Repeat("long", 9)}
	src, err := FromStrings(strs)
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&src)
	views := unsafe.Slice((*byte)(layout.BlockData(src)), 16*len(strs))
	pool := unsafe.Slice((*byte)(layout.BlockData(layout.Pool(src))), int(layout.Pool(src).Len()))
	load := func(edit func(views, pool []byte)) (value.V, error) {
		l, err := NewStrLoad(len(strs), len(pool))
		if err != nil {
			t.Fatal(err)
		}
		copy(l.Views(), views)
		copy(l.Pool(), pool)
		if edit != nil {
			edit(l.Views(), l.Pool())
		}
		return l.Finish()
	}
	v, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cow.Check(v); err != nil {
		t.Fatal(err)
	}
	for i, s := range strs {
		if got, _ := GetStr(v, i); got != s {
			t.Errorf("row %d: %q, want %q", i, got, s)
		}
	}
	cow.Release(&v)
	for _, c := range []struct {
		name string
		row  int
		edit func(views, pool []byte)
	}{
		{"a byte past a short string", 1, func(v, _ []byte) { v[16+4+5] = 'z' }},
		{"a long string in another buffer", 3, func(v, _ []byte) { v[3*16+8] = 1 }},
		{"a long string past the pool", 5, func(v, p []byte) { binary.LittleEndian.PutUint32(v[5*16+12:], uint32(len(p))-3) }},
		{"a prefix that is not the string's", 3, func(v, _ []byte) { v[3*16+4] ^= 1 }},
	} {
		if _, err := load(c.edit); !errors.Is(err, ray.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("row %d:", c.row)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := NewStrLoad(1, MaxPool+1); !errors.Is(err, ray.ErrLimit) {
		t.Errorf("a pool past MaxPool: %v", err)
	}
	l, err := NewStrLoad(3, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	if _, err := l.Finish(); !errors.Is(err, ray.ErrDomain) {
		t.Errorf("Finish after Release: %v", err)
	}
}

// Reserve gives room without changing the length or the rows; a StrFill
// resized up has empty new rows and keeps the old, resized down forgets
// the rows past it.
func TestReserveAndStrFillResize(t *testing.T) {
	heaptest.Check(t)
	v, err := FromSlice(value.I64, []int64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cow.Release(&v)
	if err := Reserve(&v, 100_000); err != nil {
		t.Fatal(err)
	}
	if xs, _ := Elems[int64](v); len(xs) != 3 || xs[2] != 3 || Cap(v) < 100_000 {
		t.Errorf("after Reserve: %v, capacity %d", xs, Cap(v))
	}
	if err := Reserve(&v, -1); !errors.Is(err, ray.ErrLength) {
		t.Errorf("Reserve(-1): %v", err)
	}
	f, err := NewStrFill(2)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("long", 5)
	if err := f.Write(0, [][]byte{[]byte("a"), []byte(long)}); err != nil {
		t.Fatal(err)
	}
	if err := f.Resize(5000); err != nil {
		t.Fatal(err)
	}
	if err := f.Write(4999, [][]byte{[]byte(long + "!")}); err != nil {
		t.Fatal(err)
	}
	if err := f.Resize(-1); !errors.Is(err, ray.ErrLength) {
		t.Errorf("Resize(-1): %v", err)
	}
	s := f.Finish()
	defer cow.Release(&s)
	for i, w := range map[int]string{0: "a", 1: long, 2: "", 4998: "", 4999: long + "!"} {
		if got, _ := GetStr(s, i); got != w {
			t.Errorf("row %d: %q, want %q", i, got, w)
		}
	}
	if err := cow.Check(s); err != nil {
		t.Fatal(err)
	}
	g, _ := NewStrFill(10)
	if err := g.Resize(3); err != nil {
		t.Fatal(err)
	}
	short := g.Finish()
	if short.Len() != 3 {
		t.Errorf("resized to 3: %d rows", short.Len())
	}
	cow.Release(&short)
}
