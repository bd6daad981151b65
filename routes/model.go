// Package routes holds shiptrack's model of reported shipments — places,
// vessels, sources, shipments and their legs, AIS positions and what is derived
// from them — the queries asked of it, and the Store interface that every
// storage backend implements.
package routes

import (
	"time"

	"github.com/paulmach/orb"
)

// PlaceKind says what a place is.
type PlaceKind string

// The kinds of place.
const (
	Port           PlaceKind = "port"
	RailStation    PlaceKind = "rail_station"
	RailTerminal   PlaceKind = "rail_terminal"
	Depot          PlaceKind = "depot"
	BorderCrossing PlaceKind = "border_crossing"
)

// PlaceKinds lists every PlaceKind, in the order documentation shows them.
var PlaceKinds = []PlaceKind{Port, RailStation, RailTerminal, Depot, BorderCrossing}

// Mode is how a leg moves.
type Mode string

// The modes of transport.
const (
	Sea  Mode = "sea"
	Rail Mode = "rail"
	Road Mode = "road"
	Air  Mode = "air"
)

// Modes lists every Mode.
var Modes = []Mode{Sea, Rail, Road, Air}

// GeometryKind says where a leg's line came from.
type GeometryKind string

// The kinds of leg geometry, from most to least certain.
const (
	Observed  GeometryKind = "observed"  // an AIS track
	Reported  GeometryKind = "reported"  // drawn from a source
	Modeled   GeometryKind = "modeled"   // computed by the sea or rail router
	Schematic GeometryKind = "schematic" // straight segments between places
)

// GeometryKinds lists every GeometryKind.
var GeometryKinds = []GeometryKind{Observed, Reported, Modeled, Schematic}

// Status is how far a shipment's reporting has been established.
type Status string

// The statuses of a shipment.
const (
	StatusReported  Status = "reported"
	StatusAlleged   Status = "alleged"
	StatusConfirmed Status = "confirmed"
	StatusDisputed  Status = "disputed"
)

// Statuses lists every Status.
var Statuses = []Status{StatusReported, StatusAlleged, StatusConfirmed, StatusDisputed}

// Confidence is an analyst's confidence in a fact.
type Confidence string

// The levels of confidence.
const (
	Low    Confidence = "low"
	Medium Confidence = "medium"
	High   Confidence = "high"
)

// Confidences lists every Confidence.
var Confidences = []Confidence{Low, Medium, High}

// SourceKind says what kind of document a source is.
type SourceKind string

// The kinds of source.
const (
	Government SourceKind = "government"
	Media      SourceKind = "media"
	Research   SourceKind = "research"
	Imagery    SourceKind = "imagery"
	AIS        SourceKind = "ais"
)

// SourceKinds lists every SourceKind.
var SourceKinds = []SourceKind{Government, Media, Research, Imagery, AIS}

// Place is a port, rail station, rail terminal, depot or border crossing.
type Place struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Kind     PlaceKind `json:"kind"`
	Country  string    `json:"country"`            // ISO 3166-1 alpha-2
	UNLOCODE string    `json:"unlocode,omitempty"` // such as KPNJN
	Aliases  []string  `json:"aliases,omitempty"`
	Lon      float64   `json:"lon"`
	Lat      float64   `json:"lat"`
	Note     string    `json:"note,omitempty"`
}

// Point is the place's location.
func (p Place) Point() orb.Point { return orb.Point{p.Lon, p.Lat} }

// Vessel is a ship.
type Vessel struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	IMO         string   `json:"imo,omitempty"`  // 7 digits, check digit verified
	MMSI        string   `json:"mmsi,omitempty"` // 9 digits
	Flag        string   `json:"flag,omitempty"` // ISO 3166-1 alpha-2
	Type        string   `json:"type,omitempty"`
	Owner       string   `json:"owner,omitempty"`
	FormerNames []string `json:"former_names,omitempty"`
	// Confidence is the confidence in the vessel's identifiers.
	Confidence Confidence `json:"confidence,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// Source is a document that reported something.
type Source struct {
	ID        string     `json:"id"`
	Publisher string     `json:"publisher"`
	Title     string     `json:"title"`
	URL       string     `json:"url,omitempty"`
	Published string     `json:"published"` // a date, 2023-10-13
	Kind      SourceKind `json:"kind"`
}

// Claim is what one source says about a shipment or a leg.
type Claim struct {
	Source string `json:"source"` // a Source id
	Claim  string `json:"claim"`
}

// Cargo is what a shipment carried, as reported.
type Cargo struct {
	Description string `json:"description"`
	// Quantity is the reported amount; zero when none was reported.
	Quantity float64 `json:"quantity,omitempty"`
	Unit     string  `json:"unit,omitempty"`
	// Qualifier bounds the quantity, such as "more than" or "about".
	Qualifier string `json:"qualifier,omitempty"`
}

// Shipment is one reported movement of cargo, made of one or more legs.
type Shipment struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary,omitempty"`
	Cargo      Cargo      `json:"cargo"`
	Status     Status     `json:"status"`
	Confidence Confidence `json:"confidence"`
	Sources    []Claim    `json:"sources"`
	// Legs are the shipment's legs in order. Stores fill them when a single
	// shipment is read; lists leave them empty.
	Legs []Leg `json:"legs,omitempty"`

	// Start and End bound the shipment's active period: the earliest
	// departure and the latest arrival over its legs. Derived.
	Start time.Time `json:"-"`
	End   time.Time `json:"-"`
	// Bound is the extent of the legs' lines. Derived.
	Bound orb.Bound `json:"-"`
	// LengthKm is the sum of the legs' lengths. Derived.
	LengthKm float64 `json:"-"`
}

// Leg is one stage of a shipment by one mode.
type Leg struct {
	ID          string `json:"id"`
	Shipment    string `json:"shipment,omitempty"`
	Seq         int    `json:"seq"`
	Mode        Mode   `json:"mode"`
	Origin      string `json:"origin"`      // a Place id
	Destination string `json:"destination"` // a Place id
	// Via lists places a schematic line passes between origin and destination.
	Via     []string `json:"via,omitempty"`
	Vessel  string   `json:"vessel,omitempty"`  // a Vessel id, for sea legs
	Carrier string   `json:"carrier,omitempty"` // an operator, when no vessel is known
	Depart  Window   `json:"depart"`
	Arrive  Window   `json:"arrive"`
	// Geometry is the leg's line in RFC 7946 form: split at the antimeridian,
	// so usually a single part.
	Geometry     orb.MultiLineString `json:"-"`
	GeometryKind GeometryKind        `json:"geometry_kind"`
	// LengthKm is the geodesic length of Geometry. Derived.
	LengthKm   float64    `json:"-"`
	Confidence Confidence `json:"confidence,omitempty"`
	Sources    []Claim    `json:"sources,omitempty"`
	Note       string     `json:"note,omitempty"`
}

// Start is the beginning of the leg's active period.
func (l Leg) Start() time.Time { return l.Depart.Earliest }

// End is the end of the leg's active period.
func (l Leg) End() time.Time { return l.Arrive.Latest }

// NauticalMile is the international nautical mile in kilometres.
const NauticalMile = 1.852

// LengthNm is the leg's geodesic length in nautical miles.
func (l Leg) LengthNm() float64 { return l.LengthKm / NauticalMile }

// Position is one AIS position report.
type Position struct {
	MMSI string    `json:"mmsi"`
	Time time.Time `json:"time"`
	Lon  float64   `json:"lon"`
	Lat  float64   `json:"lat"`
	// SOG is speed over ground in knots; nil when not available.
	SOG *float64 `json:"sog,omitempty"`
	// COG is course over ground in degrees; nil when not available.
	COG *float64 `json:"cog,omitempty"`
	// Heading is the true heading in degrees; nil when not available.
	Heading *int `json:"heading,omitempty"`
	// NavStatus is the AIS navigational status (0–15); nil when not reported.
	NavStatus *int `json:"nav_status,omitempty"`
}

// Point is the position's location.
func (p Position) Point() orb.Point { return orb.Point{p.Lon, p.Lat} }

// Track is a vessel's voyage line between port stops or silences, derived
// from its positions.
type Track struct {
	ID       string              `json:"id"`
	MMSI     string              `json:"mmsi"`
	Vessel   string              `json:"vessel,omitempty"` // a Vessel id, when known
	Start    time.Time           `json:"start"`
	End      time.Time           `json:"end"`
	Points   int                 `json:"points"`
	Geometry orb.MultiLineString `json:"-"` // RFC 7946 form
	LengthKm float64             `json:"length_km"`
	// Leg is the reported leg this track was matched to, if any.
	Leg string `json:"leg,omitempty"`
}

// Gap is a silence in a vessel's AIS longer than a threshold.
type Gap struct {
	ID     string    `json:"id"`
	MMSI   string    `json:"mmsi"`
	Vessel string    `json:"vessel,omitempty"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	From   orb.Point `json:"-"` // the last position before the silence
	To     orb.Point `json:"-"` // the first position after it
	// Dark marks a silence long enough and far enough from shore to count as
	// the vessel switching off its transponder.
	Dark bool `json:"dark"`
	// OffshoreNm is the distance from shore where the silence began.
	OffshoreNm float64 `json:"offshore_nm"`
}

// ObservationKind says how a non-AIS sighting was made.
type ObservationKind string

// The kinds of observation.
const (
	SatelliteImage ObservationKind = "satellite_image"
	Photo          ObservationKind = "photo"
	PortCall       ObservationKind = "port_call"
)

// ObservationKinds lists every ObservationKind.
var ObservationKinds = []ObservationKind{SatelliteImage, Photo, PortCall}

// Observation is a dated sighting that is not AIS.
type Observation struct {
	ID      string          `json:"id"`
	Time    Window          `json:"time"`
	Lon     float64         `json:"lon"`
	Lat     float64         `json:"lat"`
	Kind    ObservationKind `json:"kind"`
	Subject string          `json:"subject"` // a Vessel, Place or Shipment id
	Source  string          `json:"source"`  // a Source id
	Note    string          `json:"note,omitempty"`
}

// Point is the observation's location.
func (o Observation) Point() orb.Point { return orb.Point{o.Lon, o.Lat} }
