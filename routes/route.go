package routes

import (
	"time"

	"github.com/paulmach/orb/geojson"
)

// Route is a shipment's legs in order with the totals a reader asks first:
// how far, when it left, when it arrived, how long it took.
type Route struct {
	Shipment Shipment
	Legs     []Leg
	Totals   Totals
}

// Totals sums a route. Times are windows because reports rarely give exact
// times; durations are the shortest and longest the windows allow.
type Totals struct {
	Legs       int     `json:"legs"`
	DistanceKm float64 `json:"distance_km"`
	DistanceNm float64 `json:"distance_nm"`
	// Departure is the first leg's departure window.
	Departure Window `json:"departure"`
	// Arrival is the last leg's arrival window.
	Arrival Window `json:"arrival"`
	// ShortestHours is the least time the windows allow: from the latest
	// departure to the earliest arrival, and never below zero.
	ShortestHours float64 `json:"shortest_hours"`
	// LongestHours is the most: from the earliest departure to the latest
	// arrival.
	LongestHours float64 `json:"longest_hours"`
}

// NewRoute assembles the route of a shipment whose legs are loaded.
func NewRoute(s Shipment) Route {
	r := Route{Shipment: s, Legs: s.Legs}
	if len(s.Legs) == 0 {
		return r
	}
	first, last := s.Legs[0], s.Legs[len(s.Legs)-1]
	var km float64
	for _, l := range s.Legs {
		km += l.LengthKm
	}
	shortest := max(last.Arrive.Earliest.Sub(first.Depart.Latest), 0)
	r.Totals = Totals{
		Legs:          len(s.Legs),
		DistanceKm:    round3(km),
		DistanceNm:    round3(km / NauticalMile),
		Departure:     first.Depart,
		Arrival:       last.Arrive,
		ShortestHours: hours(shortest),
		LongestHours:  hours(last.Arrive.Latest.Sub(first.Depart.Earliest)),
	}
	return r
}

func hours(d time.Duration) float64 { return round3(d.Hours()) }

// FeatureCollection writes the route as its legs' features in order, with
// the shipment's id and the totals as foreign members.
func (r Route) FeatureCollection(refs *Refs) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, l := range r.Legs {
		fc.Append(LegFeature(l, refs))
	}
	fc.ExtraMembers = geojson.Properties{
		"shipment": r.Shipment.ID,
		"title":    r.Shipment.Title,
		"totals":   r.Totals,
	}
	return fc
}
