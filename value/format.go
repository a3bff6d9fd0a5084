package value

import (
	"fmt"
	"strconv"
	"time"
)

// String formats an atom the way a REPL would show it, and other values by
// type and length; it is for messages and debugging.
func (v V) String() string {
	if v.p == nil {
		return "<no value>"
	}
	if v == null {
		return "null"
	}
	t := v.Type()
	if IsNull(v) {
		return "null(" + t.String() + ")"
	}
	switch t {
	case -Bool:
		b, _ := AsBool(v)
		return strconv.FormatBool(b)
	case -U8:
		x, _ := AsU8(v)
		return fmt.Sprintf("0x%02x", x)
	case -I16, -I32:
		return strconv.FormatInt(int64(int32(v.header().Word)), 10)
	case -I64:
		if obj, k, err := Handle(v); err == nil {
			return fmt.Sprintf("handle(%v %T)", k, obj)
		}
		x, _ := AsI64(v)
		return strconv.FormatInt(x, 10)
	case -F32:
		x, _ := AsF32(v)
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case -F64:
		x, _ := AsF64(v)
		return strconv.FormatFloat(x, 'g', -1, 64)
	case -Date:
		d, _ := AsDate(v)
		return DateTime(d).Format("2006-01-02")
	case -Time:
		ms, _ := AsTime(v)
		return time.UnixMilli(int64(ms)).UTC().Format("15:04:05.000")
	case -Timestamp:
		ns, _ := AsTimestamp(v)
		return TimestampTime(ns).Format(time.RFC3339Nano)
	case -GUID:
		g, _ := AsGUID(v)
		return fmt.Sprintf("%x-%x-%x-%x-%x", g[0:4], g[4:6], g[6:8], g[8:10], g[10:16])
	case -Sym:
		id, _ := AsSym(v)
		name, _ := SymName(id)
		return "`" + name
	case -Str:
		s, _ := AsStr(v)
		return strconv.Quote(s)
	case Error:
		err, _ := AsError(v)
		return "error(" + err.Error() + ")"
	}
	return fmt.Sprintf("%v[%d]", t, v.Len())
}
