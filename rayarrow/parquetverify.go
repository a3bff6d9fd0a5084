package rayarrow

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/raygo/ray"
)

// verifyParquet checks a Parquet file before Arrow Go decodes any of it,
// the way verifiedStream checks IPC messages: the footer, the Thrift file
// metadata and every page header, against the file's size, the schema and
// limit (the most a read may hold). Arrow Go trusts all three: it sizes Go
// slices by the counts Thrift lists declare, recurses as deep as the
// schema nests, and grows buffers to the sizes page headers declare, where
// a fault is an out-of-memory or stack-overflow crash that no recover
// catches. What passes here can still be wrong (values that do not decode,
// checksums that do not match), but only in ways Arrow answers with an
// error or a panic that ReadParquet recovers.
//
// The checks, each an ErrCorrupt unless named:
//   - "PAR1" at both ends, and a footer that fits between them; encrypted
//     files ("PARE", or metadata naming an algorithm) are ErrNYI.
//   - The metadata is valid compact Thrift (thriftReader: no list longer
//     than the bytes left, nesting at most maxThriftDepth), and what Arrow
//     will build from it, reckoned at metadataCostPerElem bytes an element,
//     fits in limit (else ErrLimit).
//   - The schema is a tree: every num_children is covered by the elements
//     that follow, nothing is left over, and it nests at most
//     maxSchemaDepth levels.
//   - Every row group has one column chunk per leaf of the schema, each
//     with metadata, in this file (no file_path, ErrNYI), with counts >= 0
//     and its pages inside the file before the footer.
//   - Every page header, walked as Arrow's page reader walks them until
//     the chunk's values are read: valid Thrift inside its chunk, sizes >=
//     0, the compressed bytes inside the chunk, a v2 page's level lengths
//     inside both sizes. The uncompressed sizes of all pages together fit
//     in limit (else ErrLimit): this is the bound on decompression bombs,
//     which the codecs registered in codecs.go hold each page to.
//
// verifyParquet checks the footer and metadata and returns the verifier,
// whose walkPages walks the page headers of the chunks a read will hand to
// Arrow Go. (The native reader checks each page header as it decodes.)
func verifyParquet(r io.ReaderAt, size int64, limit uint64) (*parquetVerifier, error) {
	v := &parquetVerifier{r: r, size: size, limit: limit}
	if err := v.verify(); err != nil {
		return nil, err
	}
	return v, nil
}

const (
	// metadataCostPerElem bounds what Arrow Go allocates per Thrift element
	// (struct field or container element) of the file metadata: the
	// largest generated struct, a column's metadata, is under 300 bytes.
	metadataCostPerElem = 512

	// maxSchemaDepth bounds the nesting of a Parquet schema. Arrow Go
	// builds schemas recursively; raygo imports lists of primitives and
	// structs of those, three levels.
	maxSchemaDepth = 64

	// maxPageHeader is the largest page header Arrow Go reads (its
	// default), and pageHeaderWindow the bytes read first to walk one.
	maxPageHeader    = 16 << 20
	pageHeaderWindow = 4 << 10

	// legacyPadding is what Arrow Go adds to a column chunk's length for
	// files of old parquet-mr versions, which left the dictionary page
	// header out of it (PARQUET-816). In a file parquet-mr wrote, pages
	// may reach this far past the chunk's declared end, never past the
	// footer; elsewhere they must end inside the chunk, as the page reader
	// reads no further.
	legacyPadding = 100
)

type parquetVerifier struct {
	r            io.ReaderAt
	size         int64
	limit        uint64
	footerStart  int64
	legacy       bool // written by parquet-mr: pages may reach legacyPadding past a chunk
	leaves       int
	groups       [][]chunkMeta
	uncompressed uint64 // all pages' uncompressed sizes so far
}

// chunkMeta is what verification needs of a column chunk's metadata.
type chunkMeta struct {
	hasMeta          bool
	external         bool
	encrypted        bool
	codec            int64
	numValues        int64
	totalCompressed  int64
	dataPageOffset   int64
	dictPageOffset   int64
	hasDictPageField bool
}

func corruptf(format string, args ...any) error {
	return ray.Errorf(ray.ErrCorrupt, "rayarrow.ReadParquet", format, args...)
}

func (v *parquetVerifier) verify() error {
	const magic, encMagic = "PAR1", "PARE"
	if v.size < 12 {
		return corruptf("%d bytes: not a Parquet file", v.size)
	}
	var head [4]byte
	var tail [8]byte
	if _, err := v.r.ReadAt(head[:], 0); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading the header")
	}
	if _, err := v.r.ReadAt(tail[:], v.size-8); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading the footer")
	}
	if string(tail[4:]) == encMagic {
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "an encrypted Parquet file")
	}
	if string(head[:]) != magic || string(tail[4:]) != magic {
		return corruptf("no PAR1 at both ends: not a Parquet file")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > v.size-12 {
		return corruptf("a footer of %d bytes in a file of %d", n, v.size)
	}
	if uint64(n) > v.limit {
		return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "a footer of %d bytes passes the read limit of %d", n, v.limit)
	}
	v.footerStart = v.size - 8 - n
	meta := make([]byte, n)
	if _, err := v.r.ReadAt(meta, v.footerStart); err != nil {
		return ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading the footer")
	}
	return v.metadata(meta)
}

// metadata walks FileMetaData: field 2 the schema, 4 the row groups, 8
// the encryption algorithm.
func (v *parquetVerifier) metadata(b []byte) error {
	t := &thriftReader{b: b}
	var children []int32 // num_children of each schema element
	var groups [][]chunkMeta
	encrypted := false
	t.fields(func(id int16, typ byte) {
		switch {
		case id == 2 && typ == tList:
			t.elements(typ, tStruct, func() {
				var nc int32
				t.fields(func(id int16, typ byte) {
					if id == 5 && typ == tI32 {
						nc = t.i32()
						return
					}
					t.skip(typ)
				})
				children = append(children, nc)
			})
		case id == 4 && typ == tList:
			t.elements(typ, tStruct, func() {
				var cols []chunkMeta
				t.fields(func(id int16, typ byte) {
					if id == 1 && typ == tList {
						t.elements(typ, tStruct, func() { cols = append(cols, columnChunk(t)) })
						return
					}
					t.skip(typ)
				})
				groups = append(groups, cols)
			})
		case id == 6 && typ == tBinary:
			v.legacy = bytes.HasPrefix(t.binary(), []byte("parquet-mr"))
		case id == 8:
			encrypted = true
			t.skip(typ)
		default:
			t.skip(typ)
		}
	})
	if t.bad {
		return corruptf("file metadata: %s at byte %d of %d", t.why, t.pos, len(b))
	}
	if cost := uint64(t.elems) * metadataCostPerElem; cost > v.limit {
		return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "file metadata of %d elements (about %d bytes decoded) passes the read limit of %d", t.elems, cost, v.limit)
	}
	if encrypted {
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "an encrypted Parquet file")
	}
	if err := v.schema(children); err != nil {
		return err
	}
	for g, cols := range groups {
		if len(cols) != v.leaves {
			return corruptf("row group %d has %d column chunks for %d columns", g, len(cols), v.leaves)
		}
		for c := range cols {
			if err := v.checkChunk(g, c, &cols[c]); err != nil {
				return err
			}
		}
	}
	v.groups = groups
	return nil
}

// walkPages walks the page headers of the chunks of the given leaves in
// the given row groups, which Arrow Go is about to read. levels gives a
// leaf's largest repetition and definition levels, by which the
// dictionary indexes of its pages are found and checked (see
// checkIndexes).
func (v *parquetVerifier) walkPages(leaves, groups []int, levels func(leaf int) (rep, def int)) error {
	for _, g := range groups {
		for _, c := range leaves {
			rep, def := levels(c)
			if err := v.walkChunk(g, c, &v.groups[g][c], rep, def); err != nil {
				return err
			}
		}
	}
	return nil
}

// columnChunk reads ColumnChunk: field 1 file_path, 3 meta_data (a
// ColumnMetaData), 8 and 9 encryption.
func columnChunk(t *thriftReader) chunkMeta {
	var c chunkMeta
	t.fields(func(id int16, typ byte) {
		switch {
		case id == 1:
			c.external = true
			t.skip(typ)
		case id == 3 && typ == tStruct:
			c.hasMeta = true
			t.fields(func(id int16, typ byte) {
				switch id {
				case 4:
					c.codec = t.int(typ)
				case 5:
					c.numValues = t.int(typ)
				case 7:
					c.totalCompressed = t.int(typ)
				case 9:
					c.dataPageOffset = t.int(typ)
				case 11:
					c.dictPageOffset = t.int(typ)
					c.hasDictPageField = true
				default:
					t.skip(typ)
				}
			})
		case id == 8 || id == 9:
			c.encrypted = true
			t.skip(typ)
		default:
			t.skip(typ)
		}
	})
	return c
}

// schema checks that the flattened schema is a tree no deeper than
// maxSchemaDepth and counts its leaves. The first element is the root.
func (v *parquetVerifier) schema(children []int32) error {
	if len(children) == 0 {
		return corruptf("an empty schema")
	}
	// open holds, per open group, how many children it still expects.
	open := []int64{int64(children[0])}
	if children[0] < 0 {
		return corruptf("the schema's root has %d children", children[0])
	}
	for i := 1; i < len(children); i++ {
		for len(open) > 0 && open[len(open)-1] == 0 {
			open = open[:len(open)-1]
		}
		if len(open) == 0 {
			return corruptf("schema element %d is outside the root's %d children", i, children[0])
		}
		open[len(open)-1]--
		switch nc := children[i]; {
		case nc < 0:
			return corruptf("schema element %d has %d children", i, nc)
		case nc == 0:
			v.leaves++
		default:
			if len(open) >= maxSchemaDepth {
				return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "a schema nested more than %d levels", maxSchemaDepth)
			}
			open = append(open, int64(nc))
		}
	}
	for _, n := range open {
		if n != 0 {
			return corruptf("the schema ends %d elements short of its groups' children", n)
		}
	}
	return nil
}

// checkChunk checks a column chunk's metadata.
func (v *parquetVerifier) checkChunk(g, c int, col *chunkMeta) error {
	switch {
	case col.encrypted:
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "row group %d column %d is encrypted", g, c)
	case col.external:
		return ray.Errorf(ray.ErrNYI, "rayarrow.ReadParquet", "row group %d column %d is in another file", g, c)
	case !col.hasMeta:
		return corruptf("row group %d column %d has no metadata", g, c)
	case col.numValues < 0 || col.totalCompressed < 0 || col.dataPageOffset < 0 || col.dictPageOffset < 0:
		return corruptf("row group %d column %d: %d values, %d bytes at %d (dictionary at %d)", g, c, col.numValues, col.totalCompressed, col.dataPageOffset, col.dictPageOffset)
	}
	if col.numValues == 0 {
		// Arrow Go reads no page of a chunk of no values, and writes such a
		// chunk's data page offset as 0.
		return nil
	}
	if _, _, ok := v.chunkBounds(col); !ok {
		return corruptf("row group %d column %d: %d bytes at %d, past the data (which ends at %d)", g, c, col.totalCompressed, col.dataPageOffset, v.footerStart)
	}
	return nil
}

// chunkBounds returns where a chunk's pages start and how far they may
// reach: the chunk's bytes, or legacyPadding more in a parquet-mr file.
func (v *parquetVerifier) chunkBounds(col *chunkMeta) (start, end int64, ok bool) {
	// Where Arrow Go starts reading the chunk.
	start = col.dataPageOffset
	if col.hasDictPageField && col.dictPageOffset > 0 && start > col.dictPageOffset {
		start = col.dictPageOffset
	}
	if start < 4 || start > v.footerStart || col.totalCompressed > v.footerStart-start {
		return 0, 0, false
	}
	end = start + col.totalCompressed
	if v.legacy {
		end = min(end+legacyPadding, v.footerStart)
	}
	return start, end, true
}

// walkChunk walks a column chunk's page headers.
func (v *parquetVerifier) walkChunk(g, c int, col *chunkMeta, maxRep, maxDef int) error {
	if col.numValues == 0 {
		return nil
	}
	start, end, _ := v.chunkBounds(col)
	var seen int64
	dictN := int64(-1) // no dictionary page yet
	var page []byte
	for pos := start; seen < col.numValues; {
		if pos >= end {
			return nil // Arrow stops here too, and reports the missing values
		}
		p, err := v.pageHeader(pos, end)
		var re *ray.Error
		if errors.As(err, &re) {
			return err
		} else if err != nil {
			return corruptf("row group %d column %d, page header at %d: %v", g, c, pos, err)
		}
		if p.compressed > end-pos-p.headerLen {
			return corruptf("row group %d column %d, page at %d: %d bytes past the chunk's end", g, c, pos, p.compressed)
		}
		v.uncompressed += uint64(p.uncompressed)
		if v.uncompressed > v.limit {
			return ray.Errorf(ray.ErrLimit, "rayarrow.ReadParquet", "the pages decompress to more than the read limit of %d bytes", v.limit)
		}
		if p.uncompressed == 0 && p.compressed > maxEmptyPage {
			return corruptf("row group %d column %d, page at %d: %d compressed bytes of an empty page", g, c, pos, p.compressed)
		}
		if p.typ == pageDictionary {
			dictN = p.dictValues
		}
		if (p.typ == pageData || p.typ == pageDataV2) && (p.encoding == encPlainDictionary || p.encoding == encRLEDictionary) {
			var err error
			if page, err = v.checkIndexes(page, pos+p.headerLen, col.codec, p, maxRep, maxDef, dictN); err != nil {
				var re *ray.Error
				if errors.As(err, &re) {
					return err
				}
				return corruptf("row group %d column %d, page at %d: %v", g, c, pos, err)
			}
		}
		seen += p.values
		pos += p.headerLen + p.compressed
	}
	return nil
}

// checkIndexes reads and decompresses a dictionary-encoded data page at
// pos and checks its indexes against the dictionary's dictN entries.
// Arrow Go sizes a Go slice by the largest index it meets (in bit widths
// of up to 64), before it checks it against the dictionary: a page of a
// few bytes could have it allocate gigabytes. The indexes follow the
// page's levels (found through maxRep and maxDef); the values they index
// are those whose definition level is maxDef. It returns buf, the page's
// buffer, for the next page.
func (v *parquetVerifier) checkIndexes(buf []byte, pos, codec int64, p pageMeta, maxRep, maxDef int, dictN int64) ([]byte, error) {
	if dictN < 0 {
		return buf, errors.New("dictionary indexes without a dictionary")
	}
	dec, err := codecOf(codec)
	if err != nil {
		return buf, nil // Arrow Go refuses the codec itself
	}
	body := make([]byte, p.compressed)
	if _, err := v.r.ReadAt(body, pos); err != nil {
		return buf, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading a page")
	}
	n := int(p.values)
	var defs []byte // the definition levels, hybrid-encoded
	var page []byte
	if p.typ == pageDataV2 {
		defs = body[p.repLen : p.repLen+p.defLen]
		values := body[p.repLen+p.defLen:]
		page = values
		if !p.uncompressedV2 && dec != nil {
			if buf, err = decompress(dec, buf, values, p.uncompressed-p.repLen-p.defLen); err != nil {
				return buf, err
			}
			page = buf
		}
	} else {
		if buf, err = decompress(dec, buf, body, p.uncompressed); err != nil {
			return buf, err
		}
		page = buf
		for _, lv := range []struct {
			max int
			enc int64
			def bool
		}{{maxRep, p.repEncoding, false}, {maxDef, p.defEncoding, true}} {
			if lv.max == 0 {
				continue
			}
			var levels []byte
			switch lv.enc {
			case encRLE:
				if len(page) < 4 || uint64(binary.LittleEndian.Uint32(page)) > uint64(len(page)-4) {
					return buf, errShort
				}
				l := binary.LittleEndian.Uint32(page)
				levels, page = page[4:4+l], page[4+l:]
			case encBitPacked:
				nb := (n*bitWidth(uint64(lv.max)) + 7) / 8
				if nb > len(page) {
					return buf, errShort
				}
				page = page[nb:]
				if lv.def {
					return buf, nil // Arrow Go v17 reads no BIT_PACKED definition levels
				}
			default:
				return buf, fmt.Errorf("levels in %s", encodingName(lv.enc))
			}
			if lv.def {
				defs = levels
			}
		}
	}
	// The values that have an index: those defined at maxDef.
	present := n
	if maxDef > 0 {
		present = 0
		hy, err := newHybrid(defs, bitWidth(uint64(maxDef)))
		if err != nil {
			return buf, err
		}
		err = eachBatch(&hy, n, func(levels []uint32) error {
			for _, l := range levels {
				if int(l) == maxDef {
					present++
				}
			}
			return nil
		})
		if err != nil {
			return buf, fmt.Errorf("definition levels: %v", err)
		}
	}
	if present == 0 {
		return buf, nil
	}
	if len(page) < 1 {
		return buf, errShort
	}
	hy, err := newHybrid(page[1:], int(page[0]))
	if err != nil {
		return buf, err
	}
	err = eachBatch(&hy, present, func(idx []uint32) error {
		for _, i := range idx {
			if int64(i) >= dictN {
				return fmt.Errorf("index %d into a dictionary of %d", i, dictN)
			}
		}
		return nil
	})
	if err != nil {
		return buf, fmt.Errorf("dictionary indexes: %v", err)
	}
	return buf, nil
}

// eachBatch decodes n values of hy a batch at a time and hands each batch
// to f.
func eachBatch(hy *hybrid, n int, f func([]uint32) error) error {
	batch := make([]uint32, min(n, batchRows))
	for left := n; left > 0; left -= len(batch) {
		batch = batch[:min(left, len(batch))]
		if err := hy.decode(batch); err != nil {
			return err
		}
		if err := f(batch); err != nil {
			return err
		}
	}
	return nil
}

// maxEmptyPage is the most compressed bytes a page of no bytes may take
// (every codec's empty frame is shorter). Arrow Go decompresses an empty
// page without an output buffer, which the bounded codecs cannot bound.
const maxEmptyPage = 64

// pageMeta is what the readers need of a page header.
type pageMeta struct {
	typ            int64 // pageData, pageIndex, pageDictionary, pageDataV2
	headerLen      int64
	compressed     int64
	uncompressed   int64
	values         int64 // of a data page; 0 for other pages
	dictValues     int64 // of a dictionary page
	encoding       int64 // of the values
	defEncoding    int64 // of a v1 data page's definition levels
	repEncoding    int64 // of a v1 data page\'s repetition levels
	defLen         int64 // of a v2 data page's definition levels, in bytes
	repLen         int64 // of a v2 data page's repetition levels, in bytes
	numNulls       int64 // of a v2 data page
	uncompressedV2 bool  // a v2 data page whose values are not compressed
}

// Page types (parquet.thrift, PageType).
const (
	pageData       = 0
	pageIndex      = 1
	pageDictionary = 2
	pageDataV2     = 3
)

// pageHeader walks the page header at pos, which must end before end.
func (v *parquetVerifier) pageHeader(pos, end int64) (pageMeta, error) {
	for window := int64(pageHeaderWindow); ; window *= 2 {
		n := min(window, end-pos)
		b := make([]byte, n)
		if _, err := v.r.ReadAt(b, pos); err != nil {
			return pageMeta{}, ray.Wrap(ray.ErrIO, "rayarrow.ReadParquet", err, "reading a page header")
		}
		t := &thriftReader{b: b}
		p, why := readPageHeader(t)
		if !t.bad && why == "" {
			p.headerLen = int64(t.pos)
			return p, nil
		}
		if t.bad && t.why == "truncated" && n == window && window < maxPageHeader {
			continue // a header longer than the window (large statistics)
		}
		if why == "" {
			why = t.why
		}
		return pageMeta{}, errors.New(why)
	}
}

// readPageHeader reads PageHeader: 1 type, 2 uncompressed_page_size, 3
// compressed_page_size, 5 data_page_header, 7 dictionary_page_header, 8
// data_page_header_v2. It returns what is wrong with the values, if
// anything; t.bad says what is wrong with the encoding.
func readPageHeader(t *thriftReader) (p pageMeta, why string) {
	p.typ = -1
	var values int64
	t.fields(func(id int16, ft byte) {
		switch id {
		case 1:
			p.typ = t.int(ft)
		case 2:
			p.uncompressed = t.int(ft)
		case 3:
			p.compressed = t.int(ft)
		case 5: // DataPageHeader: 1 num_values, 2 encoding, 3 definition_level_encoding,
			// 4 repetition_level_encoding
			if ft != tStruct {
				t.skip(ft)
				return
			}
			t.fields(func(id int16, ft byte) {
				switch id {
				case 1:
					values = t.int(ft)
				case 2:
					p.encoding = t.int(ft)
				case 3:
					p.defEncoding = t.int(ft)
				case 4:
					p.repEncoding = t.int(ft)
				default:
					t.skip(ft)
				}
			})
		case 7: // DictionaryPageHeader: 1 num_values, 2 encoding
			if ft != tStruct {
				t.skip(ft)
				return
			}
			t.fields(func(id int16, ft byte) {
				switch id {
				case 1:
					p.dictValues = t.int(ft)
				case 2:
					p.encoding = t.int(ft)
				default:
					t.skip(ft)
				}
			})
		case 8: // DataPageHeaderV2: 1 num_values, 2 num_nulls, 4 encoding,
			// 5 definition_levels_byte_length, 6 repetition_levels_byte_length,
			// 7 is_compressed
			if ft != tStruct {
				t.skip(ft)
				return
			}
			t.fields(func(id int16, ft byte) {
				switch id {
				case 1:
					values = t.int(ft)
				case 2:
					p.numNulls = t.int(ft)
				case 4:
					p.encoding = t.int(ft)
				case 5:
					p.defLen = t.int(ft)
				case 6:
					p.repLen = t.int(ft)
				case 7:
					p.uncompressedV2 = ft == tFalse
				default:
					t.skip(ft)
				}
			})
		default:
			t.skip(ft)
		}
	})
	switch {
	case t.bad:
	case p.compressed < 0 || p.uncompressed < 0 || p.compressed > 1<<31-1 || p.uncompressed > 1<<31-1:
		why = "negative or oversized page sizes"
	case values < 0 || p.dictValues < 0 || p.numNulls < 0:
		why = "a negative number of values"
	case p.defLen < 0 || p.repLen < 0:
		why = "negative level lengths"
	case p.defLen+p.repLen > p.compressed || p.defLen+p.repLen > p.uncompressed:
		why = "level lengths past the page"
	}
	// Arrow counts the values of data pages (types 0 and 3) against the
	// chunk's; dictionary and index pages hold none of them.
	if p.typ == pageData || p.typ == pageDataV2 {
		p.values = values
	}
	return p, why
}

// verifyStoredSchema checks the Arrow schema a writer may have stored in
// the file's metadata (ARROW:schema, a base64 IPC Schema message) as
// verifiedStream checks any IPC message: both ways of reading hand it to
// Arrow Go, whose IPC reader trusts it (a few bytes could make it allocate
// terabytes).
func verifyStoredSchema(rdr *file.Reader) error {
	kv := rdr.MetaData().KeyValueMetadata()
	if kv == nil {
		return nil
	}
	for i, key := range kv.Keys() {
		if key != "ARROW:schema" {
			continue
		}
		serialized := kv.Values()[i]
		var decoded []byte
		var err error
		if len(serialized)%4 == 0 { // as pqarrow decodes it
			decoded, err = base64.StdEncoding.DecodeString(serialized)
		}
		if len(decoded) == 0 || err != nil {
			if decoded, err = base64.RawStdEncoding.DecodeString(serialized); err != nil {
				return ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "the stored Arrow schema is not base64")
			}
		}
		var read atomic.Uint64
		if _, err := io.Copy(io.Discard, &verifiedStream{r: bytes.NewReader(decoded), input: &read}); err != nil {
			return ray.Wrap(ray.ErrCorrupt, "rayarrow.ReadParquet", err, "the stored Arrow schema")
		}
	}
	return nil
}
