def test_a_worked_example_file_is_read_as_its_case() -> None:
    """`lossline adjudicate --explain ../shared/cases/p3-kidnapping-window.json` (issue 2)."""
    import subprocess
    import sys
    from pathlib import Path

    shared = Path(__file__).resolve().parents[3] / "shared" / "cases" / "p3-kidnapping-window.json"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "adjudicate", "--explain", str(shared)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "第六条(七)" in done.stdout and "第四条(三)" in done.stdout and "6,094.80" in done.stdout


def test_a_worked_example_with_a_bad_case_names_the_field_under_case() -> None:
    from rules import CaseError, parse_case

    try:
        parse_case({"case": {"policy": {}}, "expect": {}})
    except CaseError as exc:
        assert any(path.startswith("case.policy.") for path, _ in exc.problems)
    else:
        raise AssertionError("a broken example must be refused")
