"""The evaluator: its metrics against figures worked out by hand on a three-user log, its splits,
and the command line's answers to good and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from peerlearn.recommend import evaluate, metrics

RANKED = [["a", "b", "c"], ["c", "a", "b"], ["b", "d", "a"]]
HELD_OUT = [{"b"}, {"d"}, {"a", "d"}]


def test_recall_at_k_by_hand():
    # user 1 finds b in its top 2 (1/1), user 2 misses d (0), user 3 finds d of {a, d} (1/min(2, 2))
    assert metrics.recall_at_k(RANKED, HELD_OUT, 2) == pytest.approx((1 + 0 + 0.5) / 3)
    assert metrics.recall_at_k(RANKED, HELD_OUT, 3) == pytest.approx((1 + 0 + 1) / 3)


def test_ndcg_at_k_by_hand():
    # user 1: b at rank 2 -> 1/log2(3); user 3: d at rank 2 of an ideal 1 + 1/log2(3)
    first = 1 / math.log2(3)
    third = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at_k(RANKED, HELD_OUT, 2) == pytest.approx((first + 0 + third) / 3)


def test_coverage_by_hand():
    assert metrics.coverage(RANKED, 2, 5) == pytest.approx(4 / 5)  # a, b, c, d of five items
    assert metrics.coverage(RANKED, 1, 5) == pytest.approx(3 / 5)  # the tops: a, c, b
    assert metrics.coverage([], 2, 0) == 0.0


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


LOG = """user_id,item_id,timestamp,rating
u1,a,1,5
u1,b,2,4
u1,c,3,5
u2,a,1,4
u2,b,2,3
u3,b,5,5
u3,a,6,2
u3,c,9,4
"""
ITEMS = "item_id,tags,title\na,x|y,Alpha\nb,x,Beta\nc,z,Gamma\nd,z,Delta\n"


def test_leave_last_out_holds_out_each_users_last_item(tmp_path: Path):
    log = evaluate.read_interactions(write(tmp_path / "log.csv", LOG))
    chosen = evaluate.split(log, "leave-last-out")
    assert chosen.held_out == {"u1": {"c"}, "u2": {"b"}, "u3": {"c"}}
    assert len(chosen.train) == 5


def test_time_split_tests_users_with_history_before_the_cutoff_on_new_items(tmp_path: Path):
    log = evaluate.read_interactions(write(tmp_path / "log.csv", LOG))
    chosen = evaluate.split(log, "time")  # 80th percentile of [1,1,2,2,3,5,6,9] is 6
    assert chosen.held_out == {"u3": {"a", "c"}}
    assert all(log.at[row] < 6 for row in chosen.train)


def test_popularity_recall_is_what_counting_gives(tmp_path: Path):
    # everyone's last item is the most booked one in training: popularity finds it for all
    rows = ["user_id,item_id,timestamp"]
    rows += [f"p{n},hit,1" for n in range(5)] + [f"q{n},x{n},1" for n in range(3)]
    rows += [f"q{n},hit,2" for n in range(3)]
    log = evaluate.read_interactions(write(tmp_path / "log.csv", "\n".join(rows) + "\n"))
    results = evaluate.evaluate(log, None, "leave-last-out", 1)
    assert results["popularity"]["recall"] == 1.0
    assert results["popularity"]["ndcg"] == 1.0
    assert results["served"]["recall"] == 1.0  # the blend finds it too (trending and co-bookings)
    assert set(results) == set(evaluate.MODELS)


def test_command_prints_json_keyed_by_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    log, items = write(tmp_path / "log.csv", LOG), write(tmp_path / "items.csv", ITEMS)
    code = evaluate.main(["--interactions", str(log), "--items", str(items), "--k", "2", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    for name in ("popularity", "decayed_popularity", "content", "collaborative", "served"):
        assert set(printed[name]) >= {"recall", "ndcg", "coverage"}
        assert 0.0 <= printed[name]["recall"] <= 1.0


def test_command_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    log = write(tmp_path / "log.csv", LOG)
    assert evaluate.main(["--interactions", str(log), "--protocol", "time"]) == 0
    out = capsys.readouterr().out
    assert "served" in out
    assert "recall@10" in out


@pytest.mark.parametrize(
    ("log_text", "extra", "message"),
    [
        ("user_id,item_id\nu,a\n", [], "missing column(s) timestamp"),
        ("", [], "empty file"),
        ("user_id,item_id,timestamp\n", [], "no rows"),
        ("user_id,item_id,timestamp\nu,a,soon\n", [], "log.csv:2"),
        (LOG, ["--protocol", "random"], "unknown protocol 'random'"),
        (LOG, ["--k", "0"], "--k must be at least 1"),
        (LOG, ["--items", "missing.csv"], "missing.csv"),
        ("user_id,item_id,timestamp\nu,a,inf\n", [], "log.csv:2"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_text: str, extra: list[str], message: str
):
    log = write(tmp_path / "log.csv", log_text)
    extra = [str(tmp_path / e) if e.endswith(".csv") else e for e in extra]
    assert evaluate.main(["--interactions", str(log), *extra]) == 2
    assert message in capsys.readouterr().err


def test_items_file_without_tags_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    log, items = write(tmp_path / "log.csv", LOG), write(tmp_path / "items.csv", "item_id,title\na,A\n")
    assert evaluate.main(["--interactions", str(log), "--items", str(items)]) == 2
    assert "missing column(s) tags" in capsys.readouterr().err


def test_an_items_file_naming_an_item_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    log = write(tmp_path / "log.csv", LOG)
    items = write(tmp_path / "items.csv", "item_id,tags\na,x\nb,y\na,z\n")
    assert evaluate.main(["--interactions", str(log), "--items", str(items)]) == 2
    assert "items.csv:4: item 'a' again (first on line 2)" in capsys.readouterr().err


@pytest.mark.parametrize("protocol", ["leave-last-out", "time"])
def test_validation_split_uses_only_training_rows(tmp_path: Path, protocol: str):
    rows = ["user_id,item_id,timestamp"]
    rows += [f"u{u},i{(u * 7 + n) % 13},{u + 10 * n}" for u in range(8) for n in range(6)]
    log = evaluate.read_interactions(write(tmp_path / "log.csv", "\n".join(rows) + "\n"))
    chosen = evaluate.split(log, protocol)
    validation = evaluate.validation_split(log, chosen, protocol)
    assert validation.held_out, "the validation split has users to check"
    assert set(validation.train) < set(chosen.train)
    training_pairs = {(log.users[r], log.items[r]) for r in chosen.train}
    tuning_pairs = {(user, item) for user, items in validation.held_out.items() for item in items}
    assert tuning_pairs <= training_pairs  # what tuning tries to find was all in training
    test_pairs = {(user, item) for user, items in chosen.held_out.items() for item in items}
    assert not tuning_pairs & test_pairs
    if protocol == "time":
        assert max(log.at[r] for r in validation.train) < min(
            log.at[r] for r in chosen.train if (log.users[r], log.items[r]) in tuning_pairs
        )


def test_the_test_run_uses_the_blend_validation_chose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    log = evaluate.read_interactions(write(tmp_path / "log.csv", LOG))
    seen: list[evaluate.Split] = []
    real_split = evaluate.validation_split

    def spy(log: evaluate.Log, chosen: evaluate.Split, protocol: str) -> evaluate.Split:
        seen.append(chosen)
        return real_split(log, chosen, protocol)

    monkeypatch.setattr(evaluate, "validation_split", spy)
    monkeypatch.setattr(evaluate, "MIN_TUNING_USERS", 1)
    results = evaluate.evaluate(log, None, "leave-last-out", 2)
    assert len(seen) == 1
    assert seen[0].train == evaluate.split(log, "leave-last-out").train
    assert results["served"]["validation_users"] >= 1
    given = evaluate.Tuning(evaluate.Blend(trend_share=0.3), 0, {})
    fixed = evaluate.evaluate(log, None, "leave-last-out", 2, tuning=given)
    assert fixed["served"]["trend_share"] == 0.3
    assert fixed["served"]["constants_kept"] == 0.0
