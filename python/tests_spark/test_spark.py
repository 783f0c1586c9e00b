"""The Spark recipe of the guide, run: one mlguard state per partition with ``mapInArrow``,
merged as a tree, gives the report of the command line's single pass over the same file.

pyspark runs in local mode; ``MLGUARD_BIN`` names the binary to compare with (set by
scripts/spark-test)."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator, List

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

import mlguard

ROWS = 1_000_000
PARTITIONS = 8
FLAGS = ["--segment-col", "segment", "--id-col", "id"]


def predictions(path: Path) -> None:
    """A million scored rows as a Parquet file: id, segment, label, prediction, score (full
    precision), in row groups of 100,000."""
    rng = np.random.default_rng(7)
    p = rng.beta(2, 5, ROWS)
    label = (rng.random(ROWS) < p).astype(np.int64)
    score = np.clip(p + rng.normal(0, 0.1, ROWS), 1e-9, 1 - 1e-9)
    segment = np.array(["web", "ios", "android", "partner"])[rng.integers(0, 4, ROWS)]
    table = pa.table(
        {
            "id": np.arange(ROWS, dtype=np.int64),
            "segment": segment,
            "label": label,
            "prediction": (score > 0.5).astype(np.int64),
            "score": score,
        }
    )
    pq.write_table(table, path, row_group_size=100_000, compression="zstd")


def close(a: Any, b: Any, at: str) -> None:
    """Equal, numbers to 1e-12 relative (merged sums are added in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), f"{at}: {a} != {b}"
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{at}: keys differ"
        for key in a:
            close(a[key], b[key], f"{at}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{at}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{at}[{i}]")
    else:
        assert a == b, f"{at}: {a} != {b}"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("mlguard-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(PARTITIONS))
        .getOrCreate()
    )
    yield session
    session.stop()


def test_merged_partition_states_give_the_single_pass_report(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = tmp_path / "preds.parquet"
    predictions(path)
    done = subprocess.run(
        [os.environ["MLGUARD_BIN"], "eval", str(path), "--format", "json", "-q", *FLAGS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    single = json.loads(done.stdout)

    # Defined here, so that Spark ships the function itself to its workers (a function of this
    # module would be pickled by name, and the workers cannot import the test module).
    def shard_states(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """mapInArrow: the state of one partition's rows (none for an empty partition)."""
        batches = list(batches)
        if batches and sum(b.num_rows for b in batches):
            table = pa.Table.from_batches(batches)
            state = mlguard.State.of(table, segment="segment", id_col="id")
            yield pa.RecordBatch.from_pydict({"state": [state.to_bytes()]})

    frame = spark.read.parquet(str(path)).repartition(PARTITIONS)
    assert frame.rdd.getNumPartitions() == PARTITIONS
    rows = frame.mapInArrow(shard_states, "state binary").collect()
    states: List[mlguard.State] = [mlguard.State.from_bytes(r.state) for r in rows]
    assert len(states) == PARTITIONS
    merged = mlguard.State.merge_all(states).report().to_dict()

    assert merged["input"]["rows"] == single["input"]["rows"] == ROWS
    for key in ("metrics", "intervals", "segments"):
        close(merged[key], single[key], key)
    assert [(c["id"], c["status"]) for c in merged["checks"]] == [
        (c["id"], c["status"]) for c in single["checks"]
    ]
    assert [f["code"] for f in merged["findings"]] == [f["code"] for f in single["findings"]]
