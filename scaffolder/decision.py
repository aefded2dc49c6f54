"""Score PyTorch, TensorFlow and Keras against a user's answers.

Questions, weights and reasons are data in `decision.toml`, so the advice can be
reviewed and changed without touching code; this module only loads, checks and
adds them up. It never prints: the CLI decides how to show a Recommendation.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scaffolder.errors import InvalidAnswerError, ScaffoldError

MAX_QUESTIONS = 6
DEFAULT_TABLE_PATH = Path(__file__).with_name("decision.toml")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_VALUE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    help: str
    default: str
    choices: tuple[Choice, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class Contribution:
    question: str
    answer: str
    framework: str
    points: int
    reason: str


@dataclass(frozen=True)
class Score:
    framework: str
    total: int
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class Recommendation:
    answers: dict[str, str]
    ranking: tuple[Score, ...]
    winner: str
    tie_break: str | None

    def to_dict(self) -> dict[str, Any]:
        # asdict turns the nested tuples into tuples of dicts; json.dumps writes them as lists.
        return {
            "winner": self.winner,
            "tie_break": self.tie_break,
            "answers": dict(self.answers),
            "ranking": [asdict(s) for s in self.ranking],
        }


@dataclass(frozen=True)
class DecisionTable:
    questions: tuple[Question, ...]
    frameworks: dict[str, str]
    tie_order: tuple[str, ...]
    # Weights are kept as ready-made Contributions: scoring is then only a filter on the answers.
    weights: tuple[Contribution, ...] = ()
    tie_reason: str = ""

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        known = ", ".join(q.key for q in self.questions)
        raise InvalidAnswerError(f"unknown question {key!r}; choose one of: {known}")


class _Reader:
    """Checks one table file; every failure names the file and the offending key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> ScaffoldError:
        return ScaffoldError(f"bad decision table {self.path}: {where}: {problem}")

    def table(self, data: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a table")
        # Unknown keys are refused so that a typo such as `sinse_2023` cannot silently drop a note.
        extra = sorted(set(data) - allowed)
        if extra:
            raise self.fail(f"{where}.{extra[0]}", f"unknown key; use {', '.join(sorted(allowed))}")
        return data

    def text(self, data: dict[str, Any], name: str, where: str, optional: bool = False) -> str:
        value = data.get(name)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise self.fail(f"{where}.{name}", "must be a non-empty one-line string")
        return value.strip()

    def items(self, data: dict[str, Any], name: str, where: str) -> list[Any]:
        value = data.get(name)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}.{name}", "must be a non-empty list")
        return value


def _parse(path: Path) -> DecisionTable:
    r = _Reader(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise r.fail("file", str(exc)) from exc
    top = r.table(raw, "top level", {"frameworks", "tie", "questions", "weights"})
    fw_table = top.get("frameworks")
    if not isinstance(fw_table, dict) or not fw_table:
        raise r.fail("frameworks", "must be a table naming at least one framework")
    names = {k: r.text(fw_table, k, "frameworks") for k in fw_table}
    tie = r.table(top.get("tie"), "tie", {"order", "reason"})
    order = r.items(tie, "order", "tie")
    if not all(isinstance(x, str) for x in order) or sorted(order) != sorted(names):
        raise r.fail("tie.order", f"must list each framework once: {', '.join(names)}")

    raw_questions = r.items(top, "questions", "top level")
    if len(raw_questions) > MAX_QUESTIONS:
        raise r.fail("questions", f"{len(raw_questions)} questions; at most {MAX_QUESTIONS}")
    questions: dict[str, Question] = {}
    for i, item in enumerate(raw_questions):
        q = r.table(item, f"questions[{i}]", {"key", "prompt", "help", "default", "choices"})
        key = r.text(q, "key", f"questions[{i}]")
        where = f"questions.{key}"
        if not _KEY.fullmatch(key) or key in questions:
            raise r.fail(f"{where}.key", "must be a unique snake_case name")
        choices: dict[str, Choice] = {}
        for j, item_c in enumerate(r.items(q, "choices", where)):
            c = r.table(item_c, f"{where}.choices[{j}]", {"value", "label"})
            value = r.text(c, "value", f"{where}.choices[{j}]")
            if not _VALUE.fullmatch(value) or value in choices:
                raise r.fail(f"{where}.choices[{j}].value", f"{value!r} must be unique kebab-case")
            choices[value] = Choice(value, r.text(c, "label", f"{where}.choices[{j}]"))
        default = r.text(q, "default", where)
        if default not in choices:
            raise r.fail(f"{where}.default", f"{default!r} is not one of its choices")
        prompt, help_ = r.text(q, "prompt", where), r.text(q, "help", where)
        questions[key] = Question(key, prompt, help_, default, tuple(choices.values()))

    weights: dict[tuple[str, str, str], Contribution] = {}
    for i, item in enumerate(top.get("weights") or []):
        where = f"weights[{i}]"
        allowed = {"question", "answer", "framework", "points", "reason", "since_2023"}
        w = r.table(item, where, allowed)
        qkey, answer, fw = (r.text(w, n, where) for n in ("question", "answer", "framework"))
        if qkey not in questions:
            raise r.fail(f"{where}.question", f"unknown question {qkey!r}")
        if answer not in questions[qkey].values:
            raise r.fail(f"{where}.answer", f"{answer!r} is not a choice of {qkey!r}")
        if fw not in names:
            raise r.fail(f"{where}.framework", f"unknown framework {fw!r}")
        points = w.get("points")
        # Positive only: every reason argues *for* a framework; reasons_for never shows a penalty.
        if not isinstance(points, int) or isinstance(points, bool) or points < 1:
            raise r.fail(f"{where}.points", "must be a positive integer")
        if (qkey, answer, fw) in weights:
            raise r.fail(where, f"second weight for {qkey}={answer} -> {fw}")
        reason, note = r.text(w, "reason", where), r.text(w, "since_2023", where, optional=True)
        # The note is folded into the reason so every caller shows it without knowing it exists.
        text = f"{reason} Since 2023: {note}" if note else reason
        weights[qkey, answer, fw] = Contribution(qkey, answer, fw, points, text)
    # Question order, not file order, so a Score's contributions read like the interview did.
    position = {key: i for i, key in enumerate(questions)}
    ordered = tuple(sorted(weights.values(), key=lambda c: position[c.question]))
    tie_reason = r.text(tie, "reason", "tie")
    return DecisionTable(tuple(questions.values()), names, tuple(order), ordered, tie_reason)


@functools.cache
def _default_table() -> DecisionTable:
    return _parse(DEFAULT_TABLE_PATH)


def load_table(path: Path | None = None) -> DecisionTable:
    return _default_table() if path is None else _parse(Path(path))


def default_answers(table: DecisionTable | None = None) -> dict[str, str]:
    return {q.key: q.default for q in (table or load_table()).questions}


def validate_answers(
    answers: Mapping[str, object], table: DecisionTable | None = None
) -> dict[str, str]:
    """Check and normalise answers. None means "not answered", so unset CLI options can pass."""
    table = table or load_table()
    result: dict[str, str] = {}
    for raw_key, raw_value in answers.items():
        if raw_value is None:
            continue
        # Accept `dataset-size` or `Multi_GPU` too: flags and answers files spell things loosely.
        question = table.question(str(raw_key).strip().lower().replace("-", "_"))
        value = str(raw_value).strip().lower().replace("_", "-")
        if value not in question.values:
            allowed = ", ".join(question.values)
            raise InvalidAnswerError(
                f"unknown answer {str(raw_value)!r} for {question.key!r}; choose one of: {allowed}"
            )
        result[question.key] = value
    return result


def recommend(
    answers: Mapping[str, str],
    table: DecisionTable | None = None,
    allowed: Collection[str] | None = None,
) -> Recommendation:
    """Rank the frameworks (only the `allowed` ones, when a team policy limits them)."""
    table = table or load_table()
    given = validate_answers(answers, table)
    full = {q.key: given.get(q.key, q.default) for q in table.questions}
    scores = []
    for fw in table.frameworks:
        if allowed is not None and fw not in allowed:
            continue
        rows = tuple(c for c in table.weights if c.framework == fw and full[c.question] == c.answer)
        scores.append(Score(fw, sum(c.points for c in rows), rows))
    rank = {fw: i for i, fw in enumerate(table.tie_order)}
    ranking = tuple(sorted(scores, key=lambda s: (-s.total, rank[s.framework])))
    tied = [table.frameworks[s.framework] for s in ranking if s.total == ranking[0].total]
    tie_break = None
    if len(tied) > 1:
        order = ", ".join(table.frameworks[fw] for fw in table.tie_order)
        tie_break = (
            f"{', '.join(tied[:-1])} and {tied[-1]} tie on {ranking[0].total} points; {tied[0]} "
            f"goes first by the fixed tie order ({order}) because {table.tie_reason}."
        )
    return Recommendation(full, ranking, ranking[0].framework, tie_break)


def reasons_for(rec: Recommendation, framework: str) -> list[str]:
    for score in rec.ranking:
        if score.framework == framework:
            # sorted() is stable, so reasons with equal points keep the question order.
            strongest = sorted(score.contributions, key=lambda c: -c.points)
            return [c.reason for c in strongest if c.points > 0]
    known = ", ".join(s.framework for s in rec.ranking)
    raise InvalidAnswerError(f"unknown framework {framework!r}; choose one of: {known}")
