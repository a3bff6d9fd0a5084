package store

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"unsafe"

	"github.com/raygo/ray"
	"github.com/raygo/ray/cow"
	"github.com/raygo/ray/internal/atomicfile"
	"github.com/raygo/ray/internal/layout"
	"github.com/raygo/ray/internal/offheap"
	"github.com/raygo/ray/value"
	"github.com/raygo/ray/vec"
)

const (
	magic      = "RAYGOCOL"
	version    = 1
	headerLen  = 128
	dataOffset = 4096
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileHeader is the column file header (see the package comment).
type fileHeader struct {
	Magic    [8]byte
	Version  uint32
	HdrLen   uint32
	Type     int8
	Width    uint8
	HasNulls uint8
	_        [5]byte
	Rows     uint64
	DataOff  uint64
	DataLen  uint64
	NullOff  uint64
	NullLen  uint64
	PoolOff  uint64
	PoolLen  uint64
	SymCount uint64
	DataCRC  uint32
	_        [32]byte
	HdrCRC   uint32
}

var _ [headerLen - unsafe.Sizeof(fileHeader{})]byte
var _ [unsafe.Sizeof(fileHeader{}) - headerLen]byte

func storable(t value.Type) bool {
	return t.IsVector()
}

// SaveColumn writes vector v (a slice, indexed or mapped vector included)
// to the file at path, replacing it atomically.
func SaveColumn(path string, v value.V) error {
	parts, err := encodeColumn(v)
	if err != nil {
		return err
	}
	return atomicfile.Write("store.SaveColumn", path, func(w *atomicfile.Writer) error {
		for _, b := range parts {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// encodeColumn returns the parts of v's column file, in order: the header
// page, the elements, the null bitmap and the pool.
func encodeColumn(v value.V) ([][]byte, error) {
	if v.IsZero() || !storable(v.Type()) {
		return nil, ray.Errorf(ray.ErrType, "store.SaveColumn", "want a vector, have %v", v.TypeName())
	}
	data, nulls, pool := sections(v)
	h := fileHeader{Version: version, HdrLen: headerLen, Type: int8(v.Type()), Rows: uint64(v.Len()),
		DataOff: dataOffset, DataLen: uint64(len(data))}
	copy(h.Magic[:], magic)
	if v.Type() == value.Sym {
		h.Width = layout.SymWidth(v)
		h.SymCount = uint64(value.SymCount())
	}
	h.NullOff = h.DataOff + h.DataLen
	if nulls != nil {
		h.HasNulls, h.NullLen = 1, uint64(len(nulls))
	}
	h.PoolOff = h.NullOff + h.NullLen
	h.PoolLen = uint64(len(pool))
	crc := crc32.Update(0, castagnoli, data)
	crc = crc32.Update(crc, castagnoli, nulls)
	h.DataCRC = crc32.Update(crc, castagnoli, pool)
	head := make([]byte, dataOffset)
	encodeHeader(head, &h)
	return [][]byte{head, data, nulls, pool}, nil
}

func encodeHeader(b []byte, h *fileHeader) {
	hb := unsafe.Slice((*byte)(unsafe.Pointer(h)), headerLen)
	binary.LittleEndian.PutUint32(hb[headerLen-4:], 0)
	h.HdrCRC = crc32.Checksum(hb[:headerLen-4], castagnoli)
	copy(b, hb)
}

// sections returns v's elements, its null bitmap for its own rows (nil
// without nulls) and, for STR, a pool holding exactly its strings (the
// views rewritten to match).
func sections(v value.V) (data, nulls, pool []byte) {
	n := int(v.Len())
	root, off := layout.Root(v)
	size := layout.ElemSize(v)
	data = unsafe.Slice((*byte)(offheap.Add(layout.BlockData(root), uintptr(off*size))), n*size)
	if v.Type() == value.Str {
		data, pool = strSections(v, n, root == v)
	}
	if vec.NullCount(v) > 0 {
		// The bitmap as the vector holds it, moved to bit 0.
		bits, at := vec.NullBits(v)
		nulls = make([]byte, (n+7)/8)
		if at%8 == 0 {
			copy(nulls, bits[min(at/8, len(bits)):])
		} else {
			for i := range n {
				if j := at + i; j>>3 < len(bits) && bits[j>>3]>>(j&7)&1 != 0 {
					nulls[i>>3] |= 1 << (i & 7)
				}
			}
		}
		if r := n % 8; r != 0 { // bits past the rows are 0
			nulls[len(nulls)-1] &= 1<<r - 1
		}
	}
	return data, nulls, pool
}

// strSections returns a STR vector's views and pool as a file holds them:
// the vector's own when it is not a slice and its pool holds no dead
// bytes (its views' offsets are then the file's), else a copy of the
// views over a pool of just their strings.
func strSections(v value.V, n int, whole bool) (views, pool []byte) {
	st, _ := vec.StrPool(v)
	if p := layout.Pool(v); whole && st.Dead == 0 {
		views = unsafe.Slice((*byte)(layout.BlockData(v)), n*16)
		if !p.IsZero() {
			pool = unsafe.Slice((*byte)(layout.BlockData(p)), p.Len())
		}
		return views, pool
	}
	views = make([]byte, n*16)
	pool = make([]byte, 0, st.Pooled)
	for i := range n {
		s, _ := vec.StrView(v, i)
		e := views[i*16 : i*16+16]
		binary.LittleEndian.PutUint32(e, uint32(len(s)))
		if len(s) <= 12 {
			copy(e[4:], s)
			continue
		}
		copy(e[4:8], s)
		binary.LittleEndian.PutUint32(e[12:], uint32(len(pool)))
		pool = append(pool, s...)
	}
	return views, pool
}

// readHeader reads and checks the header of a column file of size bytes.
func readHeader(r io.ReaderAt, size int64) (fileHeader, error) {
	var h fileHeader
	if size < dataOffset {
		return h, corrupt("the file has %d bytes, less than a header page", size)
	}
	hb := unsafe.Slice((*byte)(unsafe.Pointer(&h)), headerLen)
	if _, err := r.ReadAt(hb, 0); err != nil {
		return h, ray.Wrap(ray.ErrIO, "store.ReadColumn", err, "reading the header")
	}
	if string(h.Magic[:]) != magic {
		return h, corrupt("not a raygo column file (magic %q)", h.Magic[:])
	}
	if h.Version > version {
		return h, ray.Errorf(ray.ErrNYI, "store.ReadColumn", "column file version %d is newer than this raygo reads (%d)", h.Version, version)
	}
	if h.Version != version || h.HdrLen != headerLen {
		return h, corrupt("version %d, header length %d", h.Version, h.HdrLen)
	}
	if got := crc32.Checksum(hb[:headerLen-4], castagnoli); got != h.HdrCRC {
		return h, corrupt("header checksum %#x, want %#x", got, h.HdrCRC)
	}
	t := value.Type(h.Type)
	if !storable(t) || h.HasNulls > 1 || t != value.Sym && h.Width != 0 || h.Width > 3 {
		return h, corrupt("type %d, width %d, nulls flag %d", h.Type, h.Width, h.HasNulls)
	}
	size8 := uint64(t.ElemSize())
	if t == value.Sym {
		size8 = 1 << h.Width
	}
	switch {
	case h.Rows > 1<<40 || h.DataLen != h.Rows*size8:
		return h, corrupt("%d rows of %v in %d bytes", h.Rows, t, h.DataLen)
	case h.DataOff != dataOffset || h.NullOff != h.DataOff+h.DataLen || h.PoolOff != h.NullOff+h.NullLen:
		return h, corrupt("sections at %d, %d, %d do not follow one another", h.DataOff, h.NullOff, h.PoolOff)
	case h.HasNulls == 1 && h.NullLen != (h.Rows+7)/8 || h.HasNulls == 0 && h.NullLen != 0:
		return h, corrupt("a null bitmap of %d bytes for %d rows", h.NullLen, h.Rows)
	case t != value.Str && h.PoolLen != 0 || h.PoolLen > vec.MaxPool:
		return h, corrupt("a pool of %d bytes", h.PoolLen)
	case h.PoolOff+h.PoolLen != uint64(size):
		return h, corrupt("the sections end at %d but the file has %d bytes", h.PoolOff+h.PoolLen, size)
	case t == value.Sym && h.SymCount > uint64(value.SymCount()):
		return h, corrupt("written against %d symbols, this process has %d", h.SymCount, value.SymCount())
	}
	return h, nil
}

func corrupt(format string, args ...any) error {
	return ray.Errorf(ray.ErrCorrupt, "store.ReadColumn", format, args...)
}

// checkSections checks what the header cannot: the data checksum (when
// verify), STR views against the pool, SYM ids against the symbol table.
func checkSections(h *fileHeader, data, nulls, pool []byte, verify bool) error {
	if verify {
		crc := crc32.Update(0, castagnoli, data)
		crc = crc32.Update(crc, castagnoli, nulls)
		if crc = crc32.Update(crc, castagnoli, pool); crc != h.DataCRC {
			return corrupt("data checksum %#x, want %#x", crc, h.DataCRC)
		}
	}
	return checkRefs(h, data, pool)
}

// checkRefs checks what in the elements points elsewhere or has few valid
// values: STR views into the pool, SYM ids into the symbol table the column
// was written against, BOOL bytes (0 or 1 only: Go reads any other byte as
// a bool that is neither true nor false).
func checkRefs(h *fileHeader, data, pool []byte) error {
	switch value.Type(h.Type) {
	case value.Bool:
		return checkBools(data, 0)
	case value.Str:
		for i := uint64(0); i < h.Rows; i++ {
			e := data[i*16 : i*16+16]
			n := uint64(binary.LittleEndian.Uint32(e))
			if n <= 12 {
				continue
			}
			if off := uint64(binary.LittleEndian.Uint32(e[12:])); binary.LittleEndian.Uint32(e[8:]) != 0 || off+n > uint64(len(pool)) {
				return corrupt("row %d: a string of %d bytes at %d outside a pool of %d", i, n, off, len(pool))
			}
		}
	case value.Sym:
		return checkSymIDs(h, data)
	}
	return nil
}

// checkSymIDs reports ErrCorrupt unless every id of a SYM column's data is
// below the symbol count it was written against. Ids of a width all of
// whose values are below the count need no look; otherwise one pass finds
// the largest id, at memory speed, and only a failing column is searched
// again for its first bad row.
func checkSymIDs(h *fileHeader, data []byte) error {
	if h.Width > 3 {
		return corrupt("symbol ids %d bytes wide", 1<<h.Width)
	}
	bits := uint(8) << h.Width
	if bits < 64 && h.SymCount >= uint64(1)<<bits {
		return nil // every id of the width is a symbol
	}
	n := int(h.Rows)
	var most uint64
	switch h.Width {
	case 0:
		most = uint64(slices.Max(append(data[:n:n], 0)))
	case 1:
		most = uint64(maxOf(unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(data))), n)))
	case 2:
		most = uint64(maxOf(unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(data))), n)))
	default:
		most = maxOf(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(data))), n))
	}
	if most < h.SymCount {
		return nil
	}
	w := uint64(1) << h.Width
	for i := uint64(0); i < h.Rows; i++ {
		var id uint64
		for b := range w {
			id |= uint64(data[i*w+b]) << (8 * b)
		}
		if id >= h.SymCount {
			return corrupt("row %d: symbol id %d, but the column was written against %d symbols", i, id, h.SymCount)
		}
	}
	return nil
}

// maxOf returns the largest of xs, 0 for none: a loop of four lanes, which
// the compiler keeps in registers.
func maxOf[T uint16 | uint32 | uint64](xs []T) T {
	var m0, m1, m2, m3 T
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		m0, m1, m2, m3 = max(m0, xs[i]), max(m1, xs[i+1]), max(m2, xs[i+2]), max(m3, xs[i+3])
	}
	for ; i < len(xs); i++ {
		m0 = max(m0, xs[i])
	}
	return max(m0, m1, m2, m3)
}

// checkBools reports ErrCorrupt unless every byte of b is 0 or 1; row is
// the row of b[0], for the message.
func checkBools(b []byte, row uint64) error {
	const high = 0xFEFEFEFEFEFEFEFE
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&high != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] > 1 {
			return corrupt("row %d: a BOOL byte %#x, neither 0 nor 1", row+uint64(i), b[i])
		}
	}
	return nil
}

// LoadColumn reads the column file at path into a new heap vector.
func LoadColumn(path string) (value.V, error) {
	f, err := os.Open(path)
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "store.LoadColumn", err, "opening %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return value.V{}, ray.Wrap(ray.ErrIO, "store.LoadColumn", err, "stat %s", path)
	}
	return loadColumn(f, st.Size())
}

// decodeColumn makes a heap vector of the column file bytes b.
func decodeColumn(b []byte) (value.V, error) {
	return loadColumn(bytesReaderAt(b), int64(len(b)))
}

// loadChunk is how much of a fixed-width column loadColumn reads at a time:
// small enough to stay in cache between the read, the checksum and the copy
// into the vector.
const loadChunk = 256 << 10

// loadColumn reads a column file of size bytes from r into a new heap
// vector. Fixed-width elements stream through a cache-sized buffer into
// the vector, checksummed on the way; SYM ids, which must be checked
// before any is used, are read whole first; STR columns are read straight
// into their vector (loadStr).
func loadColumn(r io.ReaderAt, size int64) (value.V, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return value.V{}, err
	}
	read := func(off, n uint64) ([]byte, error) {
		if n == 0 {
			return nil, nil
		}
		b := make([]byte, n)
		if _, err := r.ReadAt(b, int64(off)); err != nil {
			return nil, ray.Wrap(ray.ErrIO, "store.LoadColumn", err, "reading %d bytes at %d", n, off)
		}
		return b, nil
	}
	t := value.Type(h.Type)
	if t == value.Str {
		return loadStr(r, &h)
	}
	capacity := int(h.Rows) // the sections tile the file: rows are bounded by its size
	if t == value.Sym {
		capacity = 0 // appended one by one: SYM widths grow as needed
	}
	v, err := vec.New(t, capacity)
	if err != nil {
		return value.V{}, err
	}
	fail := func(err error) (value.V, error) {
		cow.Release(&v)
		return value.V{}, err
	}
	var crc uint32
	var data []byte
	if t == value.Sym {
		if data, err = read(h.DataOff, h.DataLen); err != nil {
			return fail(err)
		}
		crc = crc32.Update(0, castagnoli, data)
	} else if h.Rows > 0 {
		elem := h.DataLen / h.Rows
		buf := make([]byte, min(h.DataLen, loadChunk/elem*elem))
		for off := uint64(0); off < h.DataLen; off += uint64(len(buf)) {
			b := buf[:min(uint64(len(buf)), h.DataLen-off)]
			if _, err := r.ReadAt(b, int64(h.DataOff+off)); err != nil {
				return fail(ray.Wrap(ray.ErrIO, "store.LoadColumn", err, "reading %d bytes at %d", len(b), h.DataOff+off))
			}
			crc = crc32.Update(crc, castagnoli, b)
			if t == value.Bool {
				if err := checkBools(b, off); err != nil {
					return fail(err)
				}
			}
			if err := appendRaw(&v, b, int(uint64(len(b))/elem)); err != nil {
				return fail(err)
			}
		}
	}
	nulls, err := read(h.NullOff, h.NullLen)
	if err != nil {
		return fail(err)
	}
	pool, err := read(h.PoolOff, h.PoolLen)
	if err != nil {
		return fail(err)
	}
	crc = crc32.Update(crc, castagnoli, nulls)
	if crc = crc32.Update(crc, castagnoli, pool); crc != h.DataCRC {
		return fail(corrupt("data checksum %#x, want %#x", crc, h.DataCRC))
	}
	if err := checkRefs(&h, data, pool); err != nil { // BOOL was checked on the way
		return fail(err)
	}
	if data != nil {
		if err := fill(&v, &h, data); err != nil {
			return fail(err)
		}
	}
	if err := applyNulls(&v, nulls, int(h.Rows)); err != nil {
		return fail(err)
	}
	return v, nil
}

// loadStr reads a STR column file: its views and pool straight into the
// vector's blocks (vec.StrLoad), checksummed a cache-sized chunk at a time
// as they arrive, then every view checked against the pool.
func loadStr(r io.ReaderAt, h *fileHeader) (value.V, error) {
	if h.PoolLen > vec.MaxPool {
		return value.V{}, corrupt("a STR pool of %d bytes", h.PoolLen)
	}
	l, err := vec.NewStrLoad(int(h.Rows), int(h.PoolLen))
	if err != nil {
		return value.V{}, err
	}
	var crc uint32
	readInto := func(dst []byte, off uint64) error {
		for k := 0; k < len(dst); k += loadChunk {
			b := dst[k:min(k+loadChunk, len(dst))]
			if _, err := r.ReadAt(b, int64(off)+int64(k)); err != nil {
				return ray.Wrap(ray.ErrIO, "store.LoadColumn", err, "reading %d bytes at %d", len(b), int64(off)+int64(k))
			}
			crc = crc32.Update(crc, castagnoli, b)
		}
		return nil
	}
	nulls := make([]byte, h.NullLen)
	err = readInto(l.Views(), h.DataOff)
	if err == nil {
		err = readInto(nulls, h.NullOff)
	}
	if err == nil {
		err = readInto(l.Pool(), h.PoolOff)
	}
	if err == nil && crc != h.DataCRC {
		err = corrupt("data checksum %#x, want %#x", crc, h.DataCRC)
	}
	if err != nil {
		l.Release()
		return value.V{}, err
	}
	v, err := l.Finish()
	if err != nil {
		return value.V{}, corrupt("%v", err)
	}
	if h.NullLen == 0 {
		nulls = nil
	}
	if err := applyNulls(&v, nulls, int(h.Rows)); err != nil {
		cow.Release(&v)
		return value.V{}, err
	}
	return v, nil
}

// fill appends the ids of a SYM file to *vp, an empty SYM vector.
func fill(vp *value.V, h *fileHeader, data []byte) error {
	n, w := int(h.Rows), 1<<h.Width
	for i := range n {
		var id int64
		for b := range w {
			id |= int64(data[i*w+b]) << (8 * b)
		}
		if err := vec.AppendSymID(vp, id); err != nil {
			return err
		}
	}
	return nil
}

// appendRaw appends n fixed-width elements from data to *vp.
func appendRaw(vp *value.V, data []byte, n int) error {
	switch value.Type((*vp).Type()) {
	case value.Bool:
		return vec.AppendSlice(vp, unsafe.Slice((*bool)(unsafe.Pointer(&data[0])), n))
	case value.U8:
		return vec.AppendSlice(vp, data[:n])
	case value.I16:
		return vec.AppendSlice(vp, unsafe.Slice((*int16)(unsafe.Pointer(&data[0])), n))
	case value.I32, value.Date, value.Time:
		return vec.AppendSlice(vp, unsafe.Slice((*int32)(unsafe.Pointer(&data[0])), n))
	case value.I64, value.Timestamp:
		return vec.AppendSlice(vp, unsafe.Slice((*int64)(unsafe.Pointer(&data[0])), n))
	case value.F32:
		return vec.AppendSlice(vp, unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), n))
	case value.F64:
		return vec.AppendSlice(vp, unsafe.Slice((*float64)(unsafe.Pointer(&data[0])), n))
	case value.GUID:
		return vec.AppendSlice(vp, unsafe.Slice((*[16]byte)(unsafe.Pointer(&data[0])), n))
	}
	return ray.Errorf(ray.ErrNYI, "store.LoadColumn", "%v columns", (*vp).Type())
}

func applyNulls(vp *value.V, nulls []byte, n int) error {
	if len(nulls) == 0 {
		return nil
	}
	return vec.SetNulls(vp, nulls, 0)
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
