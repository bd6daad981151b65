package routes

import "context"

// AISStatic is a vessel's identity as its AIS static reports give it (types
// 5, 19 and 24, or the identity columns of an AIS CSV file), kept by MMSI.
// Empty fields were not reported.
type AISStatic struct {
	MMSI     string `json:"mmsi"`
	IMO      string `json:"imo,omitempty"` // 7 digits, check digit verified
	Name     string `json:"name,omitempty"`
	CallSign string `json:"call_sign,omitempty"`
	// ShipType is the AIS ship and cargo type (1–99); 0 when not reported.
	ShipType int `json:"ship_type,omitempty"`
	// ShipTypeText is the ship type in words, as some CSV archives give it.
	ShipTypeText string `json:"ship_type_text,omitempty"`
}

// StaticStore keeps AIS static data, so that a vessel that becomes known
// later, by its IMO number, can be given the MMSI it broadcasts under. Both
// stores implement it.
type StaticStore interface {
	// AddStatic records static data in one transaction, by MMSI: a field
	// reported replaces the one stored, a field left empty keeps it. It
	// reports how many records were new or changed.
	AddStatic(ctx context.Context, s []AISStatic) (int, error)
	// StaticByIMO lists the static data of the MMSIs that reported the IMO
	// number, by MMSI.
	StaticByIMO(ctx context.Context, imo string) ([]AISStatic, error)
}
