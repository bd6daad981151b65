package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/shiptrack/shiptrack/export"
)

const exportSynopsis = `gpkg|qgis|geojson|csv --out PATH [--force] [--layer LAYER] [--server URL]
       [--db URL | --data FILE]

  gpkg     every layer in one GeoPackage file
  qgis     a directory with the GeoPackage and a QGIS project (shiptrack.qgz)
           that opens it styled, with the temporal controller set up; with
           --server, a second project (shiptrack-ogc.qgz) on that server's
           OGC API Features
  geojson  one layer (--layer) as GeoJSON; --out - writes to standard output
  csv      one layer (--layer) as CSV, the geometry as WKT`

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("export", exportSynopsis)
	var sf storeFlags
	sf.register(fs)
	out := fs.String("out", "", "the file (gpkg, geojson, csv) or directory (qgis) to write")
	force := fs.Bool("force", false, "replace what --out names if it exists")
	layer := fs.String("layer", "", "the layer to write as geojson or csv: "+strings.Join(export.LayerNames(), ", "))
	server := fs.String("server", "", "for qgis: the base URL of a shiptrack server, such as http://127.0.0.1:8080, for the live project")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"export takes one format: gpkg, qgis, geojson or csv"}
	}
	format := fs.Arg(0)
	if err := checkExportFlags(fs, format, *out, *layer, *server); err != nil {
		return err
	}
	if *out != "-" && sf.dbURL(e) == "" && sameFile(*out, sf.data) {
		return usageError{fmt.Sprintf("--out %s is the store being exported; write the export elsewhere", *out)}
	}
	st, err := sf.open(ctx, e, fs)
	if err != nil {
		return err
	}
	defer st.Close()

	switch format {
	case "gpkg":
		var sum export.Summary
		err := export.WriteFile(*out, *force, func(tmp string) error {
			var err error
			sum, err = export.GeoPackage(ctx, st, tmp)
			return err
		})
		if err != nil {
			return fmt.Errorf("export gpkg: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: %s\n", *out, layerCounts(sum))
	case "qgis":
		opts := export.QGISOptions{}
		if *server != "" {
			opts.OGCAPI = strings.TrimSuffix(*server, "/") + "/ogc"
		}
		sum, err := export.QGISDir(ctx, st, *out, *force, opts)
		if err != nil {
			return fmt.Errorf("export qgis: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: %s\n", *out, layerCounts(sum))
		fmt.Fprintf(e.stdout, "open %s in QGIS\n", filepath.Join(*out, export.ProjectFile))
	default:
		l, _ := export.LayerNamed(*layer)
		write := export.Formats[format]
		if *out == "-" {
			return write(ctx, st, l, e.stdout)
		}
		err := export.WriteFile(*out, *force, func(tmp string) error {
			f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return err
			}
			if err := write(ctx, st, l, f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
		if err != nil {
			return fmt.Errorf("export %s: %w", format, err)
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", *out)
	}
	return nil
}

// checkExportFlags checks that the flags fit the format.
func checkExportFlags(fs *flagSet, format, out, layer, server string) error {
	switch format {
	case "gpkg", "qgis", "geojson", "csv":
	default:
		return usageError{fmt.Sprintf("unknown export format %q: want gpkg, qgis, geojson or csv", format)}
	}
	if out == "" {
		return usageError{"--out is required: the file or directory to write"}
	}
	textual := format == "geojson" || format == "csv"
	switch {
	case textual && layer == "":
		return usageError{fmt.Sprintf("export %s needs --layer: one of %s", format, strings.Join(export.LayerNames(), ", "))}
	case textual:
		if _, ok := export.LayerNamed(layer); !ok {
			return usageError{fmt.Sprintf("--layer %q: want one of %s", layer, strings.Join(export.LayerNames(), ", "))}
		}
	case layer != "":
		return usageError{fmt.Sprintf("--layer is for geojson and csv; %s exports every layer", format)}
	case out == "-":
		return usageError{fmt.Sprintf("--out -: a %s export must be written to a file", format)}
	}
	if server != "" {
		if format != "qgis" {
			return usageError{"--server is for qgis"}
		}
		u, err := url.Parse(server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError{fmt.Sprintf("--server %q: want a URL such as http://127.0.0.1:8080", server)}
		}
	}
	if fs.Changed("force") && out == "-" {
		return usageError{"--force means nothing with --out -"}
	}
	return nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// layerCounts says how many of each layer an export holds.
func layerCounts(sum export.Summary) string {
	var parts []string
	for _, l := range sum.Layers {
		parts = append(parts, fmt.Sprintf("%d %s", l.Count, strings.ReplaceAll(l.Name, "_", " ")))
	}
	return strings.Join(parts, ", ")
}
