"""What many tests share: importing records as the importer does, and reading back what it wrote."""

import copy

from tests.conftest import FIXTURES, load_record
from trials.importing.upsert import finish_run, import_batch, import_files, start_run
from trials.models import Arm, AutoLabel, ImportRun, Intervention, Location, Trial

SNAPSHOT_DIRS = [FIXTURES / "snapshot" / d for d in ("2020-07-28", "2022-09-28", "2022-10")]


def upsert(*records):
    run = start_run(mode=ImportRun.Mode.FILE, query={})
    result = import_batch(run=run, records=[("test", r) for r in records])
    finish_run(run=run)
    return result


def import_snapshot():
    paths = [p for d in SNAPSHOT_DIRS for p in sorted(d.glob("*.json"))]
    return import_files(paths=paths)


def database_content():
    """Everything an import writes, except the last-seen stamp that an unchanged record bumps."""
    trials = list(
        Trial.objects.order_by("nct_id").values(
            *[
                f.attname
                for f in Trial._meta.fields
                if f.name not in {"last_seen", "last_import_run"}
            ]
        )
    )
    children = [
        list(model.objects.order_by("pk").values())
        for model in (Arm, Intervention, Location, AutoLabel)
    ]
    return trials, children


def registry_studies() -> list[dict]:
    """The 26 ALS records of October 2022 plus the 2020 trials not in that folder: 42 studies."""
    newest = {p.stem: p for p in sorted((FIXTURES / "snapshot" / "2022-10").glob("*.json"))}
    older = sorted((FIXTURES / "snapshot" / "2020-07-28").glob("*.json"))
    ids = list(newest) + [p.stem for p in older if p.stem not in newest]
    return [
        load_record("snapshot/2022-10" if i in newest else "snapshot/2020-07-28", i) for i in ids
    ]


def newer(record, **status):
    """A later version of a record: its last update a year later, `status` merged in."""
    record = copy.deepcopy(record)
    module = record["protocolSection"]["statusModule"]
    module["lastUpdatePostDateStruct"] = {"date": "2023-10-06", "type": "ACTUAL"}
    module.update(status)
    return record
