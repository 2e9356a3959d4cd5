"""Built models in the artefact store (S3 under models/, or a directory) and the function's cache:
the newest build is loaded once, looked for again at most every refresh period, and a file that
fails to load leaves the old model answering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from peerlearn.recommend import artefacts
from peerlearn.recommend.artefacts import DirectoryArtefacts, ModelCache, S3Artefacts
from peerlearn.recommend.model import BuildInput, Catalogue, Interactions, Learner, build


class FakeModel:
    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"model:"):
            raise ValueError("not a model")
        self.name = data.decode()


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_cache(store: artefacts.ArtefactStore, ticks: Ticks) -> ModelCache:
    load: Any = FakeModel
    return ModelCache(store, refresh_seconds=60, load=load, monotonic=ticks)


@pytest.fixture
def s3() -> Any:
    with mock_aws():
        client = boto3.client("s3", region_name="ap-south-1")
        client.create_bucket(Bucket="uploads", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
        yield client


def test_a_published_build_is_a_file_then_a_pointer_under_models_in_s3(s3: Any) -> None:
    store = S3Artefacts("uploads", client=s3)

    pointer = artefacts.publish(store, "B1", 1_796_000_000, b"model:one")

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="uploads")["Contents"])
    assert keys == ["models/recommend/LATEST.json", "models/recommend/builds/B1.npz"]
    saved = json.loads(s3.get_object(Bucket="uploads", Key="models/recommend/LATEST.json")["Body"].read())
    assert saved == {
        "build_id": "B1",
        "built_at": 1_796_000_000,
        "key": "recommend/builds/B1.npz",
        "bytes": 9,
        "sha256": pointer.sha256,
    }
    assert artefacts.latest(store) == pointer


def test_before_any_build_there_is_no_model(s3: Any, tmp_path: Path) -> None:
    for store in (S3Artefacts("uploads", client=s3), DirectoryArtefacts(tmp_path / "models")):
        cache = fake_cache(store, Ticks())
        assert cache.get() is None
        assert cache.built_at is None


def test_a_new_build_is_picked_up_only_after_the_refresh_period(tmp_path: Path) -> None:
    store, ticks = DirectoryArtefacts(tmp_path), Ticks()
    artefacts.publish(store, "B1", 100, b"model:one")
    cache = fake_cache(store, ticks)
    assert cache.get().name == "model:one"  # type: ignore[union-attr]

    artefacts.publish(store, "B2", 200, b"model:two")
    ticks.now += 59
    assert cache.get().name == "model:one"  # type: ignore[union-attr]
    ticks.now += 1
    assert cache.get().name == "model:two"  # type: ignore[union-attr]
    assert cache.built_at == 200


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_a_build_that_fails_to_load_keeps_the_old_model_answering(tmp_path: Path, damage: str) -> None:
    store, ticks = DirectoryArtefacts(tmp_path), Ticks()
    artefacts.publish(store, "B1", 100, b"model:one")
    cache = fake_cache(store, ticks)
    cache.get()

    pointer = artefacts.publish(store, "B2", 200, b"model:two")
    path = tmp_path / pointer.key
    if damage == "garbage":  # a file that matches its checksum but is no model
        artefacts.publish(store, "B2", 200, b"not a model")
    elif damage == "truncated":
        path.write_bytes(b"model:t")
    else:
        path.unlink()
    ticks.now += 60

    assert cache.get().name == "model:one"  # type: ignore[union-attr]
    assert cache.built_at == 100


def test_a_real_model_round_trips_through_the_store(s3: Any) -> None:
    data = BuildInput(
        catalogue=Catalogue(
            ids=["a", "b", "c"],
            tags=[["Python"], ["Python", "Django"], ["Kubernetes"]],
            titles=["A", "B", "C"],
            mentor_ids=["m1", "m1", "m2"],
            starts_at=[2_000_000_000] * 3,
            bookable=[True, True, True],
        ),
        interactions=Interactions(
            user_ids=["u1", "u1"], item_ids=["a", "b"], at=[1_790_000_000] * 2, weight=[1.0, 1.0]
        ),
        now=1_790_000_000,
    )
    store = S3Artefacts("uploads", client=s3)
    model = build(data, build_id="B7")
    artefacts.publish(store, "B7", 1_790_000_000, model.to_bytes())

    cache = ModelCache(store, refresh_seconds=60)
    loaded = cache.get()

    assert loaded is not None
    assert loaded.has_item("a")
    picks = loaded.recommend(Learner(user_id="u2", interests=["Python"]), 3, 1_790_000_000)
    assert picks
    assert picks[0].item_id in {"a", "b"}


def test_a_directory_keeps_only_the_newest_builds(tmp_path: Path) -> None:
    store = DirectoryArtefacts(tmp_path)

    for n in range(artefacts.KEEP_BUILDS + 3):
        artefacts.publish(store, f"B{n}", 100 + n, f"model:{n}".encode())

    kept = sorted(p.name for p in (tmp_path / "recommend" / "builds").iterdir())
    newest = [f"B{n}.npz" for n in range(3, artefacts.KEEP_BUILDS + 3)]
    assert kept == sorted(newest)
    pointer = artefacts.latest(store)
    assert pointer is not None
    assert pointer.build_id == "B5"
