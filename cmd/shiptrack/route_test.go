package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestRouteCommand runs `shiptrack route` as a user would: place ids from
// the bundled case, coordinates, both formats, and every kind of bad input.
func TestRouteCommand(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want []string // substrings of stdout (code 0) or stderr
	}{
		{[]string{"route", "sea", "--from", "najin", "--to", "dunay"}, 0,
			[]string{"FROM", "najin (130.3000,42.2333), at sea", "TO", "dunay", "moved 1.", "NETWORK", "sea", "LENGTH", " nm", "VIA"}},
		{[]string{"route", "sea", "--from", "9.97,53.54", "--to", "103.85,1.26"}, 0,
			[]string{"suez", "malacca"}},
		{[]string{"route", "sea", "--from", "9.97,53.54", "--to", "103.85,1.26", "--avoid", "suez"}, 0,
			[]string{"LENGTH"}},
		{[]string{"route", "sea", "--from", "atlantis", "--to", "dunay"}, 2, []string{`--from: unknown place "atlantis"`}},
		{[]string{"route", "sea", "--from", "najin", "--to", "200,40"}, 2, []string{"--to", "longitude 200 is outside [-180, 180]"}},
		{[]string{"route", "sea", "--from", "37.62,55.75", "--to", "najin"}, 2, []string{"--from:", "637 km from the sea"}},
		{[]string{"route", "sea", "--from", "najin", "--to", "tikhoretsk"}, 2, []string{"--to:", "from the sea"}},
		{[]string{"route", "sea", "--from", "najin", "--to", "najin"}, 2, []string{"--to: is the same point as from"}},
		{[]string{"route", "sea", "--from", "najin", "--to", "dunay", "--avoid", "suez,atlantis"}, 2, []string{"--avoid:", `"atlantis"`, "panama"}},
		{[]string{"route", "sea", "--from", "najin"}, 2, []string{"--to is required"}},
		{[]string{"route", "sea", "--from", "najin", "--to", "dunay", "--format", "kml"}, 2, []string{`--format "kml"`}},
		{[]string{"route", "--from", "najin", "--to", "dunay"}, 2, []string{"route takes one mode"}},
		{[]string{"route", "boat", "--from", "najin", "--to", "dunay"}, 2, []string{`unknown mode "boat"`}},
		{[]string{"route", "rail", "--from", "dunay", "--to", "tikhoretsk"}, 0,
			[]string{"dunay (132.3375,42.8803), on the track", "NETWORK  rail:schematic", "LENGTH   8590.8 km",
				"VIA      Dunay, Fokino,", "Ussuriysk,", "Khabarovsk,", "Novosibirsk,", "Salsk, Tikhoretsk\n"}},
		{[]string{"route", "rail", "--from", "131.9,43.5", "--to", "vladivostok"}, 0, []string{"moved 5.6 km to the track at 131.9100,43.5500"}},
		{[]string{"route", "rail", "--from", "dunay", "--to", "2.35,48.85"}, 2, []string{"--to:", "2497 km from the nearest point of the rail network"}},
		{[]string{"route", "rail", "--from", "dunay", "--to", "tikhoretsk", "--avoid", "suez"}, 2, []string{"--avoid:", `"suez"`}},
		{[]string{"route", "sea", "--from", "50,42", "--to", "-30,30"}, 1, []string{"no sea route joins"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) { checkRun(t, dir, c.args, c.code, c.want) })
	}
}

// TestRouteGeoJSON: the geojson format is the API's Feature, and the API
// served by `shiptrack serve` answers the same.
func TestRouteGeoJSON(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, dir, nil, "route", "sea", "--from", "najin", "--to", "dunay", "--format", "geojson")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var f struct {
		Type       string
		Geometry   struct{ Type string }
		Properties map[string]any
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	nm, _ := f.Properties["length_nm"].(float64)
	if f.Type != "Feature" || f.Geometry.Type != "LineString" || nm < 105 || nm > 140 {
		t.Errorf("got a %s of a %s, %v nm; want a LineString Feature of 105 to 140 nm", f.Type, f.Geometry.Type, nm)
	}
	base := serve(t, dir, nil)
	status, api := get(t, base+"/api/route/sea?"+url.Values{"from": {"najin"}, "to": {"dunay"}}.Encode())
	if status != 200 {
		t.Fatalf("GET /api/route/sea = %d: %v", status, api)
	}
	cli, _ := json.Marshal(f.Properties)
	web, _ := json.Marshal(api["properties"])
	if string(cli) != string(web) {
		t.Errorf("the command line and the API differ:\n%s\n%s", cli, web)
	}
	status, rail := get(t, base+"/api/route/rail?from=dunay&to=tikhoretsk")
	props, _ := rail["properties"].(map[string]any)
	stations, _ := props["stations"].([]any)
	if status != 200 || props["network"] != "rail:schematic" || props["length_km"] != 8590.82 ||
		len(stations) < 2 || stations[0] != "Dunay" || stations[len(stations)-1] != "Tikhoretsk" {
		t.Errorf("GET /api/route/rail = %d %v; want the schematic network's 8590.82 km from station Dunay to Tikhoretsk", status, props)
	}
	if status, p := get(t, base+"/api/route/rail?from=dunay&to=2.35,48.85"); status != 400 || p["parameter"] != "to" || !strings.Contains(p["detail"].(string), "from the nearest point of the rail network") {
		t.Errorf("GET /api/route/rail to Paris = %d %v; want 400 on to, naming the distance", status, p)
	}
}
