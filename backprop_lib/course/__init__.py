"""The course tooling: what a student uses in the notebooks and what an instructor uses to grade them.

check("3.1"), solution("3.1")   exercise checks, one module per notebook (exercises/chNN.py)
quiz("3.1"), answer("3.1", [..]) quizzes, their data in quizzes/chNN.json
progress()                      what is done and right in the student's workbook
strip, workbook                 the student's copy of every notebook (`python -m backprop_lib workbook`)
release, grade                  the instructor's side (INSTRUCTORS.md)
encode                          the plain data that crosses between a student's kernel and the judge
"""

from .exercises import check, solution
from .quiz import answer, quiz
from .workbook import progress

__all__ = ["answer", "check", "progress", "quiz", "solution"]
