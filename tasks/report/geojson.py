"""Incidents as GeoJSON points, for QGIS, kepler.gl, geojson.io and web maps.

A feature per incident that has coordinates; its properties are every other column of the row.
GeoJSON orders a position [longitude, latitude] (RFC 7946), the reverse of how people say it.
Incidents without coordinates (placed only in a country, or not at all) cannot be points: they
are left out and counted, so the caller can say how many a map does not show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Row = Mapping[str, Any]


def point_feature(row: Row) -> dict[str, Any] | None:
    """The row as a Point feature, or None when it has no coordinates."""
    latitude, longitude = row.get("latitude"), row.get("longitude")
    if latitude is None or longitude is None:
        return None
    properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "id": row.get("incident_id"),
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": properties,
    }


def feature_collection(rows: Iterable[Row]) -> tuple[dict[str, Any], int]:
    """(FeatureCollection of the rows with coordinates, how many rows had none)."""
    features, unplaced = [], 0
    for row in rows:
        feature = point_feature(row)
        if feature is None:
            unplaced += 1
        else:
            features.append(feature)
    return {"type": "FeatureCollection", "features": features}, unplaced
