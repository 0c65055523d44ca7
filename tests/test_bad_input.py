"""Each kind of bad input: exit code 1, one line naming path and line, outputs left as they were.

Each file in tests/data/invalid/ (YAML, or Turtle for what only RDF sources can say) says on its first
line where the error must point and a fragment of the message: ``# error at line N: fragment``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import TESTDATA
from coopgraph.cli import main

INVALID = sorted([*(TESTDATA / "invalid").glob("*.yaml"), *(TESTDATA / "invalid").glob("*.ttl")])
EXPECTATION = re.compile(rb"^# error at line (\d+): (.+)$")


def _expectation(path: Path) -> tuple[int, str]:
    first = path.read_bytes().splitlines()[0]
    match = EXPECTATION.match(first)
    assert match, f"{path.name}: first line must say '# error at line N: fragment'"
    return int(match.group(1)), match.group(2).decode("utf-8")


def test_every_case_of_the_issue_has_a_fixture():
    names = {p.stem for p in INVALID}
    assert names >= {
        "yaml-syntax", "unknown-key", "unknown-institution", "duplicate-id", "malformed-date",
        "end-before-start", "unknown-language", "wrong-kind", "empty", "not-utf8",
        # issue 15, item 8: closed shapes (YAML and Turtle), dates of RDF sources, classes of links and types
        "misspelt-predicate", "property-of-another-kind", "status-as-of-words", "link-to-wrong-kind",
        "misspelt-class", "visitor-of-a-meeting",
    }


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_bad_input_names_file_and_line_and_leaves_outputs(case: Path, data_copy: Path, tmp_path: Path, capsys):
    line, fragment = _expectation(case)
    target = data_copy / "sources" / case.name
    shutil.copy(case, target)
    out = tmp_path / "out"
    out.mkdir()
    (out / "coop.ttl").write_bytes(b"previous turtle")
    (out / "coop.trig").write_bytes(b"previous trig")

    code = main(["build", str(data_copy), "-o", str(out)])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert f"{target}:{line}: " in err[0], err[0]
    assert fragment in err[0], err[0]
    assert "Traceback" not in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["coop.trig", "coop.ttl"]
    assert (out / "coop.ttl").read_bytes() == b"previous turtle"
    assert (out / "coop.trig").read_bytes() == b"previous trig"


def test_validate_command_reports_the_same_line(data_copy: Path, capsys):
    case = TESTDATA / "invalid" / "wrong-kind.yaml"
    shutil.copy(case, data_copy / "sources" / case.name)
    assert main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{data_copy / 'sources' / case.name}:12: 'person-hosted-visit': a host is an institution" in err


def test_missing_path_is_bad_input(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build", "--no-such-option"])
    assert exc.value.code == 2
