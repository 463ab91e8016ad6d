"""The data dictionary, the data and its README describe the same columns."""

import csv
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def schema_fields(resource: str) -> list[str]:
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = [r for r in package["resources"] if r["name"] == resource]
    return [f["name"] for f in res["schema"]["fields"]]


def readme_columns(section: str) -> list[str]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    block = text.split(f"### {section}", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", block, flags=re.M)


def test_every_column_is_described_in_the_datapackage():
    for resource in ("claims", "claimants"):
        with open(DATA / f"{resource}.csv", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == schema_fields(resource)


def test_every_field_has_a_description():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        for field in res.get("schema", {}).get("fields", []):
            assert len(field.get("description", "")) > 20, field["name"]


def test_readme_dictionary_matches_the_datapackage():
    assert readme_columns("claims.csv") == schema_fields("claims")
    assert readme_columns("claimants.csv") == schema_fields("claimants")
