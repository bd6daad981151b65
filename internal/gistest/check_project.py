"""Opens a shiptrack QGIS project headless, as a QGIS user would, and reports
what QGIS makes of it as JSON on standard output: every layer's validity,
feature count, fields, temporal properties and style; the project's time
range, temporal controller and view; and renders of the map at given dates,
with how many pixels along each leg's line have the leg's colour.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 check_project.py PROJECT OUTDIR \
        [--render NAME DATE VIEW ...] [--color MODE R,G,B ...]

VIEW is "project" for the project's default view, or W,S,E,N in degrees.

The tests that run it (through package gistest) decide what is right; this
script only looks.
"""

import json
import sys

from qgis.core import (
    QgsApplication,
    QgsDateTimeRange,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, Qt, QTime, QVariant
from qgis.PyQt.QtGui import QColor


def parse_args(argv):
    project, outdir = argv[1], argv[2]
    renders, colors = [], {}
    i = 3
    while i < len(argv):
        if argv[i] == "--render":
            renders.append((argv[i + 1], argv[i + 2], argv[i + 3]))
            i += 4
        elif argv[i] == "--color":
            colors[argv[i + 1]] = tuple(int(c) for c in argv[i + 2].split(","))
            i += 3
        else:
            raise SystemExit("unknown argument " + argv[i])
    return project, outdir, renders, colors


def symbol_props(symbol):
    layer = symbol.symbolLayer(0)
    return {"class": layer.layerType(), "props": {k: str(v) for k, v in layer.properties().items()}}


def describe_style(layer):
    r = layer.renderer()
    out = {"type": r.type() if r else None}
    if r is None:
        return out
    if r.type() == "RuleRenderer":
        out["rules"] = [
            {"label": rule.label(), "filter": rule.filterExpression(), "symbol": symbol_props(rule.symbol())}
            for rule in r.rootRule().children()
        ]
    elif r.type() == "categorizedSymbol":
        out["field"] = r.classAttribute()
        out["categories"] = [
            {"value": c.value(), "label": c.label(), "symbol": symbol_props(c.symbol())} for c in r.categories()
        ]
    elif r.type() == "singleSymbol":
        out["symbol"] = symbol_props(r.symbol())
    return out


def describe_labels(layer):
    if not layer.labelsEnabled() or layer.labeling() is None:
        return []
    labeling = layer.labeling()
    if labeling.type() == "rule-based":
        return [
            {"filter": rule.filterExpression(), "field": rule.settings().fieldName}
            for rule in labeling.rootRule().children()
            if rule.settings() is not None
        ]
    return [{"filter": "", "field": labeling.settings().fieldName}]


def describe_layer(layer):
    d = {"name": layer.name(), "valid": layer.isValid(), "provider": layer.providerType(), "source": layer.source()}
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return d
    d["count"] = layer.featureCount()
    d["geometry"] = layer.wkbType()
    d["fields"] = {f.name(): QVariant.typeToName(f.type()) for f in layer.fields()}
    tp = layer.temporalProperties()
    d["temporal"] = {
        "active": tp.isActive(),
        "start_and_end_fields": tp.mode() == QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields,
        "start": tp.startField(),
        "end": tp.endField(),
    }
    d["style"] = describe_style(layer) if layer.isSpatial() else None
    d["labels"] = describe_labels(layer) if layer.isSpatial() else []
    return d


def day(text):
    date = QDate.fromString(text, Qt.ISODate)
    return QgsDateTimeRange(QDateTime(date, QTime(0, 0, 0), Qt.UTC), QDateTime(date, QTime(23, 59, 59), Qt.UTC))


def render(project, outdir, name, date, view, colors):
    """Renders the checked layers, in the layer tree's order, over a view on
    one day; returns, for each mode in colors, how many points sampled along
    that mode's legs have the mode's colour."""
    settings = QgsMapSettings()
    settings.setLayers(project.layerTreeRoot().checkedLayers())
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(1000, 500))
    settings.setBackgroundColor(QColor(255, 255, 255))
    if view == "project":
        settings.setExtent(project.viewSettings().defaultViewExtent())
    else:
        settings.setExtent(QgsRectangle(*(float(v) for v in view.split(","))))
    settings.setIsTemporal(True)
    settings.setTemporalRange(day(date))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    path = "%s/%s.png" % (outdir, name)
    image.save(path)

    legs = project.mapLayersByName("legs")[0]
    m2p = settings.mapToPixel()
    hits = {}
    for mode, rgb in colors.items():
        samples = matched = 0
        for feature in legs.getFeatures():
            if feature["mode"] != mode:
                continue
            geom = feature.geometry()
            length = geom.length()
            # Along the middle of the line only: the ends lie under the
            # symbols and labels of the places they join.
            for i in range(100, 901):
                p = geom.interpolate(length * i / 1000.0).asPoint()
                px = m2p.transform(QgsPointXY(p))
                x, y = int(round(px.x())), int(round(px.y()))
                if not (0 <= x < image.width() and 0 <= y < image.height()):
                    continue
                samples += 1
                c = QColor(image.pixel(x, y))
                if all(abs(a - b) <= 12 for a, b in zip((c.red(), c.green(), c.blue()), rgb)):
                    matched += 1
        hits[mode] = {"samples": samples, "matched": matched}
    return {"png": path, "date": date, "view": view, "hits": hits}


def main():
    project_path, outdir, renders, colors = parse_args(sys.argv)
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    ok = project.read(project_path)
    out = {"read": ok}
    if ok:
        tr = project.timeSettings().temporalRange()
        mode, mode_ok = project.readNumEntry("TemporalControllerWidget", "/NavigationMode", 0)
        extent = project.viewSettings().defaultViewExtent()
        out.update({
            "crs": project.crs().authid(),
            "absolute_paths": project.readBoolEntry("Paths", "/Absolute", True)[0],
            "time_range": [tr.begin().toUTC().toString(Qt.ISODate), tr.end().toUTC().toString(Qt.ISODate)],
            "navigation_mode": mode if mode_ok else None,
            "controller_range": [
                project.readEntry("TemporalControllerWidget", "/StartDateTime", "")[0],
                project.readEntry("TemporalControllerWidget", "/EndDateTime", "")[0],
            ],
            "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
            "layers": [describe_layer(l) for l in project.mapLayers().values()],
            "tree": [l.name() for l in project.layerTreeRoot().layerOrder()],
            "relations": sorted(r.id() for r in project.relationManager().relations().values() if r.isValid()),
            "renders": [render(project, outdir, name, date, view, colors) for name, date, view in renders],
        })
    json.dump(out, sys.stdout, indent=1, default=str)
    app.exitQgis()


main()
