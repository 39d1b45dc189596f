"""Tests for backprop_lib.quiz: keys, scoring, the log, the widget form and the plain-text fallback."""

import hashlib
import itertools
import json

import pytest

from backprop_lib import quiz as quiz_module
from backprop_lib.quiz import QUIZ_LOG, Quiz, QuizResult, quiz_key, quiz_key_main, quiz_seal

QUESTION = "The number of neurons in layer $l-1$ is the same as"
OPTIONS = ["the number of rows of $W^l$", "the number of columns of $W^l$",
           "the number of elements of $W^l$", "the length of $b^{l-1}$"]
CORRECT = [1, 3]


def make(penalty=5, points=10, correct=CORRECT, **kwargs):
    return Quiz("2.1", QUESTION, options=OPTIONS, key=quiz_key("2.1", correct),
                penalty=penalty, points=points, **kwargs)


@pytest.fixture(autouse=True)
def empty_log():
    QUIZ_LOG.clear()
    yield
    QUIZ_LOG.clear()


# --- answers -----------------------------------------------------------------------------------------

def test_correct_set_is_accepted_in_any_order(capsys):
    q = make()
    result = q.answer([3, 1])
    assert isinstance(result, QuizResult)
    assert result.ok and result.score == 10 and q.score == 10
    assert result.require() is result
    assert capsys.readouterr().out == "Quiz 2.1: [1, 3] is correct. Score 10/10 (0 wrong tries before).\n"


@pytest.mark.parametrize("wrong", [[0], [2], [0, 2], [0, 1, 2, 3], [0, 1, 3]])
def test_wrong_sets_are_rejected(wrong):
    q = make()
    result = q.answer(wrong)
    assert not result.ok and q.score == 0 and not q.solved
    with pytest.raises(AssertionError, match=r"not correct"):
        result.require()


@pytest.mark.parametrize("partial", [[1], [3], 1, 3])
def test_partial_set_one_of_two_correct_is_rejected(partial):
    q = make()
    assert not q.answer(partial).ok
    assert q.wrong_tries == 1


def test_single_correct_option_given_as_int():
    q = make(correct=[2])
    assert not q.answer(1).ok
    assert q.answer(2).ok


# --- scoring -----------------------------------------------------------------------------------------

def test_penalties_accumulate_per_wrong_try_before_first_right():
    q = make(penalty=3, points=10)
    q.answer([0])
    q.answer([1])
    assert q.score == 0  # never right yet
    assert q.answer(CORRECT).score == 10 - 2 * 3
    # tries after the first right one are logged but change nothing
    q.answer([0])
    q.answer(CORRECT)
    assert q.score == 4 and q.wrong_tries == 2 and q.tries == 5


def test_score_floors_at_zero():
    q = make(penalty=4, points=10)
    for _ in range(3):
        q.answer([0])
    assert q.answer(CORRECT).ok
    assert q.score == 0  # 10 - 12 floored


def test_score_is_zero_when_never_right():
    q = make(penalty=0, points=10)
    for wrong in ([0], [2], [0, 2]):
        q.answer(wrong)
    assert q.score == 0


def test_every_try_is_logged():
    q = make()
    q.answer([0])
    q.answer([3, 1])
    assert QUIZ_LOG == [
        {"quiz": "2.1", "choice": [0], "ok": False, "source": "code", "score": 0},
        {"quiz": "2.1", "choice": [1, 3], "ok": True, "source": "code", "score": 5},
    ]


# --- keys ---------------------------------------------------------------------------------------------

def test_key_does_not_reveal_the_answer():
    key = quiz_key("2.1", CORRECT)
    obvious = ["1,3", "1 3", "[1, 3]", "13", "0101", "1010", "b,d", "bd", str(0b1010), "2,4"]
    for text in obvious:
        assert text not in key
        assert key != text
    # neither an unsalted hash of the indices nor of the id and indices
    for text in ["1,3", "[1, 3]", "2.1|1,3", "2.1:1,3"]:
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert digest[:32] not in key
    # the key depends on the quiz id and on the set, not on the order of the indices
    assert quiz_key("2.2", CORRECT) != key
    assert quiz_key("2.1", [1]) != key
    assert quiz_key("2.1", [3, 1]) == key
    keys = {quiz_key("2.1", subset) for r in (1, 2, 3) for subset in itertools.combinations(range(4), r)}
    assert len(keys) == 4 + 6 + 4


def test_key_of_another_quiz_is_refused():
    with pytest.raises(ValueError, match=r"quiz 2\.1: key .* matches no set of its 4 options"):
        Quiz("2.1", QUESTION, options=OPTIONS, key=quiz_key("2.2", CORRECT))
    with pytest.raises(ValueError, match=r"matches no set"):  # index 5 does not exist among 4 options
        Quiz("2.1", QUESTION, options=OPTIONS, key=quiz_key("2.1", [1, 5]))


def test_source_and_bundle_do_not_contain_the_correct_indices():
    q = make()
    state = json.dumps(q._repr_mimebundle_())
    assert quiz_key("2.1", CORRECT) not in state
    assert "correct" not in q.text().replace("may be correct", "")


# --- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, pattern", [
    (dict(options=[]), r"expected 2\.\.12 options, got 0"),
    (dict(options=["only one"]), r"got 1"),
    (dict(options="ab"), r"options must be a list"),
    (dict(options=["a", ""]), r"option 1 must be a non-empty string"),
    (dict(key="1,3"), r"key must look like 'qk1:'"),
    (dict(key="qk1:" + "0" * 31), r"key must look like"),
    (dict(key=None), r"key must look like"),
    (dict(penalty=-1), r"penalty must be a non-negative int, got -1"),
    (dict(points=2.5), r"points must be a non-negative int"),
    (dict(quiz_id=""), r"quiz id must be a non-empty string"),
    (dict(quiz_id=2.1), r"quiz id must be a non-empty string"),
    (dict(question="  "), r"question must be a non-empty string"),
])
def test_bad_construction_raises_clear_value_error(kwargs, pattern):
    args = dict(quiz_id="2.1", question=QUESTION, options=["a", "b", "c"], key=quiz_key("2.1", [0]))
    args.update(kwargs)
    with pytest.raises(ValueError, match=pattern):
        Quiz(**args)


@pytest.mark.parametrize("choice, pattern", [
    ([], r"choice is empty"),
    ([4], r"option index 4 is out of range; expected in 0\.\.3"),
    ([-1], r"option index -1 is out of range"),
    ([1, 1], r"option index \[1\] given more than once"),
    (["1"], r"must be an int, got '1'"),
    ("13", r"got the string"),
    ([True], r"got the bool"),
    ([1.0], r"must be an int, got 1\.0"),
])
def test_bad_answers_raise_and_are_not_logged(choice, pattern):
    q = make()
    with pytest.raises(ValueError, match=pattern):
        q.answer(choice)
    assert QUIZ_LOG == [] and q.tries == 0


@pytest.mark.parametrize("bad", [[], [0, 0], [-2], ["x"]])
def test_quiz_key_validates(bad):
    with pytest.raises(ValueError):
        quiz_key("2.1", bad)


# --- sealed explanation -------------------------------------------------------------------------------

def test_sealed_explanation_opens_only_with_the_right_set():
    text = "Column k of $W^l$ holds the weights out of neuron k of layer l-1."
    sealed = quiz_seal("2.1", CORRECT, text)
    assert sealed.startswith("qs1:") and "Column" not in sealed
    assert quiz_module._unseal("2.1", (1, 3), sealed) == text
    assert quiz_module._unseal("2.1", (1,), sealed) is None
    assert quiz_module._unseal("2.2", (1, 3), sealed) is None
    q = make(explanation=sealed)
    assert q.answer([1]).explanation == ""
    assert q.answer([1, 3]).explanation == text


def test_explanation_sealed_for_another_set_is_reported():
    q = make(explanation=quiz_seal("2.1", [1], "text"))
    with pytest.raises(ValueError, match=r"sealed explanation does not open"):
        q.answer(CORRECT)


# --- text and widget ----------------------------------------------------------------------------------

def test_plain_text_has_question_and_numbered_options():
    q = make(shownext=True)
    text = str(q)
    assert text.splitlines()[0] == "Quiz 2.1 (10 points, -5 per wrong try; one or more options may be correct)"
    assert QUESTION in text
    for i, option in enumerate(OPTIONS):
        assert f"  [{i}] {option}" in text
    assert "Answer this before reading on." in text
    assert "before reading on" not in str(make(shownext=False))
    assert repr(q) == text


def test_mime_bundle_is_text_plus_widget_view_and_deterministic():
    a, b = make()._repr_mimebundle_(), make()._repr_mimebundle_()
    assert set(a) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
    assert a["text/plain"] == b["text/plain"]
    assert a["application/vnd.jupyter.widget-view+json"]["model_id"] != \
        b["application/vnd.jupyter.widget-view+json"]["model_id"]


def test_widget_click_checks_and_updates_feedback():
    import ipywidgets

    q = make(penalty=5, explanation="Each column of $W^l$ belongs to one neuron of layer $l-1$.",
             shownext=True)
    box = q.widget()
    view = q._view
    assert isinstance(box, ipywidgets.VBox) and q.widget() is box
    assert len(view.checkboxes) == len(OPTIONS)
    assert view.explanation.value == "" and view.explanation.layout.display == "none"
    assert isinstance(view.explanation, ipywidgets.HTMLMath)
    # nothing ticked: a hint, not a try
    view.button.click()
    assert "Tick at least one option" in view.feedback.value and q.tries == 0
    # one of the two correct options: wrong
    view.checkboxes[1].value = True
    view.button.click()
    assert view.feedback.value.startswith("✘") and "[1] is not correct" in view.feedback.value
    assert view.status.value == "tries 1, wrong before solving 1; score 0/10 (open)"
    assert view.explanation.value == ""
    # both correct options: right, explanation revealed
    view.checkboxes[3].value = True
    view.button.click()
    assert view.feedback.value.startswith("✔") and "[1, 3] is correct" in view.feedback.value
    assert view.status.value == "tries 2, wrong before solving 1; score 5/10 (solved)"
    assert "Each column of $W^l$" in view.explanation.value and view.explanation.layout.display is None
    assert [entry["source"] for entry in QUIZ_LOG] == ["widget", "widget"]
    assert q.score == 5


def test_code_answer_updates_a_widget_already_shown_and_one_built_later():
    q = make()
    q.widget()
    q.answer([0])
    assert "[0] is not correct" in q._view.feedback.value
    late = make(explanation="why")
    late.answer(CORRECT)
    late.widget()
    assert "is correct" in late._view.feedback.value and late._view.explanation.value == "why"


def test_math_and_html_in_question_reach_the_widget_escaped():
    q = Quiz("9.9", "Is $a < b$ & $c$?", options=["<b>yes</b>", "no"], key=quiz_key("9.9", [1]))
    q.widget()
    title = q._view.box.children[0].value
    assert "$a &lt; b$ &amp; $c$" in title
    option_html = q._view.box.children[2].children[1].value
    assert option_html == "&lt;b&gt;yes&lt;/b&gt;"


# --- command line -------------------------------------------------------------------------------------

def test_quiz_key_main_prints_key_and_sealed_text(capsys):
    assert quiz_key_main(["2.1", "3", "1"]) == 0
    assert capsys.readouterr().out == quiz_key("2.1", CORRECT) + "\n"
    assert quiz_key_main(["2.1", "1", "3", "--seal", "hello"]) == 0
    key, sealed = capsys.readouterr().out.splitlines()
    assert key == quiz_key("2.1", CORRECT) and quiz_module._unseal("2.1", (1, 3), sealed) == "hello"


@pytest.mark.parametrize("argv", [["2.1", "x"], ["2.1", "1", "1"], ["2.1", "-1"], ["2.1"]])
def test_quiz_key_main_rejects_bad_arguments(argv, capsys):
    assert quiz_key_main(argv) == 2
    assert capsys.readouterr().out == ""
