package rayarrow

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

// Import copies an Arrow array into a new raygo vector (Arrow's memory
// belongs to Go's collector, so a copy it is: one bulk copy for
// fixed-width columns), except when the array's memory is raygo's: an
// array with no nulls whose values buffer an Allocator made, of uint8,
// int16, int32, int64, float32, float64, date32 or timestamp[ns], is
// adopted, not copied. The vector is then a slice (attrs.IsSlice) over the
// buffer's own block, which lives until both the vector and Arrow have let
// go of it; writing the vector copies it first, as for any slice, and
// Arrow must not write the buffer either (its arrays are immutable). The
// Arrow types it takes, beyond those Export
// produces: string, large_string, binary and large_binary (as STR);
// dictionaries of strings with any index type (as SYM); timestamps of any
// unit and time zone (converted to ns UTC); date64 (to days, rounding
// toward negative infinity: -1 ms is the day before the epoch); time32[s],
// time32[ms], time64[us] and time64[ns] (to ms, dropping sub-millisecond
// parts); the integers raygo has no type for, widened to the next one that
// holds every value (int8 to I16, uint16 to I32, uint32 and uint64 to I64,
// a uint64 past the int64 range being ErrRange); decimal128 and decimal256
// as F64, the float64 nearest each decimal's value. A value outside the
// raygo type's range, or a time of day outside [0, 24h), is ErrRange naming
// the row. Any other type (intervals, structs, maps, unions) is ErrNYI,
// naming it, whatever the array's length: the type decides, checked before
// any buffer is read.
//
// An array whose buffers contradict its metadata (which Arrow Go v17 cannot
// validate, and answers with a panic) is ErrCorrupt, and nothing is left
// allocated.
func Import(a arrow.Array) (v value.V, err error) {
	defer corruptOnPanic("rayarrow.Import", &err)
	if a == nil {
		return value.V{}, ray.Errorf(ray.ErrType, "rayarrow.Import", "no array")
	}
	if err := importable(a.DataType()); err != nil {
		return value.V{}, err
	}
	if err := checkBuffers(a); err != nil {
		return value.V{}, err
	}
	if v, ok, err := adoptArray(a); ok || err != nil {
		return v, err
	}
	v, err = importValues(a)
	if err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&v)
	if a.NullN() > 0 && v.Type() != value.List {
		if err := vec.SetNulls(&v, nullBitmap(a), 0); err != nil {
			cow.Release(&v)
			return value.V{}, err
		}
	}
	return v, nil
}

// nullBitmap returns a's null rows as raygo's null bits (1 = null, row 0
// at bit 0).
func nullBitmap(a arrow.Array) []byte {
	out := make([]byte, (a.Len()+7)/8)
	markNulls(out, 0, a)
	return out
}

// markNulls sets bit at+i of dst (raygo's sense, 1 = null) for each null
// row i of a, leaving the other bits as they are: Arrow's validity bitmap
// inverted a byte at a time when a's offset and at are both whole bytes,
// row by row otherwise. dst holds at least at+a.Len() bits.
func markNulls(dst []byte, at int, a arrow.Array) {
	n := a.Len()
	if a.NullN() == 0 || n == 0 {
		return
	}
	valid := a.NullBitmapBytes()
	off := a.Data().Offset()
	if off%8 != 0 || at%8 != 0 || len(valid) < (off+n+7)/8 {
		for i := range n {
			if a.IsNull(i) {
				k := at + i
				dst[k>>3] |= 1 << (k & 7)
			}
		}
		return
	}
	whole := n / 8
	out := dst[at/8:]
	for i, b := range valid[off/8 : off/8+whole] {
		out[i] |= ^b
	}
	if r := n % 8; r != 0 {
		out[whole] |= ^valid[off/8+whole] & (1<<r - 1) // no row past the end
	}
}

// adoptArray imports a without a copy when its values lie in a buffer an
// Allocator made, as they are laid out in a raygo vector of the same type,
// and it has no nulls (raygo's null bits are the inverse of Arrow's
// validity, so they would be a copy all the same); ok is false otherwise.
func adoptArray(a arrow.Array) (v value.V, ok bool, err error) {
	if a.NullN() > 0 || a.Len() == 0 {
		return value.V{}, false, nil
	}
	var t value.Type
	switch a := a.(type) {
	case *array.Uint8:
		t = value.U8
	case *array.Int16:
		t = value.I16
	case *array.Int32:
		t = value.I32
	case *array.Int64:
		t = value.I64
	case *array.Float32:
		t = value.F32
	case *array.Float64:
		t = value.F64
	case *array.Date32:
		t = value.Date
	case *array.Timestamp:
		if a.DataType().(*arrow.TimestampType).Unit != arrow.Nanosecond {
			return value.V{}, false, nil
		}
		t = value.Timestamp
	default:
		return value.V{}, false, nil
	}
	bufs := a.Data().Buffers()
	if len(bufs) < 2 || bufs[1] == nil {
		return value.V{}, false, nil
	}
	return adopt(bufs[1].Buf(), t, a.Data().Offset(), a.Len())
}

func importValues(a arrow.Array) (value.V, error) {
	switch a := a.(type) {
	case *array.Boolean:
		xs := make([]bool, a.Len())
		for i := range xs {
			xs[i] = a.Value(i)
		}
		return vec.FromSlice(value.Bool, xs)
	case *array.Uint8:
		return vec.FromSlice(value.U8, a.Uint8Values())
	case *array.Int8: // widened: raygo has no signed byte
		return widen[int8, int16](value.I16, a.Int8Values())
	case *array.Uint16:
		return widen[uint16, int32](value.I32, a.Uint16Values())
	case *array.Uint32:
		return widen[uint32, int64](value.I64, a.Uint32Values())
	case *array.Uint64:
		xs := a.Uint64Values()
		for i, x := range xs {
			if x > math.MaxInt64 && !a.IsNull(i) {
				return value.V{}, ray.Errorf(ray.ErrRange, "rayarrow.Import", "row %d: uint64 %d does not fit an I64", i, x)
			}
		}
		return vec.FromSlice(value.I64, reinterpret[uint64, int64](xs))
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return decimalsToF64(a.Len(), func(i int) (int64, bool) {
			n := a.Value(i)
			return int64(n.LowBits()), n.HighBits() == int64(n.LowBits())>>63
		}, func(i int) *big.Int { return a.Value(i).BigInt() }, scale)
	case *array.Decimal256:
		scale := a.DataType().(*arrow.Decimal256Type).Scale
		return decimalsToF64(a.Len(), func(i int) (int64, bool) {
			w := a.Value(i).Array() // little-endian words
			lo := int64(w[0])
			sign := uint64(lo >> 63)
			return lo, w[1] == sign && w[2] == sign && w[3] == sign
		}, func(i int) *big.Int { return a.Value(i).BigInt() }, scale)
	case *array.Int16:
		return vec.FromSlice(value.I16, a.Int16Values())
	case *array.Int32:
		return vec.FromSlice(value.I32, a.Int32Values())
	case *array.Int64:
		return vec.FromSlice(value.I64, a.Int64Values())
	case *array.Float32:
		return vec.FromSlice(value.F32, a.Float32Values())
	case *array.Float64:
		return vec.FromSlice(value.F64, a.Float64Values())
	case *array.Date32:
		return vec.FromSlice(value.Date, reinterpret[arrow.Date32, int32](a.Date32Values()))
	case *array.Date64:
		xs := make([]int32, a.Len())
		for i, ms := range a.Date64Values() {
			days := floorDiv(int64(ms), value.MillisPerDay)
			if !a.IsNull(i) && (days < math.MinInt32 || days > math.MaxInt32) {
				return value.V{}, ray.Errorf(ray.ErrRange, "rayarrow.Import", "row %d: date64 %d ms is outside a DATE's range", i, int64(ms))
			}
			xs[i] = int32(days)
		}
		return vec.FromSlice(value.Date, xs)
	case *array.Time32:
		per := int64(1) // units per ms, inverted below for seconds
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			per = -1000
		}
		return importTime(a, len(a.Time32Values()), func(i int) int64 { return int64(a.Value(i)) }, per)
	case *array.Time64:
		per := int64(1000) // us per ms
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			per = 1_000_000
		}
		return importTime(a, len(a.Time64Values()), func(i int) int64 { return int64(a.Value(i)) }, per)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		mul := int64(unit.Multiplier()) // ns per unit
		ts := reinterpret[arrow.Timestamp, int64](a.TimestampValues())
		if mul != 1 {
			ns := make([]int64, len(ts))
			for i, t := range ts {
				if !a.IsNull(i) && (t > math.MaxInt64/mul || t < math.MinInt64/mul) {
					return value.V{}, ray.Errorf(ray.ErrRange, "rayarrow.Import", "row %d: timestamp %d %v is outside a TIMESTAMP's range (nanoseconds in an int64)", i, t, unit)
				}
				ns[i] = t * mul
			}
			ts = ns
		}
		return vec.FromSlice(value.Timestamp, ts)
	case *array.FixedSizeBinary:
		if a.DataType().(*arrow.FixedSizeBinaryType).ByteWidth != 16 {
			return value.V{}, ray.Errorf(ray.ErrNYI, "rayarrow.Import", "%v has no raygo type (GUIDs are 16 bytes)", a.DataType())
		}
		xs := make([][16]byte, a.Len())
		for i := range xs {
			copy(xs[i][:], a.Value(i))
		}
		return vec.FromSlice(value.GUID, xs)
	case *array.String:
		return importStrings(a.Len(), a.Value)
	case *array.LargeString:
		return importStrings(a.Len(), a.Value)
	case *array.StringView:
		return importStrings(a.Len(), a.Value)
	case *array.Binary:
		return importStrings(a.Len(), a.ValueString)
	case *array.LargeBinary:
		return importStrings(a.Len(), a.ValueString)
	case *array.Dictionary:
		return importDictionary(a)
	case *array.List:
		return importList(a)
	}
	return value.V{}, ray.Errorf(ray.ErrNYI, "rayarrow.Import", "Arrow type %v has no raygo import", a.DataType())
}

// widen copies xs into a vector of type t, whose elements of type To hold
// every value of From.
func widen[From int8 | uint16 | uint32, To int16 | int32 | int64](t value.Type, xs []From) (value.V, error) {
	ys := make([]To, len(xs))
	for i, x := range xs {
		ys[i] = To(x)
	}
	return vec.FromSlice(t, ys)
}

// decimalsToF64 makes an F64 vector of n decimals of the given scale: the
// float64 nearest each decimal's value. small(i) returns row i's unscaled
// value when it fits an int64; whole(i) returns it whole otherwise.
func decimalsToF64(n int, small func(int) (int64, bool), whole func(int) *big.Int, scale int32) (value.V, error) {
	xs := make([]float64, n)
	for i := range xs {
		if v, ok := small(i); ok {
			xs[i] = decimalFloat(v, scale, nil)
		} else {
			xs[i] = decimalFloat(0, scale, whole(i))
		}
	}
	return vec.FromSlice(value.F64, xs)
}

// pow10s are the powers of ten a float64 holds exactly.
var pow10s = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimalFloat returns the float64 nearest v / 10^scale (or, when b is not
// nil, b / 10^scale). Where v and the power of ten are both exact in a
// float64, one division (or multiplication) rounds once, correctly; other
// values go through an exact rational.
func decimalFloat(v int64, scale int32, b *big.Int) float64 {
	const exact = 1 << 53
	if b == nil && v > -exact && v < exact {
		switch {
		case scale >= 0 && int(scale) < len(pow10s):
			return float64(v) / pow10s[scale]
		case scale < 0 && int(-scale) < len(pow10s):
			return float64(v) * pow10s[-scale]
		}
	}
	if b == nil {
		b = new(big.Int).SetInt64(v)
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(scale, -scale))), nil)
	r := new(big.Rat)
	if scale >= 0 {
		r.SetFrac(b, p)
	} else {
		r.SetInt(new(big.Int).Mul(b, p))
	}
	f, _ := r.Float64()
	return f
}

// importTime makes a TIME vector (ms since midnight, in [0, a day)) of a
// time32 or time64 array of n rows: at(i) is row i in the array's unit, of
// which per make a millisecond (or, negative, -per milliseconds make one
// unit). A time of day outside a day is ErrRange, as Arrow's specification
// asks; sub-millisecond parts are dropped, which for times of day (never
// negative) is rounding toward negative infinity. Null rows are not read.
func importTime(a arrow.Array, n int, at func(int) int64, per int64) (value.V, error) {
	day := value.MillisPerDay * per
	if per < 0 {
		day = value.MillisPerDay / -per
	}
	xs := make([]int32, n)
	for i := range xs {
		if a.IsNull(i) {
			continue
		}
		t := at(i)
		if t < 0 || t >= day {
			return value.V{}, ray.Errorf(ray.ErrRange, "rayarrow.Import", "row %d: time %d %v is outside a day", i, t, a.DataType())
		}
		if per < 0 {
			xs[i] = int32(t * -per)
		} else {
			xs[i] = int32(t / per)
		}
	}
	return vec.FromSlice(value.Time, xs)
}

// importable returns ErrNYI unless Import takes arrays of type dt; a list
// is importable when its element type is.
func importable(dt arrow.DataType) error {
	switch dt := dt.(type) {
	case *arrow.BooleanType, *arrow.Uint8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Int8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Decimal128Type, *arrow.Decimal256Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.Date32Type, *arrow.Date64Type,
		*arrow.Time32Type, *arrow.Time64Type, *arrow.TimestampType,
		*arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType, *arrow.BinaryType, *arrow.LargeBinaryType:
		return nil
	case *arrow.FixedSizeBinaryType:
		if dt.ByteWidth == 16 {
			return nil
		}
		return ray.Errorf(ray.ErrNYI, "rayarrow.Import", "%v has no raygo type (GUIDs are 16 bytes)", dt)
	case *arrow.DictionaryType:
		switch dt.ValueType.(type) {
		case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
			return nil
		}
		return ray.Errorf(ray.ErrNYI, "rayarrow.Import", "a dictionary of %v has no raygo import (SYM takes strings)", dt.ValueType)
	case *arrow.ListType:
		if err := importable(dt.Elem()); err != nil {
			return ray.Errorf(ray.ErrNYI, "rayarrow.Import", "%v has no raygo import: its elements have none", dt)
		}
		return nil
	}
	return ray.Errorf(ray.ErrNYI, "rayarrow.Import", "Arrow type %v has no raygo import", dt)
}

func reinterpret[From, To any](xs []From) []To {
	if len(xs) == 0 {
		return nil
	}
	return unsafe.Slice((*To)(unsafe.Pointer(&xs[0])), len(xs))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// importStrings copies n strings into a new STR vector. (Arrow checks
// nothing as it hands them out; a panic over damaged offsets is turned
// into ErrCorrupt by the caller.)
func importStrings(n int, at func(int) string) (value.V, error) {
	return vec.FromStringsFunc(n, at)
}

// importDictionary interns each dictionary string once and maps indices.
// internDictionary interns the strings of dict, a dictionary's values, and
// appends their symbol ids to ids: a dictionary's index i names symbol
// ids[i]. A dictionary of anything but strings is ErrNYI.
func internDictionary(op string, dict arrow.Array, ids []int64) ([]int64, error) {
	var name func(int) string
	switch d := dict.(type) {
	case *array.String:
		name = d.Value
	case *array.LargeString:
		name = d.Value
	case *array.StringView:
		name = d.Value
	default:
		return nil, ray.Errorf(ray.ErrNYI, op, "a dictionary of %v has no raygo import (SYM takes strings)", d.DataType())
	}
	for i := range dict.Len() {
		id, err := value.Intern(name(i))
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func importDictionary(a *array.Dictionary) (value.V, error) {
	ids, err := internDictionary("rayarrow.Import", a.Dictionary(), nil)
	if err != nil {
		return value.V{}, err
	}
	// A null row needs some symbol under its null bit: the empty name.
	nullID, err := value.Intern("")
	if err != nil {
		return value.V{}, err
	}
	rows, err := dictionaryIDs("rayarrow.Import", a, ids, nullID, make([]int64, 0, a.Len()))
	if err != nil {
		return value.V{}, err
	}
	return vec.FromSymIDs(rows)
}

// dictionaryIDs appends to out the symbol id of each row of a, ids[k] for
// a row of index k and null for a null row. An index outside ids is
// ErrCorrupt, naming the row. It reads the indices as their own type, once.
func dictionaryIDs(op string, a *array.Dictionary, ids []int64, null int64, out []int64) ([]int64, error) {
	switch ix := a.Indices().(type) {
	case *array.Int8:
		return mapDictionary(op, a, ix.Int8Values(), ids, null, out)
	case *array.Uint8:
		return mapDictionary(op, a, ix.Uint8Values(), ids, null, out)
	case *array.Int16:
		return mapDictionary(op, a, ix.Int16Values(), ids, null, out)
	case *array.Uint16:
		return mapDictionary(op, a, ix.Uint16Values(), ids, null, out)
	case *array.Int32:
		return mapDictionary(op, a, ix.Int32Values(), ids, null, out)
	case *array.Uint32:
		return mapDictionary(op, a, ix.Uint32Values(), ids, null, out)
	case *array.Int64:
		return mapDictionary(op, a, ix.Int64Values(), ids, null, out)
	case *array.Uint64:
		return mapDictionary(op, a, ix.Uint64Values(), ids, null, out)
	}
	return nil, ray.Errorf(ray.ErrNYI, op, "dictionary indices of %v", a.Indices().DataType())
}

func mapDictionary[K int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64](op string, a arrow.Array, keys []K, ids []int64, null int64, out []int64) ([]int64, error) {
	if len(keys) < a.Len() {
		return nil, ray.Errorf(ray.ErrCorrupt, op, "%d dictionary indices for %d rows", len(keys), a.Len())
	}
	nulls := a.NullN() > 0
	for r, k := range keys[:a.Len()] {
		if nulls && a.IsNull(r) {
			out = append(out, null)
			continue
		}
		if k < 0 || uint64(k) >= uint64(len(ids)) {
			return nil, ray.Errorf(ray.ErrCorrupt, op, "row %d: dictionary index %d outside a dictionary of %d", r, k, len(ids))
		}
		out = append(out, ids[k])
	}
	return out, nil
}

// ImportRecord copies an Arrow record into a new raygo TABLE. Columns keep
// their Arrow names, except where Arrow allows a name that a raygo table
// cannot hold: a field with an empty name, or with the name of a field
// before it, is named "col" and its position from 0 ("col3" for the fourth
// field), since a table's columns have distinct, non-empty names. Every
// reader of files and streams names columns this way. A field whose
// position name is also the name of another field is ErrNYI, and so is a
// name longer than a symbol (value.MaxSymLen bytes); a name that is not
// UTF-8 breaks Arrow's format and is ErrCorrupt.
func ImportRecord(rec arrow.Record) (t value.V, err error) {
	defer corruptOnPanic("rayarrow.ImportRecord", &err)
	names, err := columnNames(rec.Schema())
	if err != nil {
		return value.V{}, err
	}
	fields := make([]int, rec.NumCols())
	for i := range fields {
		fields[i] = i
	}
	return importFields(rec, fields, names)
}

// importFields imports the given fields of rec as a table, named by names
// (every field's name, by position).
func importFields(rec arrow.Record, fields []int, names []string) (t value.V, err error) {
	for _, i := range fields {
		if err := columnType(names[i], rec.Schema().Field(i).Type); err != nil {
			return value.V{}, err
		}
		if n := rec.Column(i).Len(); int64(n) != rec.NumRows() {
			return value.V{}, ray.Errorf(ray.ErrCorrupt, "rayarrow.ImportRecord", "column %q has %d rows in a record of %d", names[i], n, rec.NumRows())
		}
	}
	t, err = vec.NewTable()
	if err != nil {
		return value.V{}, err
	}
	defer releaseOnPanic(&t)
	for _, i := range fields {
		col, err := Import(rec.Column(i))
		if err != nil {
			cow.Release(&t)
			return value.V{}, inColumn(err, names[i])
		}
		err = vec.AddColumn(&t, names[i], col)
		cow.Release(&col)
		if err != nil {
			cow.Release(&t)
			return value.V{}, err
		}
	}
	return t, nil
}

// columnType returns ErrNYI, naming the column, unless a TABLE column can
// hold arrays of type dt: a TABLE holds vectors, so nested types (lists,
// structs, maps) have no place in one, whatever Import makes of them.
func columnType(name string, dt arrow.DataType) error {
	switch dt.(type) {
	case *arrow.ListType, *arrow.LargeListType, *arrow.ListViewType, *arrow.LargeListViewType, *arrow.FixedSizeListType,
		*arrow.StructType, *arrow.MapType, *arrow.SparseUnionType, *arrow.DenseUnionType:
		return ray.Errorf(ray.ErrNYI, "rayarrow.ImportRecord", "column %q: %v has no place in a TABLE, whose columns are vectors", name, dt)
	}
	if err := importable(dt); err != nil {
		return inColumn(err, name)
	}
	return nil
}

// inColumn names the column in a raygo error's message.
func inColumn(err error, name string) error {
	var re *ray.Error
	if errors.As(err, &re) && !strings.HasPrefix(re.Msg, "column ") {
		re.Msg = fmt.Sprintf("column %q: %s", name, re.Msg)
	}
	return err
}

// columnNames returns the names the columns of an Arrow schema get in a
// raygo TABLE (see ImportRecord).
func columnNames(s *arrow.Schema) ([]string, error) {
	fields := s.Fields()
	names := make([]string, len(fields))
	taken := make(map[string]bool, len(fields))
	for i, f := range fields {
		switch {
		case !utf8.ValidString(f.Name):
			return nil, ray.Errorf(ray.ErrCorrupt, "rayarrow.ImportRecord", "field %d: its name %q is not UTF-8", i, f.Name)
		case len(f.Name) > value.MaxSymLen:
			return nil, ray.Errorf(ray.ErrNYI, "rayarrow.ImportRecord", "field %d: a name of %d bytes, longer than raygo's %d", i, len(f.Name), value.MaxSymLen)
		}
		taken[f.Name] = true
	}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		name := f.Name
		if name == "" || seen[name] {
			name = "col" + strconv.Itoa(i)
			if taken[name] {
				return nil, ray.Errorf(ray.ErrNYI, "rayarrow.ImportRecord", "field %d (%q) would be named %q, which another field has", i, f.Name, name)
			}
		}
		seen[name] = true
		names[i] = name
	}
	return names, nil
}

// releaseOnPanic, deferred by a function building *vp, releases it if the
// function panics, and panics on.
func releaseOnPanic(vp *value.V) {
	if r := recover(); r != nil {
		cow.Release(vp)
		panic(r)
	}
}

// corruptOnPanic, deferred by an entry point that hands Arrow data it did
// not make to Arrow Go (whose v17 constructors panic on inconsistent
// buffers rather than return an error), turns such a panic into ErrCorrupt.
// Whatever the entry point built has been released by releaseOnPanic.
func corruptOnPanic(op string, err *error) {
	if r := recover(); r != nil {
		*err = panicError(op, r)
	}
}

// checkBuffers reports ErrCorrupt unless a's buffers hold what its length
// and offset promise: a validity bitmap (when present) and every fixed-width
// buffer (values, offsets, views, dictionary indices) long enough. Arrow Go
// v17 does not check this, and Import sizes what it allocates by the
// length, so a record batch declaring 10^12 rows over a few bytes must stop
// here. Variable-width data is reached through offsets, whose reads past
// the data panic (and are recovered) rather than allocate.
func checkBuffers(a arrow.Array) error {
	d := a.Data()
	n, off := d.Len(), d.Offset()
	if n < 0 || off < 0 || n > math.MaxInt32*64 || off > math.MaxInt32*64 {
		return ray.Errorf(ray.ErrCorrupt, "rayarrow.Import", "an array of %d rows at offset %d", n, off)
	}
	if n == 0 {
		return nil // nothing is read (an empty array may have no offsets at all)
	}
	dt := d.DataType()
	bufs := d.Buffers()
	for i, spec := range dt.Layout().Buffers {
		have := 0
		if i < len(bufs) && bufs[i] != nil {
			have = bufs[i].Len()
		}
		need := 0
		switch spec.Kind {
		case arrow.KindBitmap:
			if i == 0 && have == 0 {
				continue // no validity bitmap: no nulls
			}
			need = (off + n + 7) / 8
		case arrow.KindFixedWidth:
			elems := off + n
			if i == 1 && hasOffsets(dt) {
				elems++
			}
			need = elems * spec.ByteWidth
		default:
			continue
		}
		if have < need {
			return ray.Errorf(ray.ErrCorrupt, "rayarrow.Import", "a %v array of %d rows at offset %d: buffer %d has %d bytes, needs %d", dt, n, off, i, have, need)
		}
	}
	return nil
}

// hasOffsets reports whether buffer 1 of dt's arrays holds offsets, one
// more than the rows.
func hasOffsets(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LIST, arrow.MAP, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.LARGE_LIST:
		return true
	}
	return false
}
