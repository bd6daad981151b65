package ingest_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/shiptrack/shiptrack/ingest"
	"github.com/shiptrack/shiptrack/routes"
)

// basePlacesCSV is a table of places as an analyst keeps one; the bad tables
// below are made from it by one edit each.
const basePlacesCSV = `id,name,kind,country,unlocode,lat,lon,aliases
najin,Najin,port,KP,KPNJN,42.2333,130.3,Rajin;Rason
dunay,Dunay,port,RU,,42.8803,132.3375,
tikhoretsk,Tikhoretsk,depot,RU,,45.8547,40.1253,
`

func editCSV(t testing.TB, old, new string) string {
	t.Helper()
	if !strings.Contains(basePlacesCSV, old) {
		t.Fatalf("basePlacesCSV has no %q", old)
	}
	return strings.Replace(basePlacesCSV, old, new, 1)
}

func readPlaces(t *testing.T, name, text string) []routes.Place {
	t.Helper()
	batch, sum, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(map[string]string{name: text}), name))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read.Places != len(batch.Places) {
		t.Errorf("read %d places, the batch holds %d", sum.Read.Places, len(batch.Places))
	}
	return batch.Places
}

func TestGoodPlacesCSV(t *testing.T) {
	want := []routes.Place{
		{ID: "najin", Name: "Najin", Kind: routes.Port, Country: "KP", UNLOCODE: "KPNJN", Aliases: []string{"Rajin", "Rason"}, Lon: 130.3, Lat: 42.2333},
		{ID: "dunay", Name: "Dunay", Kind: routes.Port, Country: "RU", Lon: 132.3375, Lat: 42.8803},
		{ID: "tikhoretsk", Name: "Tikhoretsk", Kind: routes.Depot, Country: "RU", Lon: 40.1253, Lat: 45.8547},
	}
	for _, c := range []struct{ name, text string }{
		{"as written", basePlacesCSV},
		{"columns in another order and spelling, ids from names", "\ufeffLongitude (WGS 84),Latitude,Name,Type,Country,UN/LOCODE,Alias,Notes\r\n" +
			"130.3,42.2333,Najin,Port,kp,KP NJN,Rajin | Rason,\r\n" +
			"\r\n" +
			",,,,,,,\r\n" +
			"132.3375, 42.8803,Dunay,port,RU,,,\r\n" +
			"40.1253,45.8547,  Tikhoretsk ,depot,RU,,,\r\n"},
		{"semicolons and decimal commas", "name;kind;country;unlocode;lat;lon;aliases\n" +
			"Najin;port;KP;KPNJN;42,2333;130,3;Rajin|Rason\n" +
			"Dunay;port;RU;;42,8803;132,3375;\n" +
			"Tikhoretsk;depot;RU;;45.8547;40.1253;\n"},
		{"tabs and quotes", "id\tname\tkind\tcountry\tunlocode\tlat\tlon\taliases\n" +
			"najin\t\"Najin\"\tport\tKP\tKPNJN\t42.2333\t130.3\t\"Rajin;Rason\"\n" +
			"dunay\tDunay\tport\tRU\t\t42.8803\t132.3375\t\n" +
			"tikhoretsk\tTikhoretsk\tdepot\tRU\t\t45.8547\t40.1253\t\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readPlaces(t, "places.csv", c.text)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestPlaceSlugs(t *testing.T) {
	text := "name,kind,country,lat,lon\n" +
		"Najin (Rajin),port,KP,42.2333,130.3\n" +
		"Ust'-Luga,port,RU,59.68,28.4\n" +
		"Тихорецк,depot,RU,45.8547,40.1253\n" +
		"Gdańsk Nowy Port,port,PL,54.4,18.66\n" +
		"Tumangang / Khasan,border crossing,RU,42.43,130.64\n" +
		"Łódź Olechów,rail terminal,PL,51.74,19.55\n"
	var ids []string
	for _, p := range readPlaces(t, "places.csv", text) {
		ids = append(ids, p.ID)
	}
	want := "najin-rajin ust-luga tikhoretsk gdansk-nowy-port tumangang-khasan lodz-olechow"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("ids %q, want %q", got, want)
	}
}

func badPlacesCSVCases(t testing.TB) []badCase {
	one := func(text string) map[string]string { return map[string]string{"bad.csv": text} }
	return []badCase{
		{"a missing column", one(strings.ReplaceAll(editCSV(t, "unlocode,lat,lon", "unlocode,lon"), ",42.", ",")),
			[]want{{"bad.csv", "id", "lat", `missing required column "lat" (or latitude, y); the header has id, name, kind, country, unlocode, lon, aliases`}}},
		{"a shifted row: a value too many", one(editCSV(t, "Dunay,port", "Dunay,Primorsky Krai,port")),
			[]want{{"bad.csv", "dunay", "", "the row has 9 values, the header 8 columns"}}},
		{"a shifted row: a value too few", one(editCSV(t, ",45.8547,40.1253,", ",45.8547,40.1253")),
			[]want{{"bad.csv", "tikhoretsk,", "", "the row has 7 values, the header 8 columns"}}},
		{"a bad number", one(editCSV(t, "42.8803", "42.88N")),
			[]want{{"bad.csv", "42.88N", "lat", `"42.88N" is not a number of decimal degrees`}}},
		{"NaN", one(editCSV(t, "132.3375", "NaN")),
			[]want{{"bad.csv", "NaN", "lon", `"NaN" is not a number of decimal degrees`}}},
		{"a number too large", one(editCSV(t, "132.3375", "1e999")),
			[]want{{"bad.csv", "1e999", "lon", `"1e999" is out of range`}}},
		{"a blank coordinate", one(editCSV(t, "132.3375", "")),
			[]want{{"bad.csv", ",\ntikhoretsk", "lon", "is required"}}},
		{"latitude 95", one(editCSV(t, "45.8547", "95")),
			[]want{{"bad.csv", "95", "lat", "latitude 95 is outside [-90, 90]"}}},
		{"a country that is no code", one(editCSV(t, "dunay,Dunay,port,RU", "dunay,Dunay,port,Russia")),
			[]want{{"bad.csv", "Russia", "country", `"RUSSIA" is not an ISO 3166-1 alpha-2 code`}}},
		{"a kind that is none", one(editCSV(t, "depot", "warehouse")),
			[]want{{"bad.csv", "warehouse", "kind", `"warehouse" is not one of`}}},
		{"an unknown column", one(editCSV(t, "lon,aliases", "lon,source")),
			[]want{{"bad.csv", "source", "source", `unknown column "source"; the columns are id, name (required)`}}},
		{"a column twice", one(editCSV(t, "lat,lon", "latitude,lon,lat")),
			[]want{{"bad.csv", "lat,aliases", "lat", `column "lat" repeats column "latitude"`}}},
		{"a value under no header", one(editCSV(t, "lon,aliases", "lon,")),
			[]want{{"bad.csv", "Rajin;Rason", "", `value "Rajin;Rason" is in a column with no header`}}},
		{"two places of one name", one(editCSV(t, "tikhoretsk,Tikhoretsk", ",Dunay")),
			[]want{{"bad.csv", "Dunay,depot", "name", `place "dunay" appears twice in the document (the id was made from the name`}}},
		{"a quote in a value", one(editCSV(t, "Dunay,port", `Dun"ay,port`)),
			[]want{{"bad.csv", `"ay`, "", `not a well-formed CSV row: bare " in non-quoted-field`}}},
		{"a quote left open", one(editCSV(t, "Tikhoretsk,depot", `"Tikhoretsk,depot`)),
			[]want{{"bad.csv", "tikhoretsk,", "", "a quote opened in this row is never closed"}}},
		{"not UTF-8", one(editCSV(t, "Dunay,port", "Dun\xe4y,port")),
			[]want{{"bad.csv", "\xe4", "", "not UTF-8 text"}}},
		{"a NUL byte", one(editCSV(t, "Dunay,port", "Dunay\x00,port")),
			[]want{{"bad.csv", "\x00", "", "a NUL byte: not text"}}},
		{"an empty file", one(""),
			[]want{{"bad.csv", "", "", "the file is empty: want a header row"}}},
	}
}

func TestBadPlacesCSV(t *testing.T) { readBad(t, badPlacesCSVCases(t)) }

// TestPlacesCSVErrorText checks the whole line a user reads.
func TestPlacesCSVErrorText(t *testing.T) {
	files := map[string]string{"data/places.csv": editCSV(t, "42.8803", "42.88.03")}
	_, _, err := ingest.Read(t.Context(), nil, ingest.FS(mapFS(files), "data/places.csv"))
	const want = `data/places.csv:3:22: lat: "42.88.03" is not a number of decimal degrees such as 42.2333 (south and west are negative)`
	if err == nil || err.Error() != want {
		t.Errorf("error is\n\t%v\nwant\n\t%s", err, want)
	}
}

func FuzzPlacesCSV(f *testing.F) {
	seed(f, badPlacesCSVCases(f), basePlacesCSV)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "f.csv", data)
	})
}

// BenchmarkPlacesCSV reads a table of 100,000 places.
func BenchmarkPlacesCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("id,name,kind,country,unlocode,lat,lon,aliases\n")
	for i := range 100_000 {
		fmt.Fprintf(&sb, "p%d,Place %d,port,RU,,%.4f,%.4f,Alias %d;Other\n", i, i, float64(i%160)-80, float64(i%340)-170, i)
	}
	files := mapFS(map[string]string{"places.csv": sb.String()})
	b.SetBytes(int64(sb.Len()))
	for b.Loop() {
		if _, _, err := ingest.Read(b.Context(), nil, ingest.FS(files, "places.csv")); err != nil {
			b.Fatal(err)
		}
	}
}
