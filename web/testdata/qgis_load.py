"""Loads one collection of an OGC API Features server through QGIS's OAPIF
provider, headless, and prints what a QGIS user would see as one JSON line:
whether the layer is valid, its feature count, its fields and their types,
and how many features it fetched.

usage: QT_QPA_PLATFORM=offscreen python3 qgis_load.py URL COLLECTION
"""
import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer

QgsApplication.setPrefixPath("/usr", True)
# The OAPIF provider needs the GUI application; offscreen draws nothing.
app = QgsApplication([], True)
app.initQgis()
url, typename = sys.argv[1], sys.argv[2]
layer = QgsVectorLayer(
    f"url='{url}' typename='{typename}' restrictToRequestBBOX='0'", typename, "OAPIF")
out = {"valid": layer.isValid()}
if layer.isValid():
    out["featureCount"] = layer.featureCount()
    out["fields"] = {f.name(): f.typeName() for f in layer.fields()}
    out["geometryType"] = layer.wkbType()
    ids = [f["id"] for f in layer.getFeatures()]
    out["fetched"] = len(ids)
    out["distinct"] = len(set(ids))
print(json.dumps(out), flush=True)
# QGIS 3.22 can crash tearing itself down headless; the answer is out.
os._exit(0)
