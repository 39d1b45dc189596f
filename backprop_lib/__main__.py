"""Command line: python -m backprop_lib {workbook, verify, release, grade, quizzes} ...

workbook [DIR]            write your own copy of the series to work in (default workbook/)
verify [--json]           check every equation of the four source derivations (the ledger; notebook 07)
release OUTDIR            build student copies of every notebook (INSTRUCTORS.md)
grade PATH --out DIR      grade a completed notebook or a folder of them, each in a sandbox (INSTRUCTORS.md)
quizzes dump NN | store F the quizzes of notebook NN as editable JSON, and back (CONTRIBUTING.md)
"""

import sys

USAGE = __doc__


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "workbook":
        from .course.workbook import workbook_main as run
    elif command == "verify":
        from .symbolic.ledger import main as verify

        return verify(argv)  # the ledger's main takes the subcommand name too
    elif command == "release":
        from .course.release import release_main as run
    elif command == "grade":
        from .course.grade import grade_main as run
    elif command == "quizzes":
        from .course.quiz import quizzes_main as run
    else:
        print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
        return 2
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
