// Package shiptrack tracks reported maritime and rail shipments. The
// packages under it hold the model (routes), the geometry (geo), the readers
// (ingest) and the stores; this package holds what ships with the binary.
package shiptrack

import "embed"

// Bundled is the Najin–Dunay dataset that shiptrack ships as its default
// data: the 2023 reporting of North Korean munitions carried from Najin by
// Russian-flagged ships to Dunay and Vostochny and by rail to a depot near
// Tikhoretsk, as shipment documents with the places, vessels and sources
// they cite. Read it with ingest.FS(Bundled, BundledDir).
//
//go:embed testdata/najin-dunay
var Bundled embed.FS

// BundledDir is the directory within Bundled that holds the dataset.
const BundledDir = "testdata/najin-dunay"
