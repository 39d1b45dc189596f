"""Course assignments: release student copies of the notebooks and grade completed ones.

``python -m backprop_lib release OUTDIR`` and ``python -m backprop_lib grade PATH --out REPORTDIR``;
the instructors' guide is INSTRUCTORS.md. Markers and metadata are nbgrader's (see ``markers``).
"""
from .grade import (DEFAULT_TIMEOUT, ExerciseResult, NotebookGrade, QuizScore, discover, grade_main,
                    grade_notebook, grade_path)
from .markers import MarkerError, plan_notebook, strip_hidden_tests, strip_solution
from .release import release_file, release_folder, release_main, release_notebook
from .report import student_report, write_reports

__all__ = ["DEFAULT_TIMEOUT", "ExerciseResult", "MarkerError", "NotebookGrade", "QuizScore", "discover",
           "grade_main", "grade_notebook", "grade_path", "plan_notebook", "release_file", "release_folder",
           "release_main", "release_notebook", "strip_hidden_tests", "strip_solution", "student_report",
           "write_reports"]
