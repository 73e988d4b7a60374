#!/usr/bin/python3
"""qgis_layers.py -- what QGIS (its PostGIS provider, headless) makes of a
Pelorus PostgreSQL database's layers: prints one line per fact, for
tests/pg_qgis_test.sh to compare with what SQL and the scan say.

Usage: QT_QPA_PLATFORM=offscreen qgis_layers.py SOCKET_DIR DBNAME USER
Lines printed:
  listed TABLE GEOMTYPE CRS PKEY      each geometry column type QGIS's
                                      browser lists in schema pelorus (the
                                      tables without one left out)
  layer TABLE GEOMTYPE valid COUNT CRS a layer as QGIS loads it
  ids TABLE GEOMTYPE ID...            its features' keys, sorted
  line ID                             the line attribute of one finding
  bbox TABLE GEOMTYPE W,S,E,N COUNT   features a map view of that box draws
  time TABLE GEOMTYPE FROM TO COUNT   features the temporal controller keeps
                                      for [FROM, TO] (start_at, end_at)
"""
import sys

from qgis.core import (QgsApplication, QgsDataSourceUri, QgsDateTimeRange, QgsFeatureRequest,
                       QgsProviderRegistry, QgsRectangle, QgsVectorLayer,
                       QgsVectorLayerTemporalContext, QgsVectorLayerTemporalProperties, QgsWkbTypes)
from qgis.PyQt.QtCore import QDateTime, Qt

host, db, user = sys.argv[1], sys.argv[2], sys.argv[3]
app = QgsApplication([], False)
app.initQgis()

md = QgsProviderRegistry.instance().providerMetadata('postgres')
conn = md.createConnection(f"dbname='{db}' host='{host}' user='{user}'", {})
for t in sorted(conn.tables('pelorus'), key=lambda t: t.tableName()):
    for g in t.geometryColumnTypes():
        if g.wkbType != QgsWkbTypes.NoGeometry:
            print('listed', t.tableName(), QgsWkbTypes.displayString(g.wkbType), g.crs.authid(),
                  ','.join(t.primaryKeyColumns()))


def layer(table, key, wkb):
    u = QgsDataSourceUri()
    u.setConnection(host, '', db, user, '')
    u.setDataSource('pelorus', table, 'geom', '', key)
    u.setWkbType(wkb)
    return QgsVectorLayer(u.uri(False), table, 'postgres')


def utc(text):
    d = QDateTime.fromString(text, Qt.ISODate)
    d.setTimeSpec(Qt.UTC)
    return d


for table, key, wkb in (('track_days', 'mmsi,day', QgsWkbTypes.LineString),
                        ('findings', 'finding_id', QgsWkbTypes.Point),
                        ('findings', 'finding_id', QgsWkbTypes.LineString)):
    name = QgsWkbTypes.displayString(wkb)
    lyr = layer(table, key, wkb)
    print('layer', table, name, 'valid' if lyr.isValid() else 'invalid', lyr.featureCount(), lyr.crs().authid())
    if not lyr.isValid():
        continue
    if table == 'track_days':
        ids = sorted(f"{f['mmsi']}/{f['day'].toString(Qt.ISODate)}" for f in lyr.getFeatures())
    else:
        feats = sorted(lyr.getFeatures(), key=lambda f: f['finding_id'])
        ids = [f['finding_id'] for f in feats]
        if feats:
            print('line', feats[0]['finding_id'], feats[0]['line'])
    print('ids', table, name, ' '.join(ids))
    box = QgsRectangle(124, 36, 126, 39)
    n = sum(1 for _ in lyr.getFeatures(QgsFeatureRequest().setFilterRect(box)))
    print('bbox', table, name, '124,36,126,39', n)
    if table == 'findings':
        tp = lyr.temporalProperties()
        tp.setIsActive(True)
        tp.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
        tp.setStartField('start_at')
        tp.setEndField('end_at')
        lo, hi = '2024-03-01T06:00:00Z', '2024-03-01T20:00:00Z'
        ctx = QgsVectorLayerTemporalContext()
        ctx.setLayer(lyr)
        flt = tp.createFilterString(ctx, QgsDateTimeRange(utc(lo), utc(hi)))
        n = sum(1 for _ in lyr.getFeatures(QgsFeatureRequest().setFilterExpression(flt)))
        print('time', table, name, lo, hi, n)
app.exitQgis()
