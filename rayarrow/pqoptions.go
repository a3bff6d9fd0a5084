package rayarrow

import (
	"context"
	"time"
)

// A ReadOption changes what a Parquet read (ReadParquet, ReadParquetFrom,
// ScanParquet) returns. Options apply in order; one set serves every
// reader, the way store's MapOptions do.
type ReadOption func(*readOptions)

type readOptions struct {
	ctx      context.Context
	names    []string // columns to read, by name; nil: all
	indexes  []int    // columns to read, by position; nil: all
	groups   []int    // row groups to read; nil: all
	byGroups bool
	ranges   []statRange
	sym      []string // string columns to read as SYM
	dictSym  bool     // every dictionary-encoded string column as SYM
	symLimit int
	decI64   bool // decimals as I64 scaled by 10^scale
	u64F64   bool // uint64 as F64
	native   int8 // 0: the native reader when it can; -1: the Arrow path (tests); 1: native or fail (tests)
}

// statRange keeps the row groups whose statistics for column may hold a
// value in [lo, hi].
type statRange struct {
	column string
	lo, hi any
}

// DefaultSymLimit is the most distinct strings DictionariesAsSym lets a
// column intern, counted as the entries of its chunks' dictionaries: a
// column of more stays STR, so that a column of free text never floods
// the process-wide symbol table (which never shrinks).
const DefaultSymLimit = 1 << 16

func readOptionsOf(opts []ReadOption) *readOptions {
	o := &readOptions{ctx: context.Background(), symLimit: DefaultSymLimit}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// Columns reads only the named columns, in the order given. The other
// columns' pages are neither read nor decompressed. A name the file does
// not have is ErrName.
func Columns(names ...string) ReadOption {
	return func(o *readOptions) { o.names = append([]string(nil), names...); o.indexes = nil }
}

// ColumnIndexes reads only the columns at these positions (0 is the
// file's first column), in the order given. A position outside the file's
// columns is ErrRange.
func ColumnIndexes(indexes ...int) ReadOption {
	return func(o *readOptions) { o.indexes = append([]int(nil), indexes...); o.names = nil }
}

// RowGroups reads only these row groups (0 is the file's first), in the
// order given. An index outside the file's row groups is ErrRange. In a
// directory of part files they number the row groups of all the files, in
// order.
func RowGroups(indexes ...int) ReadOption {
	return func(o *readOptions) { o.groups = append([]int(nil), indexes...); o.byGroups = true }
}

// RowGroupsInRange skips the row groups whose statistics show that column
// holds no value in [lo, hi]: whole row groups are skipped, the rows of
// the groups kept are not filtered, and a row group without statistics for
// the column is kept. lo and hi are of the column's kind: int64 (or int)
// for integer, DATE, TIME and TIMESTAMP columns (in the column's own unit
// after reading: days, milliseconds, nanoseconds), a time.Time for
// TIMESTAMP columns, float64 for floating-point columns, string for string
// columns. Several ranges (on several columns) keep the groups that pass
// them all. A bound of another kind is ErrType.
func RowGroupsInRange(column string, lo, hi any) ReadOption {
	return func(o *readOptions) { o.ranges = append(o.ranges, statRange{column, lo, hi}) }
}

// AsSym reads the named string columns as SYM: a dictionary-encoded chunk
// costs one intern per dictionary entry, a plain one an intern per
// distinct string. A column that is not a string column is ErrType.
func AsSym(columns ...string) ReadOption {
	return func(o *readOptions) { o.sym = append(o.sym, columns...) }
}

// DictionariesAsSym reads as SYM every string column whose chunks are all
// dictionary-encoded with at most limit dictionary entries in all (limit
// <= 0: DefaultSymLimit); the others stay STR. Columns a writer stored as
// dictionaries (raygo's own SYM columns) read as SYM without it.
func DictionariesAsSym(limit int) ReadOption {
	return func(o *readOptions) {
		o.dictSym = true
		o.symLimit = limit
		if limit <= 0 {
			o.symLimit = DefaultSymLimit
		}
	}
}

// WithContext stops a read when ctx is done, with ctx's error.
func WithContext(ctx context.Context) ReadOption {
	return func(o *readOptions) {
		if ctx != nil {
			o.ctx = ctx
		}
	}
}

// timeBound is what a time.Time bound becomes for a TIMESTAMP column.
func timeBound(t time.Time) int64 { return t.UnixNano() }

// DecimalsAsI64 reads decimal columns as I64 holding each value times
// 10^scale (the decimal's unscaled integer, exact), instead of the nearest
// F64. A value that does not fit an int64 is ErrRange naming the row.
func DecimalsAsI64() ReadOption { return func(o *readOptions) { o.decI64 = true } }

// Uint64AsF64 reads unsigned 64-bit columns as F64 (the nearest float64 of
// each value), instead of I64, where a value past the int64 range is
// ErrRange.
func Uint64AsF64() ReadOption { return func(o *readOptions) { o.u64F64 = true } }
