// Package attrs answers the questions an engine asks about a value before
// choosing how to process it, and records what the engine knows that raygo
// cannot see.
//
// Questions: is the vector sorted (Sorted), are its rows distinct (Unique),
// does it carry an index (Indexed), is it a view of another vector
// (IsSlice), may it hold nulls (MayHaveNulls), is it a linked column
// (Linked), how wide are a SYM vector's ids (SymWidth). Each reads only
// headers: the value's, and for a slice or an indexed vector the one that
// holds its null map or link.
//
// Assertions: an engine that has sorted a column, or deduplicated it, says
// so with SetSorted or SetUnique. The claim lives in the vector's header
// and travels with it: a copy (cow.Copy) and every slice of it
// (vec.Slice) carry it, because their rows are the same rows in the same
// order. Any write to the vector takes it off (a write cannot know whether
// it kept the order), as does anything that builds a new vector from it
// (concatenation, Arrow import, a table saved and loaded). Under the
// raydebug build tag the setters read every row and refuse a false claim
// with ErrDomain; in normal builds they trust the caller, and cow.Check,
// which reads every row, reports a false claim as corruption.
//
// The claims are what they say and no more: sorted means ascending by the
// type's natural order (integers and temporal types as numbers, floats as
// numbers with no NaN, STR by bytes, GUID by bytes) with no null row;
// unique means no two rows equal and no null row. A SYM vector can be
// unique but not sorted: its ids follow the order symbols were interned
// in, not one a user sorts by. A LIST has neither.
//
// How the attributes are stored (one byte of the value's header, whose
// bits mean different things for different kinds of value) is internal to
// raygo (ARCHITECTURE.md, "The attribute namespace"); nothing here exposes
// a bit.
package attrs
