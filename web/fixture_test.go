package web_test

import (
	"github.com/shiptrack/shiptrack/routes"
)

// fixture is a small world around the Najin–Dunay case, built so that every
// filter selects a different, known set:
//
//	leg          shipment        mode  from→to                    vessel  active
//	bering-sea   bering-2023-07  sea   vladivostok→nome           angara  07-01…07-20  crosses the antimeridian
//	khasan-rail  khasan-2023-09  rail  najin→khasan               —       09-07…09-08  ties nk09-sea on start
//	nk09-sea     nk-ru-2023-09   sea   najin→dunay                angara  09-07…09-12
//	nk09-rail    nk-ru-2023-09   rail  dunay→tikhoretsk (via vladivostok) 09-13…10-05
//	nk10-sea     nk-ru-2023-10   sea   najin→dunay                maria   10-01…10-03
//	nk10-road    nk-ru-2023-10   road  dunay→vladivostok          —       10-04
//	maia-sea     maia-2023-11    sea   najin→vostochny            maia-1  11-02…11-05
//
// The vessel lady-r sails no leg.
func fixture() *routes.Document {
	wh := []routes.Claim{{Source: "whitehouse-2023-10-13", Claim: "more than 1,000 containers shipped from Najin to Dunay, then by rail to a depot near Tikhoretsk"}}
	rusi := []routes.Claim{{Source: "rusi-2023-10-16", Claim: "Angara and Maria shuttled between Rajin and Dunay"}}
	return &routes.Document{
		Places: []routes.Place{
			{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", UNLOCODE: "KPNJN", Aliases: []string{"Rajin", "Rason"}, Lon: 130.30, Lat: 42.2333, Note: "the point lies in the harbour water"},
			{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Lon: 132.3375, Lat: 42.8803},
			{ID: "vladivostok", Name: "Vladivostok", Kind: routes.Port, Country: "RU", UNLOCODE: "RUVVO", Lon: 131.8833, Lat: 43.1167},
			{ID: "vostochny", Name: "Vostochny", Kind: routes.Port, Country: "RU", Lon: 133.07, Lat: 42.74},
			{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
			{ID: "khasan", Name: "Tumangang / Khasan", Kind: routes.BorderCrossing, Country: "RU", Lon: 130.64, Lat: 42.43},
			{ID: "nome", Name: "Nome", Kind: routes.Port, Country: "US", Lon: -165.4064, Lat: 64.5011},
		},
		Vessels: []routes.Vessel{
			{ID: "angara", Name: "Angara", IMO: "9179842", Flag: "RU", Owner: "M Leasing", Confidence: routes.Medium},
			{ID: "maria", Name: "Maria", Flag: "RU", Owner: "Marine Trans Shipping"},
			{ID: "lady-r", Name: "Lady R", IMO: "9161003", Flag: "RU"},
			{ID: "maia-1", Name: "Maia-1", Flag: "RU", Owner: "MG-Flot"},
		},
		Sources: []routes.Source{
			{ID: "whitehouse-2023-10-13", Publisher: "The White House", Title: "Press briefing by John Kirby", Published: "2023-10-13", Kind: routes.Government},
			{ID: "rusi-2023-10-16", Publisher: "RUSI", Title: "The Orient Express: North Korea's Clandestine Supply Route to Russia", URL: "https://rusi.org/explore-our-research/publications/commentary/orient-express-north-koreas-clandestine-supply-route-russia", Published: "2023-10-16", Kind: routes.Research},
		},
		Shipments: []routes.Shipment{
			{
				ID: "nk-ru-2023-09", Title: "First reported delivery", Summary: "Munitions loaded at Najin, landed at Dunay, railed west.",
				Cargo:  routes.Cargo{Description: "containers of military equipment and munitions", Quantity: 1000, Unit: "containers", Qualifier: "more than"},
				Status: routes.StatusReported, Confidence: routes.Medium, Sources: wh,
				Legs: []routes.Leg{
					{ID: "nk09-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "angara",
						Depart: window("2023-09-07/2023-09-10"), Arrive: window("2023-09-12"), Confidence: routes.Medium, Sources: rusi},
					{ID: "nk09-rail", Seq: 2, Mode: routes.Rail, Origin: "dunay", Destination: "tikhoretsk", Via: []string{"vladivostok"},
						Depart: window("2023-09-13/2023-09-15"), Arrive: window("2023-09-28/2023-10-05"), Confidence: routes.Low, Sources: wh},
				},
			},
			{
				ID: "nk-ru-2023-10", Title: "Maria's run", Cargo: routes.Cargo{Description: "containers"},
				Status: routes.StatusAlleged, Confidence: routes.Low, Sources: rusi,
				Legs: []routes.Leg{
					{ID: "nk10-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "dunay", Vessel: "maria",
						Depart: window("2023-10-01"), Arrive: window("2023-10-03")},
					{ID: "nk10-road", Seq: 2, Mode: routes.Road, Origin: "dunay", Destination: "vladivostok", Carrier: "unknown trucking",
						Depart: window("2023-10-04"), Arrive: window("2023-10-04")},
				},
			},
			{
				ID: "khasan-2023-09", Title: "Rail across the Tumen", Cargo: routes.Cargo{Description: "wagons"},
				Status: routes.StatusDisputed, Confidence: routes.Low, Sources: rusi,
				Legs: []routes.Leg{
					{ID: "khasan-rail", Seq: 1, Mode: routes.Rail, Origin: "najin", Destination: "khasan", Carrier: "Korean State Railway",
						Depart: window("2023-09-07"), Arrive: window("2023-09-08")},
				},
			},
			{
				ID: "maia-2023-11", Title: "Maia-1 to Vostochny", Cargo: routes.Cargo{Description: "containers", Quantity: 2000, Unit: "containers", Qualifier: "about"},
				Status: routes.StatusReported, Confidence: routes.Medium, Sources: rusi,
				Legs: []routes.Leg{
					{ID: "maia-sea", Seq: 1, Mode: routes.Sea, Origin: "najin", Destination: "vostochny", Vessel: "maia-1",
						Depart: window("2023-11-02"), Arrive: window("2023-11-04/2023-11-05")},
				},
			},
			{
				ID: "bering-2023-07", Title: "Across the date line", Cargo: routes.Cargo{Description: "general cargo"},
				Status: routes.StatusReported, Confidence: routes.Low, Sources: rusi,
				Legs: []routes.Leg{
					{ID: "bering-sea", Seq: 1, Mode: routes.Sea, Origin: "vladivostok", Destination: "nome", Vessel: "angara",
						Depart: window("2023-07-01"), Arrive: window("2023-07-14/2023-07-20")},
				},
			},
		},
	}
}

// window reads a fixture's window, which is known to be good.
func window(s string) routes.Window {
	v, err := routes.ParseWindow(s)
	if err != nil {
		panic(err)
	}
	return v
}
