"""The setup a new user follows stays true: one dependency list, exact pins, the README's commands are what CI
runs, pytest's configuration runs every notebook under nbval, and the README's notebook table matches the files."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines():
    lines = []
    for raw in (ROOT / "requirements.txt").read_text().splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            lines.append(raw)
    return lines


def test_every_requirement_is_pinned_exactly_and_says_who_needs_it():
    lines = requirement_lines()
    assert "-e ." in [ln.split("#")[0].strip() for ln in lines], "requirements.txt must install the package (-e .)"
    for line in lines:
        spec, _, comment = line.partition("#")
        spec = spec.strip()
        if spec == "-e .":
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-]*", spec), f"not an exact pin: {line!r}"
        assert comment.strip(), f"say which notebooks or tools need it: {line!r}"


def test_environment_yml_points_at_requirements_txt_and_adds_no_packages():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*-r requirements\.txt\s*$", text, re.M), (
        "environment.yml must use pip: -r requirements.txt"
    )
    deps = text.split("dependencies:", 1)[1]
    conda_packages = re.findall(r"^  - ([A-Za-z0-9_.=\-]+)\s*$", deps, re.M)
    assert sorted(conda_packages) == ["pip", "python=3.11"], conda_packages


def test_package_dependencies_are_in_the_one_list():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pinned = {ln.split("==")[0].strip().lower() for ln in requirement_lines() if "==" in ln}
    for dep in pyproject["project"]["dependencies"]:
        assert re.split(r"[<>=! ]", dep)[0].lower() in pinned, f"{dep} is not pinned in requirements.txt"


def test_pytest_runs_every_notebook_under_nbval_strict_from_the_repo_config():
    opts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in opts["testpaths"] and "tests" in opts["testpaths"]
    for flag in ("--nbval ", "--nbval-current-env", "--nbval-sanitize-with tests/sanitize.cfg"):
        assert flag in opts["addopts"] + " "
    assert "--nbval-lax" not in opts["addopts"]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^(make \w+)\s*(?:#.*)?$", quick, re.M)


def test_readme_quickstart_is_two_commands_and_ci_runs_the_test_one_verbatim():
    commands = readme_commands()
    assert commands == ["make lab", "make test"], commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must run the README's test command verbatim"
    assert "rm -rf .venv" in ci, ".ci/run must start from a fresh virtual environment"


def test_readme_notebook_table_matches_the_notebooks():
    text = (ROOT / "README.md").read_text()
    listed = re.findall(r"\[(\d\d_[a-z_]+)\]\(notebooks/\1\.ipynb\)", text)
    on_disk = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert listed == sorted(listed), "the table lists the notebooks in reading order"
    assert on_disk == listed, f"README lists {listed}, notebooks/ holds {on_disk}"
