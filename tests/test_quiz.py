"""Quizzes as data (backprop_lib/course/quiz.py, quizzes/chNN.json): keys, notes, feedback, static scoring."""

import importlib
import json

import pytest

from backprop_lib.course.quiz import Quiz, all_quizzes, answer, author, score_answer_source
from backprop_lib.verdict import CheckFailed

q = importlib.import_module("backprop_lib.course.quiz")  # the module (backprop_lib.course.quiz is the function)
QUIZZES = all_quizzes()


def test_every_notebook_quiz_is_well_formed():
    assert len(QUIZZES) >= 2 * 8
    for qid, quiz in QUIZZES.items():
        right, explanation = quiz.solution()  # the key opens exactly one set
        assert right and explanation, qid
        assert 2 <= len(quiz.options) <= 8 and quiz.points > 0
        for i in range(len(quiz.options)):
            if i not in right:
                assert not quiz.judge([i]).ok


@pytest.mark.parametrize("qid", list(QUIZZES))
def test_the_right_set_is_right_and_each_wrong_option_is_named(qid):
    quiz = QUIZZES[qid]
    right, _ = quiz.solution()
    assert quiz.judge(right).ok and quiz.judge(right).points == quiz.points
    for i in range(len(quiz.options)):
        if i not in right:
            outcome = quiz.judge(sorted({*right, i}))
            assert not outcome.ok and outcome.points == 0
            assert f"Option {i} is wrong" in outcome.message
    if len(right) > 1:
        partial = quiz.judge(right[:1])
        assert not partial.ok and "one more option is right" in partial.message


def test_nothing_readable_gives_the_answer_away():
    """The data file holds no right set in plain sight: a salted key, per-option marks, sealed texts."""
    for path in q._DATA.glob("ch*.json"):
        for qid, data in json.loads(path.read_text()).items():
            assert set(data) == {"question", "options", "points", "key", "marks", "explanation", "notes"}
            assert data["key"].startswith("qk2:") and data["explanation"].startswith("s2:")
            right, explanation = Quiz.load(qid).solution()
            assert explanation not in path.read_text()


def test_the_key_depends_on_the_quiz_id_and_the_set():
    entry = author("9.9", "?", ["a", "b", "c"], [0, 2], "because")
    other_id = author("9.8", "?", ["a", "b", "c"], [0, 2], "because")
    other_set = author("9.9", "?", ["a", "b", "c"], [0, 1], "because")
    assert entry["key"] != other_id["key"] and entry["key"] != other_set["key"]
    assert author("9.9", "?", ["a", "b", "c"], [2, 0], "because") == entry  # deterministic, order-free


def test_an_empty_answer_is_not_answered_and_does_not_raise():
    outcome = answer("3.1", [])
    assert not outcome.ok and not outcome.answered and "not answered yet" in outcome.message


@pytest.mark.parametrize("bad", [["1"], [True], [-1], [99], [0, 0], "0, 1", 1.5])
def test_a_malformed_answer_is_a_brief_error(bad):
    with pytest.raises(CheckFailed) as info:
        answer("3.1", bad)
    assert info.value.lines[0].startswith("✘ quiz 3.1") and len(info.value.lines) == 1


@pytest.mark.parametrize("bad", ["9.9", "x", 3.1])
def test_an_unknown_quiz_is_named(bad):
    with pytest.raises(ValueError, match="quiz"):
        Quiz.load(bad)


def test_grading_reads_the_answer_cell_without_running_it():
    right, _ = QUIZZES["3.1"].solution()
    assert score_answer_source("3.1", f'answer("3.1", {right})').ok
    assert not score_answer_source("3.1", 'answer("3.1", [])').ok
    wrong = score_answer_source("3.1", 'answer("3.1", [0])')
    assert not wrong.ok and wrong.answered
    # code that would compute the right answer, or patch anything, scores nothing: it is never run
    sneaky = score_answer_source("3.1", f'import builtins\nanswer("3.1", list({right}))')
    assert not sneaky.ok and "list such as" in sneaky.message
    assert not score_answer_source("3.1", "answer(").ok  # not Python at all
    assert not score_answer_source("3.1", 'answer("3.2", [0])').ok  # another quiz's line
    last = score_answer_source("3.1", f'answer("3.1", [0])\nanswer("3.1", {right})')
    assert last.ok, "the last answer line counts"


def test_dump_and_store_round_trip_byte_for_byte(tmp_path, monkeypatch):
    original = (q._DATA / "ch03.json").read_text(encoding="utf-8")
    plain = q.dump_chapter(3)
    monkeypatch.setattr(q, "_DATA", tmp_path)
    path = q.store_chapter(plain)
    q._bank.cache_clear()
    assert json.loads(path.read_text()) == json.loads(original)


def test_the_html_form_reveals_only_inside_details():
    html = QUIZZES["3.1"].to_html(reveal=True)
    assert html.count("<details>") == 1 and "Show the answer" in html
    assert "<details>" not in QUIZZES["3.1"].to_html(reveal=False)
    assert "<script" not in html
