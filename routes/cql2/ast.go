// Package cql2 reads the text encoding of OGC CQL2 (OGC 21-065, Common Query
// Language) into a syntax tree. It knows the grammar only: which properties
// exist and what types they have is for the caller to check, and evaluating
// a filter is for whoever holds the data.
//
// Supported: comparisons (=, <>, <, >, <=, >=), AND, OR, NOT, [NOT] LIKE,
// [NOT] BETWEEN, [NOT] IN, IS [NOT] NULL, the spatial functions S_INTERSECTS,
// S_EQUALS, S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS, S_CROSSES,
// S_CONTAINS and S_DWITHIN, the temporal functions T_AFTER … T_STARTS, the
// literals of strings, numbers, booleans, DATE, TIMESTAMP, INTERVAL, BBOX
// and WKT geometries (2D). Not supported: arithmetic, arrays, CASEI,
// ACCENTI and custom functions; they are refused as syntax errors.
package cql2

import (
	"time"

	"github.com/paulmach/orb"
)

// Expr is a node of a CQL2 expression.
type Expr interface{ node() }

// And is true when every one of its operands is.
type And struct{ Args []Expr }

// Or is true when any one of its operands is.
type Or struct{ Args []Expr }

// Not negates its operand.
type Not struct{ X Expr }

// Compare is a binary comparison: Op is one of =, <>, <, >, <=, >=.
type Compare struct {
	Op          string
	Left, Right Expr
}

// Like matches a string against a pattern in which % stands for any run of
// characters, _ for one character, and \ escapes the next character.
type Like struct {
	X       Expr
	Pattern string
	Not     bool
}

// Between is Low <= X <= High.
type Between struct {
	X, Low, High Expr
	Not          bool
}

// In is true when X equals one of List.
type In struct {
	X    Expr
	List []Expr
	Not  bool
}

// IsNull is true when X has no value.
type IsNull struct {
	X   Expr
	Not bool
}

// Spatial is a spatial function: Op is one of the S_ names, upper case.
type Spatial struct {
	Op          string
	Left, Right Expr
}

// DWithin is S_DWITHIN(Left, Right, Distance): the geometries lie within
// Distance of each other. The unit is the caller's to define.
type DWithin struct {
	Left, Right Expr
	Distance    float64
}

// Temporal is a temporal function: Op is one of the T_ names, upper case.
type Temporal struct {
	Op          string
	Left, Right Expr
}

// Property names a property of the items filtered.
type Property struct{ Name string }

// String is a character literal.
type String struct{ Value string }

// Number is a numeric literal.
type Number struct{ Value float64 }

// Bool is TRUE or FALSE.
type Bool struct{ Value bool }

// Timestamp is TIMESTAMP('...'): an instant, in UTC.
type Timestamp struct{ Time time.Time }

// Date is DATE('...'): a whole day, given by its first instant in UTC.
type Date struct{ Day time.Time }

// Interval is INTERVAL(Start, End). Each end is a Timestamp, a Date, a
// Property, or Open.
type Interval struct{ Start, End Expr }

// Open is '..' at an end of an interval: unbounded.
type Open struct{}

// Geometry is a WKT geometry literal in longitude, latitude order.
type Geometry struct{ Geom orb.Geometry }

// BBox is BBOX(west, south, east, north).
type BBox struct{ West, South, East, North float64 }

func (And) node()       {}
func (Or) node()        {}
func (Not) node()       {}
func (Compare) node()   {}
func (Like) node()      {}
func (Between) node()   {}
func (In) node()        {}
func (IsNull) node()    {}
func (Spatial) node()   {}
func (DWithin) node()   {}
func (Temporal) node()  {}
func (Property) node()  {}
func (String) node()    {}
func (Number) node()    {}
func (Bool) node()      {}
func (Timestamp) node() {}
func (Date) node()      {}
func (Interval) node()  {}
func (Open) node()      {}
func (Geometry) node()  {}
func (BBox) node()      {}

// SpatialFunctions are the names of the spatial functions Spatial holds.
var SpatialFunctions = []string{"S_INTERSECTS", "S_EQUALS", "S_DISJOINT", "S_TOUCHES",
	"S_WITHIN", "S_OVERLAPS", "S_CROSSES", "S_CONTAINS"}

// TemporalFunctions are the names of the temporal functions Temporal holds.
var TemporalFunctions = []string{"T_AFTER", "T_BEFORE", "T_CONTAINS", "T_DISJOINT", "T_DURING",
	"T_EQUALS", "T_FINISHEDBY", "T_FINISHES", "T_INTERSECTS", "T_MEETS", "T_METBY",
	"T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS"}
