package olap

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Config says what Generate makes.
type Config struct {
	Rows    int    // trades rows
	Seed    uint64 // the same seed gives the same data
	Tickers int    // distinct symbols (ref has one row each); 5,000 by default
	// PxNulls is the share of trades whose px is null (5% by default; 1
	// makes every px null).
	PxNulls float64
}

func (c *Config) defaults() {
	if c.Tickers <= 0 {
		c.Tickers = 5000
	}
	if c.PxNulls == 0 {
		c.PxNulls = 0.05
	}
}

// Plain is the trades table as plain Go slices: what the reference
// queries read. A false in PxValid or NoteValid is a null.
type Plain struct {
	TS        []int64
	Sym       []string
	Px        []float64
	PxValid   []bool
	Qty       []int64
	Venue     []string
	Note      []string
	NoteValid []bool
}

// PlainRef is the ref table as plain Go slices.
type PlainRef struct {
	Sym    []string
	Sector []string
	Lot    []int64
}

// Tables are the generated data: the two raygo tables and their plain Go
// twins. Release gives the raygo tables back.
type Tables struct {
	Trades, Ref value.V
	Plain       *Plain
	PlainRef    *PlainRef
}

// Release releases the raygo tables.
func (t *Tables) Release() {
	cow.Release(&t.Trades)
	cow.Release(&t.Ref)
}

const (
	venues  = 8
	sectors = 11
	startTS = int64(1_767_225_600) * 1e9 // 2026-01-01T00:00:00Z
)

// Generate makes the trades table (ts TIMESTAMP ascending, sym SYM Zipf
// over cfg.Tickers names, px F64 with nulls, qty I64, venue SYM of 8, note
// STR mostly null and some long) and the ref table (sym, sector SYM of 11,
// lot I64), deterministically from cfg.Seed. progress, if not nil, is
// called now and then with the rows made so far.
func Generate(cfg Config, progress func(done, total int)) (*Tables, error) {
	cfg.defaults()
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	tickers := make([]string, cfg.Tickers)
	tickerIDs := make([]int64, cfg.Tickers)
	for i := range tickers {
		tickers[i] = fmt.Sprintf("T%04d", i)
		id, err := value.Intern(tickers[i])
		if err != nil {
			return nil, err
		}
		tickerIDs[i] = id
	}
	venueNames := make([]string, venues)
	venueIDs := make([]int64, venues)
	for i := range venueNames {
		venueNames[i] = fmt.Sprintf("V%d", i)
		id, err := value.Intern(venueNames[i])
		if err != nil {
			return nil, err
		}
		venueIDs[i] = id
	}
	t := &Tables{Plain: new(Plain), PlainRef: new(PlainRef)}
	var err error
	if t.Trades, err = genTrades(cfg, r, tickers, tickerIDs, venueNames, venueIDs, t.Plain, progress); err != nil {
		return nil, err
	}
	if t.Ref, err = genRef(r, tickers, tickerIDs, t.PlainRef); err != nil {
		t.Release()
		return nil, err
	}
	return t, nil
}

func genTrades(cfg Config, r *rand.Rand, tickers []string, tickerIDs []int64, venueNames []string, venueIDs []int64, p *Plain, progress func(int, int)) (value.V, error) {
	n := cfg.Rows
	cols := make([]value.V, 6)
	release := func() {
		for i := range cols {
			cow.Release(&cols[i])
		}
	}
	types := []value.Type{value.Timestamp, value.Sym, value.F64, value.I64, value.Sym, value.Str}
	for i, typ := range types {
		capacity := n
		if typ == value.Sym {
			capacity = 0 // its ids widen as the symbol table grows
		}
		c, err := vec.New(typ, capacity)
		if err != nil {
			release()
			return value.V{}, err
		}
		cols[i] = c
	}
	ts, err1 := vec.NewAppender[int64](&cols[0])
	px, err2 := vec.NewAppender[float64](&cols[2])
	qty, err3 := vec.NewAppender[int64](&cols[3])
	if err := firstErr(err1, err2, err3); err != nil {
		release()
		return value.V{}, err
	}
	*p = Plain{
		TS: make([]int64, n), Sym: make([]string, n), Px: make([]float64, n), PxValid: make([]bool, n),
		Qty: make([]int64, n), Venue: make([]string, n), Note: make([]string, n), NoteValid: make([]bool, n),
	}
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(tickers)-1))
	clock := startTS
	for i := range n {
		// Ascending, whole microseconds apart (up to 2 ms): a trade feed's
		// resolution, and what DuckDB keeps of a UTC timestamp.
		clock += 1000 * (1 + r.Int64N(2000))
		s := int(zipf.Uint64())
		v := r.IntN(venues)
		price := math.Round((5+r.Float64()*295)*100) / 100
		pxNull := r.Float64() < cfg.PxNulls
		q := 1 + r.Int64N(1000)
		var note string
		noteValid := r.IntN(20) == 0
		if noteValid {
			note = fmt.Sprintf("n%d", i)
			if r.IntN(2) == 0 {
				note = fmt.Sprintf("a longer note about trade %d, kept in the pool", i)
			}
		}
		p.TS[i], p.Sym[i], p.Px[i], p.PxValid[i], p.Qty[i], p.Venue[i], p.Note[i], p.NoteValid[i] =
			clock, tickers[s], price, !pxNull, q, venueNames[v], note, noteValid

		err := firstErr(ts.Append(clock), vec.AppendSymID(&cols[1], tickerIDs[s]), px.Append(price),
			qty.Append(q), vec.AppendSymID(&cols[4], venueIDs[v]), vec.AppendStr(&cols[5], note))
		if err == nil && pxNull {
			err = vec.SetNull(&cols[2], i, true)
		}
		if err == nil && !noteValid {
			err = vec.SetNull(&cols[5], i, true)
		}
		if err != nil {
			release()
			return value.V{}, err
		}
		if progress != nil && i%(1<<18) == 0 {
			progress(i, n)
		}
	}
	if progress != nil {
		progress(n, n)
	}
	t, err := table([]string{"ts", "sym", "px", "qty", "venue", "note"}, cols)
	release()
	return t, err
}

func genRef(r *rand.Rand, tickers []string, tickerIDs []int64, p *PlainRef) (value.V, error) {
	sectorNames := make([]string, sectors)
	for i := range sectorNames {
		sectorNames[i] = fmt.Sprintf("S%02d", i)
	}
	n := len(tickers)
	*p = PlainRef{Sym: make([]string, n), Sector: make([]string, n), Lot: make([]int64, n)}
	sym, err1 := vec.New(value.Sym, 0)
	sector, err2 := vec.New(value.Sym, 0)
	lot, err3 := vec.New(value.I64, n)
	cols := []value.V{sym, sector, lot}
	defer func() {
		for i := range cols {
			cow.Release(&cols[i])
		}
	}()
	if err := firstErr(err1, err2, err3); err != nil {
		return value.V{}, err
	}
	for i := range n {
		s := sectorNames[r.IntN(sectors)]
		l := []int64{1, 10, 100}[r.IntN(3)]
		p.Sym[i], p.Sector[i], p.Lot[i] = tickers[i], s, l
		if err := firstErr(vec.AppendSymID(&cols[0], tickerIDs[i]), vec.AppendSym(&cols[1], s), vec.Append(&cols[2], l)); err != nil {
			return value.V{}, err
		}
	}
	return table([]string{"sym", "sector", "lot"}, cols)
}

// table makes a TABLE of the columns under the names.
func table(names []string, cols []value.V) (value.V, error) {
	t, err := vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	for i, name := range names {
		if err := vec.AddColumn(&t, name, cols[i]); err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
