"""Derive the map's country outlines, data/basemap.json, from Natural Earth (python -m nkreport.build.basemap).

Natural Earth (public domain) ships inside the npm package world-atlas as TopoJSON. This script
fetches that package once with `npm pack` (the only network use, and only when re-deriving), checks
its checksum, decodes the 1:50m countries, keeps those of the map's region, rounds coordinates to
0.01 degree and writes data/basemap.json with its provenance. The build never fetches anything: it
reads the committed file.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .book import ROOT

PACKAGE, VERSION = "world-atlas", "2.0.2"
SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"  # of the npm tarball; checked below
MEMBER = "package/countries-50m.json"
# The map's two panels (degrees): the front, from Kyiv to the Don, and the Far East, from
# Seoul to Khabarovsk. Outlines are clipped to each and simplified to about a pixel.
PANELS = {
    "front": {"west": 29.0, "east": 41.2, "south": 45.6, "north": 53.0},
    "far_east": {"west": 122.5, "east": 137.2, "south": 37.2, "north": 50.8},
}
TOLERANCE = 0.02  # degrees: under a pixel at the size the map is drawn
COUNTRIES = ("Russia", "Ukraine", "Belarus", "Moldova", "Poland", "Romania", "Lithuania", "Latvia",
             "China", "North Korea", "South Korea", "Japan", "Mongolia")
OUT = ROOT / "data" / "basemap.json"


def fetch() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        return next(Path(tmp).glob("*.tgz")).read_bytes()


def decode(topology: dict, name: str) -> list[list[list[float]]]:
    """The rings of one country of a TopoJSON topology, as [lon, lat] lists."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([x * scale[0] + translate[0], y * scale[1] + translate[1]])
        arcs.append(points)

    def ring(indexes):
        points = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(part if not points else part[1:])
        return points

    (geometry,) = [g for g in topology["objects"]["countries"]["geometries"] if g["properties"]["name"] == name]
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [ring(r) for polygon in polygons for r in polygon]


def clip(ring, box):
    """A ring clipped to a rectangle (Sutherland-Hodgman), closed."""
    edges = (("west", 0, lambda p: p[0] >= box["west"]), ("east", 0, lambda p: p[0] <= box["east"]),
             ("south", 1, lambda p: p[1] >= box["south"]), ("north", 1, lambda p: p[1] <= box["north"]))
    points = ring
    for side, axis, keep in edges:
        if not points:
            break
        out = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if keep(current):
                if not keep(previous):
                    out.append(_cross(previous, current, axis, box[side]))
                out.append(current)
            elif keep(previous):
                out.append(_cross(previous, current, axis, box[side]))
        points = out
    return points + points[:1] if points else []


def _cross(a, b, axis, value):
    """Where the segment a-b crosses the line x = value (axis 0) or y = value (axis 1)."""
    t = (value - a[axis]) / (b[axis] - a[axis])
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]


def simplify(points, tolerance):
    """Douglas-Peucker: drop points closer than `tolerance` to the line through their neighbours."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    if norm == 0:  # a closed ring: measure from its first point
        distances = [((x - x1) ** 2 + (y - y1) ** 2) ** 0.5 for x, y in points[1:-1]]
    else:
        distances = [abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm for x, y in points[1:-1]]
    i = max(range(len(distances)), key=distances.__getitem__)
    if distances[i] <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: i + 2], tolerance)[:-1] + simplify(points[i + 1:], tolerance)


def derive(tarball: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        topology = json.load(tar.extractfile(MEMBER))
        licence = tar.extractfile("package/LICENSE").read().decode("utf-8").splitlines()[0]
    panels = {}
    for panel, box in PANELS.items():
        countries = {}
        for name in COUNTRIES:
            rings = []
            for ring in decode(topology, name):
                clipped = clip(ring, box)
                if len(clipped) < 4:
                    continue
                simple = simplify(clipped, TOLERANCE)
                rounded = [[round(x, 2), round(y, 2)] for x, y in simple]
                if len(rounded) >= 4:
                    rings.append(rounded)
            if rings:
                countries[name] = rings
        panels[panel] = {"bounds": box, "countries": countries}
    return {
        "about": "Country outlines for the report's map, derived by nkreport/build/basemap.py.",
        "source": {"data": "Natural Earth 1:50m admin 0 countries (public domain)", "package": f"npm {PACKAGE}@{VERSION}",
                   "member": MEMBER, "sha256": hashlib.sha256(tarball).hexdigest(), "package_licence": licence},
        "tolerance_degrees": TOLERANCE,
        "panels": panels,
    }


def main() -> int:
    sys.setrecursionlimit(10_000)  # simplify() recurses once per kept point
    tarball = fetch()
    digest = hashlib.sha256(tarball).hexdigest()
    if digest != SHA256:
        print(f"{PACKAGE}@{VERSION} has checksum {digest}, not the recorded {SHA256}: check the package, "
              "then update SHA256 in nkreport/build/basemap.py", file=sys.stderr)
        return 1
    OUT.write_text(json.dumps(derive(tarball), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
