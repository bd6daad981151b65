package routes

import (
	"errors"
	"fmt"
	"strings"
)

// Document is a shipment document: the unit of ingest and of
// POST /api/shipments. It carries shipments with their legs, and the places,
// vessels and sources they refer to that the store may not hold yet.
//
// In JSON, a leg's line is an optional GeoJSON LineString or MultiLineString
// under "geometry"; without one the leg gets a schematic line through its
// origin, via places and destination.
type Document struct {
	Places       []Place       `json:"places,omitempty"`
	Vessels      []Vessel      `json:"vessels,omitempty"`
	Sources      []Source      `json:"sources,omitempty"`
	Shipments    []Shipment    `json:"shipments,omitempty"`
	Observations []Observation `json:"observations,omitempty"`
}

// Batch is a validated set of records ready for Store.Apply: every reference
// resolves, every leg has its line and length, every shipment its derived
// period and extent.
type Batch struct {
	Places       []Place
	Vessels      []Vessel
	Sources      []Source
	Shipments    []Shipment // with their Legs
	Tracks       []Track
	Gaps         []Gap
	Observations []Observation
	// ReplaceTracksOf lists MMSIs whose tracks and gaps the batch holds in
	// full: stored tracks and gaps of these MMSIs that the batch does not
	// hold are removed, and counted as changes. Tracks are derived, and a
	// new position can move where one begins, and so its id.
	ReplaceTracksOf []string
}

// FieldError is a rule broken by one field of a document. Path names the
// field as a JSON path from the document root, such as
// "shipments[0].legs[1].depart".
type FieldError struct {
	Path string `json:"field"`
	Msg  string `json:"detail"`
}

func (e FieldError) Error() string { return e.Path + ": " + e.Msg }

// ValidationError is every rule a document breaks, in document order.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	var b strings.Builder
	for i, e := range v {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(v)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// AsValidation returns the field errors in err, if it holds any.
func AsValidation(err error) (ValidationError, bool) {
	var v ValidationError
	if errors.As(err, &v) {
		return v, true
	}
	var f FieldError
	if errors.As(err, &f) {
		return ValidationError{f}, true
	}
	return nil, false
}

// maxFieldErrors caps how many errors a document reports; past that the
// document is garbage and more detail does not help.
const maxFieldErrors = 50

// errorList collects field errors while validating.
type errorList struct{ errs ValidationError }

func (l *errorList) add(path, format string, args ...any) {
	if len(l.errs) < maxFieldErrors {
		l.errs = append(l.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
}

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs
}
