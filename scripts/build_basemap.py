"""Build the app's offline base map (data/basemap/*.geojson) from TopoJSON sources.

    python scripts/build_basemap.py WORLD_ATLAS_DIR KOREA_TOPOJSON

WORLD_ATLAS_DIR: the unpacked npm package `world-atlas` (2.0.2; `npm pack world-atlas`), whose
countries-110m.json is Natural Earth 1:110m (public domain). KOREA_TOPOJSON: the KOSTAT 2018
province outlines (skorea-provinces-2018-topo-simple.json, KOGL Type 1). Coordinates are rounded
to 3 decimals (about 100 m), which is finer than either source.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "basemap"


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Decode quantised, delta-encoded arcs into lon/lat lists (TopoJSON spec 2.1.3)."""
    transform = topology.get("transform")
    decoded = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        else:
            points = [(round(px, 3), round(py, 3)) for px, py in arc]
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)  # consecutive arcs share their joining point
    return [list(p) for p in ring]


def to_geojson(topology: dict, name: str, keep: dict[str, str]) -> dict:
    """The features of object `name`, with the properties in `keep` renamed (source → ours)."""
    arcs = _arcs(topology)
    features = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates = [_ring(r, arcs) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        props = geometry.get("properties", {})
        features.append(
            {
                "type": "Feature",
                "properties": {ours: props.get(source, "") for source, ours in keep.items()},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _write(collection: dict, path: Path) -> None:
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{path.relative_to(OUT.parents[1])}: {len(collection['features'])} features, {path.stat().st_size:,} bytes")


def main(world_dir: str, korea_file: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    world = json.loads((Path(world_dir) / "countries-110m.json").read_text(encoding="utf-8"))
    _write(to_geojson(world, "countries", {"name": "name"}), OUT / "countries-110m.geojson")
    korea = json.loads(Path(korea_file).read_text(encoding="utf-8"))
    (name,) = korea["objects"]
    _write(
        to_geojson(korea, name, {"name": "name_ko", "name_eng": "name_en", "code": "code"}),
        OUT / "korea-provinces-2018.geojson",
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
