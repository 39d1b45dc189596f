"""Command line: python -m backprop_lib {verify, release, grade, quiz-key} ...

  workbook [DIR]            write your own copy of the series to work in (default workbook/)
  verify [--json]           check every equation of the four source derivations (the ledger; notebook 07)
  release OUTDIR            build student copies of every notebook (INSTRUCTORS.md)
  grade PATH --out DIR      grade a completed notebook or a folder of them (INSTRUCTORS.md)
  quiz-key ID INDEX...      the answer key to write into a Quiz(...) cell (CONTRIBUTING.md)
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
        from .assignment import release_main as run
    elif command == "grade":
        from .assignment import grade_main as run
    elif command == "quiz-key":
        from .quiz import quiz_key_main as run
    else:
        print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
        return 2
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
