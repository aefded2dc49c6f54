"""Tests for the decision engine: the table's content, the scoring rules and the pinned advice."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scaffolder import decision
from scaffolder.decision import (
    DecisionTable,
    Recommendation,
    default_answers,
    load_table,
    reasons_for,
    recommend,
    validate_answers,
)
from scaffolder.errors import InvalidAnswerError, ScaffoldError

TABLE = load_table()
KEYS = [q.key for q in TABLE.questions]
FULL_ANSWERS = st.fixed_dictionaries({q.key: st.sampled_from(q.values) for q in TABLE.questions})
PARTIAL_ANSWERS = st.fixed_dictionaries(
    {}, optional={q.key: st.sampled_from(q.values) for q in TABLE.questions}
)


def assert_valid(rec: Recommendation, table: DecisionTable = TABLE) -> None:
    """The invariants every recommendation must hold, whatever the answers."""
    assert sorted(s.framework for s in rec.ranking) == sorted(table.frameworks)
    for score in rec.ranking:
        assert score.total == sum(c.points for c in score.contributions)
        assert all(c.framework == score.framework for c in score.contributions)
        assert all(rec.answers[c.question] == c.answer for c in score.contributions)
    order = {fw: i for i, fw in enumerate(table.tie_order)}
    keys = [(-s.total, order[s.framework]) for s in rec.ranking]
    assert keys == sorted(keys)
    assert rec.winner == rec.ranking[0].framework
    top_tied = rec.ranking[0].total == rec.ranking[1].total
    assert (rec.tie_break is not None) == top_tied
    assert set(rec.answers) == set(KEYS)


# --- pinned advice ---------------------------------------------------------------------------

SCENARIOS = {
    "all defaults": ({}, "pytorch"),
    "beginner learning": ({"purpose": "learning", "experience": "beginner"}, "keras"),
    "research generative": ({"purpose": "research", "domain": "generative"}, "pytorch"),
    "mobile-edge only": ({"deployment": "mobile-edge"}, "tensorflow"),
    "browser only": ({"deployment": "browser"}, "tensorflow"),
    "research language expert": (
        {"purpose": "research", "domain": "language", "experience": "expert"},
        "pytorch",
    ),
    # Multi-node training outweighs the C++/Java target: train in PyTorch, ship via
    # torch.export/AOTInductor or ONNX Runtime. Pinned so a change here is a deliberate one.
    "production multi-node cpp-java": (
        {"purpose": "production", "distributed": "multi-node", "deployment": "cpp-java"},
        "pytorch",
    ),
    "tabular small beginner": (
        {"domain": "tabular-other", "dataset_size": "small", "experience": "beginner"},
        "keras",
    ),
    "recommender into cpp-java": (
        {"domain": "recommendation", "deployment": "cpp-java"},
        "tensorflow",
    ),
    "production mobile beginner": (
        {"purpose": "production", "deployment": "mobile-edge", "experience": "beginner"},
        "tensorflow",
    ),
    "speech on device": ({"domain": "speech", "deployment": "mobile-edge"}, "tensorflow"),
    "large multi-node language": (
        {"distributed": "multi-node", "dataset_size": "large", "domain": "language"},
        "pytorch",
    ),
    # A learner's browser demo: Keras on the TensorFlow backend converts to TF.js.
    "learning beginner browser": (
        {"purpose": "learning", "experience": "beginner", "deployment": "browser"},
        "keras",
    ),
    # Research prototypes for the edge: ExecuTorch is good enough to outweigh LiteRT's maturity.
    "research mobile-edge": ({"purpose": "research", "deployment": "mobile-edge"}, "pytorch"),
    "multi-gpu research vision": (
        {"purpose": "research", "distributed": "multi-gpu", "domain": "vision"},
        "pytorch",
    ),
}


@pytest.mark.parametrize(("answers", "winner"), SCENARIOS.values(), ids=SCENARIOS.keys())
def test_pinned_scenarios(answers: dict[str, str], winner: str) -> None:
    rec = recommend(answers)
    assert_valid(rec)
    assert rec.winner == winner, [(s.framework, s.total) for s in rec.ranking]


def test_default_answers_give_the_documented_result() -> None:
    rec = recommend(default_answers())
    assert rec == recommend({})
    assert [(s.framework, s.total) for s in rec.ranking] == [
        ("pytorch", 7),
        ("keras", 4),
        ("tensorflow", 3),
    ]
    assert rec.tie_break is None
    # The table's header comment promises this outcome; keep the two in step.
    assert "PyTorch 7, Keras 4, TensorFlow 3 -> PyTorch" in decision.DEFAULT_TABLE_PATH.read_text()


def test_tie_goes_to_tie_order_and_says_why() -> None:
    # Learning with otherwise default answers: PyTorch and Keras both score 7.
    rec = recommend({"purpose": "learning"})
    assert [(s.framework, s.total) for s in rec.ranking][:2] == [("pytorch", 7), ("keras", 7)]
    assert rec.winner == "pytorch"
    assert rec.tie_break is not None
    assert "PyTorch and Keras tie on 7 points" in rec.tie_break
    assert "(PyTorch, Keras, TensorFlow)" in rec.tie_break
    assert "\n" not in rec.tie_break


def test_tie_order_is_fixed_and_documented() -> None:
    assert TABLE.tie_order == ("pytorch", "keras", "tensorflow")
    assert TABLE.tie_reason


# --- invariants over all answers -------------------------------------------------------------


@given(FULL_ANSWERS)
def test_every_full_answer_set_gives_a_valid_ranking(answers: dict[str, str]) -> None:
    rec = recommend(answers)
    assert_valid(rec)
    assert rec.answers == answers


@given(PARTIAL_ANSWERS)
def test_missing_answers_are_filled_with_defaults(answers: dict[str, str]) -> None:
    rec = recommend(answers)
    assert_valid(rec)
    assert rec.answers == {**default_answers(), **answers}


def test_exhaustive_product_of_all_answers() -> None:
    combos = list(itertools.product(*(q.values for q in TABLE.questions)))
    assert (
        len(combos) == math.prod(len(q.choices) for q in TABLE.questions) == 3 * 3 * 4 * 3 * 3 * 6
    )
    winners = set()
    for combo in combos:
        rec = recommend(dict(zip(KEYS, combo, strict=True)))
        assert_valid(rec)
        winners.add(rec.winner)
    # No framework is unreachable: each one is the right answer for someone.
    assert winners == set(TABLE.frameworks)


# --- the table's content ---------------------------------------------------------------------


def test_required_questions_and_frameworks() -> None:
    assert KEYS == ["purpose", "distributed", "deployment", "dataset_size", "experience", "domain"]
    assert len(TABLE.questions) <= decision.MAX_QUESTIONS
    assert TABLE.frameworks == {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "keras": "Keras"}
    assert TABLE.question("deployment").values == (
        "python-service",
        "cpp-java",
        "mobile-edge",
        "browser",
    )


def test_every_question_has_short_one_line_texts_and_a_valid_default() -> None:
    for q in TABLE.questions:
        assert q.default in q.values
        for text in (q.prompt, q.help, *(c.label for c in q.choices)):
            assert text and "\n" not in text
        assert len(q.help) <= 100, q.key
        assert len(q.prompt) <= 40, q.key


def test_no_dead_choices() -> None:
    favoured = {(c.question, c.answer) for c in TABLE.weights}
    for q in TABLE.questions:
        for value in q.values:
            assert (q.key, value) in favoured, f"{q.key}={value} gives no reason to anyone"


def test_reasons_are_one_line_and_positive() -> None:
    for c in TABLE.weights:
        assert c.points > 0
        assert c.reason and "\n" not in c.reason


@pytest.mark.parametrize(
    "phrase",
    ["LiteRT", "ExecuTorch", "torch.export", "TorchScript", "Keras 3", "TF.js", "FSDP", "torchrun"],
)
def test_reasons_state_where_the_2023_picture_changed(phrase: str) -> None:
    updated = [c.reason for c in TABLE.weights if "Since 2023:" in c.reason]
    assert any(phrase in r for r in updated), phrase


# --- validate_answers ------------------------------------------------------------------------


def test_validate_rejects_unknown_question_naming_the_known_ones() -> None:
    with pytest.raises(InvalidAnswerError) as info:
        validate_answers({"budget": "low"})
    message = str(info.value.message)
    assert "'budget'" in message
    assert "purpose, distributed, deployment, dataset_size, experience, domain" in message


def test_validate_rejects_a_value_outside_the_choices() -> None:
    with pytest.raises(InvalidAnswerError) as info:
        validate_answers({"deployment": "mobil"})
    assert info.value.message == (
        "unknown answer 'mobil' for 'deployment'; "
        "choose one of: python-service, cpp-java, mobile-edge, browser"
    )


@pytest.mark.parametrize("bad", [3, True, "", "multi gpu"])
def test_validate_rejects_non_choices_of_any_type(bad: object) -> None:
    with pytest.raises(InvalidAnswerError, match="choose one of: no, multi-gpu, multi-node"):
        validate_answers({"distributed": bad})


def test_recommend_validates_too() -> None:
    with pytest.raises(InvalidAnswerError, match="'domain'"):
        recommend({"domain": "robotics"})


def test_validate_keeps_partial_answers_and_normalises_spelling() -> None:
    assert validate_answers({}) == {}
    assert validate_answers({"Dataset-Size": " Large ", "deployment": "Mobile_Edge"}) == {
        "dataset_size": "large",
        "deployment": "mobile-edge",
    }
    # None is "not answered", so unset CLI options can be passed straight through.
    assert validate_answers({"purpose": None, "domain": "vision"}) == {"domain": "vision"}


# --- loading tables --------------------------------------------------------------------------


def test_default_table_is_cached_and_matches_an_explicit_load() -> None:
    assert load_table() is load_table()
    assert load_table(decision.DEFAULT_TABLE_PATH) == load_table()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken-decision.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = decision.DEFAULT_TABLE_PATH.read_text(encoding="utf-8")
EXTRA_QUESTION = """
[[questions]]
key = "budget"
prompt = "Budget"
help = "One too many."
default = "low"
choices = [{ value = "low", label = "Low" }]
"""
MALFORMED = {
    "default not a choice": (
        GOOD.replace('default = "python-service"', 'default = "cloud"'),
        "questions.deployment.default",
    ),
    "weight names unknown framework": (
        GOOD.replace('framework = "keras"', 'framework = "jax"', 1),
        "weights[3].framework",
    ),
    "weight names unknown answer": (
        GOOD.replace('answer = "browser"', 'answer = "browsr"', 1),
        "'browsr' is not a choice of 'deployment'",
    ),
    "weight names unknown question": (
        GOOD.replace('question = "domain"', 'question = "domian"', 1),
        "unknown question 'domian'",
    ),
    "seven questions": (GOOD + EXTRA_QUESTION, "questions: 7 questions; at most 6"),
    "typo in a key": (GOOD.replace("since_2023 =", "sinse_2023 =", 1), ".sinse_2023: unknown key"),
    "zero points": (GOOD.replace("points = 3", "points = 0", 1), "weights[0].points"),
    "tie order incomplete": (
        GOOD.replace('order = ["pytorch", "keras", "tensorflow"]', 'order = ["pytorch"]'),
        "tie.order",
    ),
    "duplicate choice": (
        GOOD.replace('{ value = "medium"', '{ value = "small"'),
        "questions.dataset_size.choices[1].value",
    ),
    "multi-line help": (
        GOOD.replace('help = "Small data', 'help = """Small\ndata', 1).replace(
            'strong input pipelines and scale-out."', 'strong input pipelines and scale-out."""'
        ),
        "questions.dataset_size.help",
    ),
    "not TOML": (GOOD + "\n[[[broken\n", "file"),
}


@pytest.mark.parametrize(("text", "where"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_table_names_file_and_key(tmp_path: Path, text: str, where: str) -> None:
    assert text != GOOD
    path = _write(tmp_path, text)
    with pytest.raises(ScaffoldError) as info:
        load_table(path)
    assert str(path) in info.value.message
    assert where in info.value.message


def test_missing_table_file(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"nowhere\.toml"):
        load_table(tmp_path / "nowhere.toml")


def test_a_valid_custom_table_is_used(tmp_path: Path) -> None:
    # Swapping the tie order of a copy changes which framework a tie goes to.
    text = GOOD.replace('["pytorch", "keras", "tensorflow"]', '["keras", "pytorch", "tensorflow"]')
    table = load_table(_write(tmp_path, text))
    rec = recommend({"purpose": "learning"}, table)
    assert rec.winner == "keras"
    assert "(Keras, PyTorch, TensorFlow)" in (rec.tie_break or "")


# --- output ----------------------------------------------------------------------------------


def test_to_dict_is_json_ready_and_round_trips() -> None:
    rec = recommend({"deployment": "browser", "experience": "beginner"})
    data = json.loads(json.dumps(rec.to_dict()))
    assert data["winner"] == rec.winner
    assert data["tie_break"] == rec.tie_break
    assert data["answers"] == rec.answers
    assert [(r["framework"], r["total"]) for r in data["ranking"]] == [
        (s.framework, s.total) for s in rec.ranking
    ]
    first = data["ranking"][0]
    assert [c["reason"] for c in first["contributions"]] == [
        c.reason for c in rec.ranking[0].contributions
    ]
    assert set(first["contributions"][0]) == {"question", "answer", "framework", "points", "reason"}


def test_reasons_for_lists_strongest_first() -> None:
    rec = recommend({"deployment": "mobile-edge"})
    reasons = reasons_for(rec, "tensorflow")
    assert reasons[0].startswith("LiteRT is the most mature on-device runtime")
    score = next(s for s in rec.ranking if s.framework == "tensorflow")
    points = {c.reason: c.points for c in score.contributions}
    assert [points[r] for r in reasons] == sorted(points.values(), reverse=True)
    assert reasons_for(rec, "keras")  # the runners-up get their reasons too


def test_reasons_for_unknown_framework() -> None:
    with pytest.raises(InvalidAnswerError, match="choose one of"):
        reasons_for(recommend({}), "jax")


def test_engine_stays_quiet_and_template_free() -> None:
    source = Path(decision.__file__).read_text(encoding="utf-8")
    assert "print(" not in source
    assert "cookiecutter" not in source
    assert "click" not in source
