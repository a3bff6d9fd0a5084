package olap

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// A Result is a query's answer: named columns and rows of cells, each an
// int64, a float64, a string or nil (SQL's NULL).
type Result struct {
	Columns []string
	Rows    [][]any
}

// Tolerance is the relative difference two floating point cells may have
// and still be equal: a parallel sum adds in another order than a serial
// one.
const Tolerance = 1e-9

// Diff returns "" when r and o hold the same rows in the same order
// (floats within Tolerance), or a description of the first difference.
func (r Result) Diff(o Result) string {
	if len(r.Rows) != len(o.Rows) {
		return fmt.Sprintf("%d rows, want %d", len(r.Rows), len(o.Rows))
	}
	for i := range r.Rows {
		if len(r.Rows[i]) != len(o.Rows[i]) {
			return fmt.Sprintf("row %d has %d cells, want %d", i, len(r.Rows[i]), len(o.Rows[i]))
		}
		for j, c := range r.Rows[i] {
			if !sameCell(c, o.Rows[i][j]) {
				return fmt.Sprintf("row %d, %s: %v, want %v", i, r.Columns[j], cellString(c), cellString(o.Rows[i][j]))
			}
		}
	}
	return ""
}

func sameCell(a, b any) bool {
	fa, aok := a.(float64)
	fb, bok := b.(float64)
	if aok && bok {
		return fa == fb || math.Abs(fa-fb) <= Tolerance*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return a == b
}

// Timestamp is a TIMESTAMP cell: nanoseconds since the epoch, printed as a
// time.
type Timestamp int64

func cellString(c any) string {
	switch c := c.(type) {
	case nil:
		return "NULL"
	case float64:
		return fmt.Sprintf("%.6g", c)
	case Timestamp:
		return time.Unix(0, int64(c)).UTC().Format("2006-01-02T15:04:05.000000")
	}
	return fmt.Sprint(c)
}

// Format renders the first limit rows (all when limit <= 0) as an aligned
// table.
func (r Result) Format(limit int) string {
	rows := r.Rows
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	cells := [][]string{r.Columns}
	for _, row := range rows {
		line := make([]string, len(row))
		for j, c := range row {
			line[j] = cellString(c)
		}
		cells = append(cells, line)
	}
	width := make([]int, len(r.Columns))
	for _, line := range cells {
		for j, c := range line {
			width[j] = max(width[j], len(c))
		}
	}
	var sb strings.Builder
	for _, line := range cells {
		for j, c := range line {
			fmt.Fprintf(&sb, "  %*s", width[j], c)
		}
		sb.WriteByte('\n')
	}
	if len(r.Rows) > len(rows) {
		fmt.Fprintf(&sb, "  ... %d rows in all\n", len(r.Rows))
	}
	return sb.String()
}
