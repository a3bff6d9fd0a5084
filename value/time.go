package value

import (
	"math"
	"time"

	"github.com/raygo/ray"
)

// DATE, TIME and TIMESTAMP count from the Unix epoch (ARCHITECTURE.md, "Vectors"), so that
// they are Arrow's date32, time32[ms] and timestamp[ns] without conversion.
const (
	MillisPerDay  = 86_400_000
	secondsPerDay = 86_400
)

// The instants a TIMESTAMP can hold: int64 nanoseconds around 1970.
var (
	minTimestamp = time.Unix(0, math.MinInt64).UTC()
	maxTimestamp = time.Unix(0, math.MaxInt64).UTC()
)

// DateOf returns the DATE (days since 1970-01-01) of t's calendar day in
// UTC. Days outside int32 are ErrRange.
func DateOf(t time.Time) (int32, error) {
	s := t.Unix()
	days := s / secondsPerDay
	if s%secondsPerDay < 0 {
		days--
	}
	if days < math.MinInt32 || days > math.MaxInt32 {
		return 0, ray.Errorf(ray.ErrRange, "value.DateOf", "%v is %d days from 1970-01-01, outside a DATE's int32", t, days)
	}
	return int32(days), nil
}

// DateTime returns the UTC midnight that starts DATE days.
func DateTime(days int32) time.Time {
	return time.Unix(int64(days)*secondsPerDay, 0).UTC()
}

// TimeOf returns the TIME (milliseconds since midnight) of t in UTC.
func TimeOf(t time.Time) int32 {
	u := t.UTC()
	return int32(u.Hour()*3_600_000 + u.Minute()*60_000 + u.Second()*1000 + u.Nanosecond()/1_000_000)
}

// TimeDuration returns a TIME as the duration since midnight.
func TimeDuration(ms int32) time.Duration { return time.Duration(ms) * time.Millisecond }

// TimestampOf returns the TIMESTAMP (nanoseconds since 1970-01-01 UTC) of t.
// Instants outside 1677-09-21 .. 2262-04-11 do not fit and are ErrRange.
func TimestampOf(t time.Time) (int64, error) {
	if t.Before(minTimestamp) || t.After(maxTimestamp) {
		return 0, ray.Errorf(ray.ErrRange, "value.TimestampOf", "%v is outside a TIMESTAMP's range [%v, %v]", t, minTimestamp, maxTimestamp)
	}
	return t.UnixNano(), nil
}

// TimestampTime returns the instant of a TIMESTAMP, in UTC.
func TimestampTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
