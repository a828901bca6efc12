"""The conventions of a well-kept CLI (gh, sqlite-utils, hledger): shell completion, global
options anywhere, -f/--format everywhere, standard input, exit codes, advice that leads
somewhere, questions before large undos, words that agree with their counts, a command
reference generated from --help."""

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ecoport.cli.app import app
from ecoport.words import no_match, noun, plural
from tests.conftest import Run, dump, query
from tests.test_cli import MIDEA, one_error_line

ROOT = Path(__file__).resolve().parent.parent
GLOBAL = ("--db", "--quiet", "--actor", "--wait")


def commands() -> dict[str, Any]:
    """Every command that runs (not the groups), by its path: ``stakes list``."""
    found: dict[str, Any] = {}

    def walk(prefix: str, cmd: Any) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found[prefix] = cmd

    walk("", typer.main.get_command(app))
    return found


COMMANDS = commands()


def options_of(path: str) -> set[str]:
    """Every option a command accepts (its own, the global ones, --help)."""
    cmd = COMMANDS[path]
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"-h", "--help"}


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def stakes_csv(path: Path, rows: int = 2) -> Path:
    lines = ["investor,startup,sector,date"]
    lines += [f"Fund {i},Startup {i},iot,2015" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- shell completion --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "needle"),
    [("bash", "complete -o default -F"), ("zsh", "compdef"), ("fish", "complete --command")],
)
def test_completion_scripts_for_each_shell(
    monkeypatch: pytest.MonkeyPatch, shell: str, needle: str
) -> None:
    # Typer detects the running shell; this switch of its own makes the shell an argument
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="ecoport")
    assert result.exit_code == 0, result.output
    assert needle in result.stdout and "_ECOPORT_COMPLETE" in result.stdout


def test_completion_completes_commands_options_and_choices() -> None:
    def complete(words: str) -> list[str]:
        env = {
            "_ECOPORT_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        result = CliRunner().invoke(app, [], env=env, prog_name="ecoport")
        return result.stdout.split()

    assert complete("ecoport sta") == ["stakes"]
    assert set(complete("ecoport stakes ")) >= {"list", "show", "edit", "remove"}
    assert "--format" in complete("ecoport stakes list --f")
    assert complete("ecoport stakes list --format ") == ["table", "json", "csv"]
    assert "--quiet" in complete("ecoport target list --q")  # a global option, after


def test_the_readme_says_how_to_install_completion() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--install-completion" in readme and "--show-completion" in readme
    for shell in ("bash", "zsh", "fish"):
        assert shell in readme


# -- global options before or after the command ------------------------------------------


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_global_options_come_before_or_after_every_command(run: Run, path: str) -> None:
    words = path.split()
    given = ["-q", "--actor", "alice", "--wait", "1", "--db", "x.db"]
    for args in ([*given, *words, "--help"], [*words, *given, "--help"]):
        assert ok(run(*args)).startswith(f"Usage: ecoport {path}"), args
    assert set(GLOBAL) <= options_of(path)
    # a bad value of one is a usage error, after the command too
    one_error_line(run(*words, "--wait", "-1"), "--wait")


def test_global_options_after_the_command_take_effect(run: Run, seeded: Path) -> None:
    noted = run("target", "set", "120", "--investor", "Xiaomi")
    assert noted.stderr.startswith("Target of Xiaomi: 120")
    quiet = run("target", "set", "130", "--investor", "Xiaomi", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    ok(run("--actor", "bob", "target", "set", "140", "--investor", "Xiaomi", "--actor", "alice"))
    ok(run("target", "set", "150", "--investor", "Xiaomi", "--actor", "carol"))
    log = json.loads(ok(run("log", "-f", "json")))["changes"]
    assert [c["actor"] for c in log[-2:]] == ["alice", "carol"]  # after the command wins
    other = seeded.parent / "other.db"
    ok(run("init", "--db", str(other)))
    assert ok(run("db", "path", "-q", "--db", str(other))).strip() == str(other)
    assert json.loads(ok(run("target", "list", "-f", "json", "--db", str(other)))) == {
        "targets": []
    }


def test_help_lists_the_global_options_apart(run: Run) -> None:
    text = ok(run("stakes", "edit", "--help"))
    own, _, shared = text.partition("Global options (before or after the command):")
    assert "--note" in own and "--quiet" not in own and "--db" not in own
    for flag in GLOBAL:
        assert flag in shared


# -- -f/--format everywhere --------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_takes_format_case_insensitively(path: str) -> None:
    (param,) = [p for p in COMMANDS[path].params if "--format" in p.opts]
    assert "-f" in param.opts, path
    info = param.type_descriptor
    assert "json" in [c.value for c in info.annotation], path
    assert info.parameter_info.case_sensitive is False, path


@pytest.mark.usefixtures("seeded")
def test_format_in_capitals_and_records_of_changes(run: Run) -> None:
    assert json.loads(ok(run("progress", "--format", "JSON")))["investors"]
    assert ok(run("config", "show", "-f", "CSV")).startswith("key,value,default")
    edited = json.loads(ok(run("stakes", "edit", "1", "--note", "checked", "-f", "json")))
    assert edited["id"] == 1 and edited["note"] == "checked"
    renamed = json.loads(ok(run("companies", "rename", "Zimi", "Zimi Tech", "-f", "json")))
    assert renamed == {"company": "Zimi Tech", "was": "Zimi"}
    removed = ok(run("stakes", "remove", "2", "--yes", "-f", "csv")).splitlines()
    assert removed[0].startswith("id,date,investor") and removed[1].startswith("2,")
    undone = json.loads(ok(run("undo", "-f", "json")))
    assert undone["summary"] == "1 stake added"
    assert json.loads(ok(run("db", "path", "-f", "json")))["origin"] == "ECOPORT_DB"


# -- import: its own options, standard input ---------------------------------------------


def test_import_summary_takes_format_and_the_old_spellings_warn(run: Run, tmp_path: Path) -> None:
    file = stakes_csv(tmp_path / "s.csv")
    summary = json.loads(ok(run("import", str(file), "-f", "json", "--dry-run")))
    assert summary["stakes_added"] == 2 and summary["format"] == "csv"
    rows = ok(run("import", str(file), "-f", "csv", "--dry-run")).splitlines()
    assert rows[0].startswith("file,format,rows_read") and len(rows) == 2
    old = run("import", str(file), "--json", "--dry-run")
    assert json.loads(old.stdout)["stakes_added"] == 2
    assert old.stderr.strip() == "warning: --json is deprecated; write -f json"
    # the file's name tells no format: --format yaml is the input's, as before, with a warning
    yaml_file = tmp_path / "stakes.data"
    yaml_file.write_text("stakes:\n- {investor: A, startup: B, sector: iot, date: '2015'}\n")
    kept = run("import", str(yaml_file), "--format", "yaml", "--dry-run")
    assert kept.exit_code == 0 and "warning: --format yaml taken as the input's" in kept.stderr
    assert "--input-format yaml" in kept.stderr
    assert "Would import" in kept.stdout
    assert ok(run("import", str(yaml_file), "--input-format", "YAML", "-f", "json", "--dry-run"))
    both = run("import", str(file), "--json", "-f", "csv")
    one_error_line(both, "--json", "not both")
    assert both.exit_code == 2


def test_import_reads_standard_input(run: Run, isolated: Path, tmp_path: Path) -> None:
    text = stakes_csv(tmp_path / "s.csv", 3).read_text()
    missing = run("import", "-", input=text)
    one_error_line(missing, "--input-format", "standard input")
    assert missing.exit_code == 2
    done = run("import", "-", "--input-format", "csv", "-f", "json", input=text)
    summary = json.loads(ok(done))
    assert summary["file"] == "<stdin>" and summary["stakes_added"] == 3
    assert query(isolated, "SELECT COUNT(*) FROM stake") == [(3,)]
    bad = run("import", "-", "--input-format", "csv", input="investor,startup,date\nA,B,2099\n")
    assert bad.exit_code == 2 and "<stdin>:2" in bad.stderr


def _pipe_of(data: bytes) -> Iterator[str]:
    """A path that reads as a pipe, as ``<(cat file)`` gives: ``/dev/fd/N``."""
    read, write = os.pipe()

    def feed() -> None:
        with os.fdopen(write, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        yield f"/dev/fd/{read}"
    finally:
        writer.join()
        os.close(read)


@pytest.mark.skipif(sys.platform == "win32", reason="pipes as paths are POSIX")
def test_import_reads_a_pipe_and_a_fifo_once(run: Run, tmp_path: Path) -> None:
    data = stakes_csv(tmp_path / "s.csv", 4).read_bytes()
    for path in _pipe_of(data):  # a process substitution
        summary = json.loads(ok(run("import", path, "-f", "json", "--dry-run")))
        assert summary["rows_read"] == 4 and summary["format"] == "csv"
    fifo = tmp_path / "stakes.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as out:
            out.write(data.replace(b"Fund", b"Fonds"))

    writer = threading.Thread(target=feed)
    writer.start()
    result = run("import", str(fifo), "--input-format", "csv", "-f", "json")
    writer.join()
    assert json.loads(ok(result))["stakes_added"] == 4


@pytest.mark.skipif(sys.platform == "win32", reason="/dev/stdin is POSIX")
def test_import_reads_dev_stdin_in_a_real_process(isolated: Path, tmp_path: Path) -> None:
    data = stakes_csv(tmp_path / "s.csv", 5).read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "ecoport", "import", "/dev/stdin", "-f", "json", "--dry-run"],
        input=data,
        capture_output=True,
        env={**os.environ, "ECOPORT_DB": str(isolated)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_read"] == 5


# -- exit codes --------------------------------------------------------------------------

#: A bad option or argument value for every command: each must exit 2 with one line.
BAD_VALUE: dict[str, list[str]] = {
    "init": ["--seed-file", "/nonexistent/seed.yaml"],
    "add-stake": [*MIDEA[1:], "--percent", "140"],
    "progress": ["--depth", "0"],
    "report": ["--since", "2014-13"],
    "import": ["/nonexistent/stakes.csv"],
    "extract": ["/nonexistent/article.txt"],
    "export": ["--sector", "!!"],
    "log": ["--since", "yesterday"],
    "undo": ["abc"],
    "tree": ["Xiaomi", "--depth", "0"],
    "owners": ["Segway", "--depth", "0"],
    "stakes list": ["--since", "bogus"],
    "stakes show": ["abc"],
    "stakes edit": ["1", "--percent", "140"],
    "stakes remove": ["abc", "--yes"],
    "companies list": ["--sector", "!!"],
    "companies show": ["Xiaomi", "--in", "XXX"],
    "companies rename": ["Xiaomi", ""],
    "companies merge": ["Yeelight", "--into", ""],
    "companies edit": ["Xiaomi", "--clear", "bogus"],
    "companies remove": [""],
    "companies alias add": ["Xiaomi", ""],
    "companies alias remove": [""],
    "rounds list": ["--since", "bogus"],
    "rounds show": ["abc"],
    "target set": ["0", "--investor", "Xiaomi"],
    "target list": ["--investor", ""],
    "target unset": ["--investor", ""],
    "target milestone add": ["--investor", "Xiaomi", "--by", "2014-13", "--count", "5"],
    "target milestone list": ["--investor", ""],
    "target milestone remove": ["abc"],
    "fx set": ["CNY", "USD", "abc", "--date", "2014-12-14"],
    "fx list": ["XXX"],
    "fx unset": ["CNY", "USD", "--date", "2014"],
    "fx show": ["CNY", "XXX", "--date", "2014-12-14"],
    "config show": ["--format", "xml"],
    "config set": ["bogus", "USD"],
    "db path": ["--db", "mysql://me@host/db"],
    "db status": ["--db", "sqlite://relative.db"],
    "db upgrade": ["--db", "mysql://me@host/db"],
    "db backup": ["/nonexistent/folder/copy.db"],
    "db restore": ["/nonexistent/copy.db"],
    "db check": ["--format", "xml"],
    "mark add": ["Xiaomi", "--date", "2020", "--valuation", "-5bn USD"],
    "marks list": ["--format", "xml"],
    "marks show": ["abc"],
    "marks remove": ["abc"],
    "marks missing": ["--older-than", "-1"],
    "returns": ["--by", "colour"],
    "dashboard": ["-o", "dashboard.html", "--as-of", "2014-13"],
}


def test_every_command_has_a_bad_value_case() -> None:
    assert set(BAD_VALUE) == set(COMMANDS)


@pytest.mark.parametrize("path", sorted(BAD_VALUE))
def test_a_bad_value_exits_2_with_one_line(run: Run, seeded: Path, path: str) -> None:
    before = dump(seeded)
    result = run(*path.split(), *BAD_VALUE[path])
    one_error_line(result, "error")
    assert result.exit_code == 2, result.stderr
    assert dump(seeded) == before


def test_a_database_in_a_missing_folder_is_a_bad_value(run: Run, tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "nope" / "x.db"), "progress")
    one_error_line(result, "--db", "does not exist")
    assert result.exit_code == 2


@pytest.mark.usefixtures("seeded")
def test_failures_exit_1(run: Run) -> None:
    for args in (("stakes", "show", "999"), ("progress", "--investor", "Nobody")):
        result = run(*args)
        one_error_line(result)
        assert result.exit_code == 1


@pytest.mark.parametrize("where", ["reading", "writing"])
def test_ctrl_c_exits_130_and_changes_nothing(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import ecoport.services.progress as reports
    import ecoport.services.targets as targets

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    before = dump(seeded)
    if where == "reading":
        monkeypatch.setattr(reports, "progress", interrupted)
        result = run("progress")
    else:
        real = targets.set_target

        def half_done(**kwargs: Any) -> Any:
            real(**kwargs)  # the change is made in the session, then Ctrl-C
            raise KeyboardInterrupt

        monkeypatch.setattr(targets, "set_target", half_done)
        result = run("target", "set", "500", "--investor", "Xiaomi")
    assert result.exit_code == 130
    assert result.stderr.strip() == "ecoport: interrupted, nothing changed"
    assert dump(seeded) == before


def test_the_readme_lists_the_exit_codes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Exit codes")[2].partition("\n## ")[0]
    for code in ("0", "1", "2", "130"):
        assert f"`{code}`" in section, code


# -- advice that leads somewhere ---------------------------------------------------------

_OPTION = re.compile(r"(?<![\w/-])--[a-z][a-z0-9-]*")
_COMMAND = re.compile(r"ecoport((?: [a-z][a-z-]*)+)")


def _command_at(words: str) -> str | None:
    """The longest command path that *words* start with (``stakes edit 1`` -> ``stakes
    edit``)."""
    parts = words.split()
    for n in range(len(parts), 0, -1):
        if " ".join(parts[:n]) in COMMANDS:
            return " ".join(parts[:n])
    return None


def advice(text: str, running: str) -> list[tuple[str, str]]:
    """Every (command, option) a text names: an option in a reference to another command
    (``ecoport companies merge X --into Y``, up to a backquote, ';' or ')') is that
    command's; any other, the running command's."""
    named = []
    for line in text.splitlines():
        rest = line
        for match in list(_COMMAND.finditer(line))[::-1]:
            path = _command_at(match.group(1))
            if path is None:
                continue
            end = re.search(r"[`;)]", line[match.end() :])
            stop = match.end() + end.start() if end else len(line)
            named += [(path, o) for o in _OPTION.findall(line[match.start() : stop])]
            rest = rest[: match.start()] + rest[stop:]
        named += [(running, o) for o in _OPTION.findall(rest)]
    return named


#: A valid invocation of each command, to which bad values are added one option at a time.
VALID: dict[str, list[str]] = {
    "add-stake": ["--investor", "Xiaomi", "--startup", "Midea Group", "--date", "2016"],
    "import": ["{csv}", "--dry-run"],
    "undo": ["--yes"],
    "tree": ["Xiaomi"],
    "owners": ["Segway"],
    "stakes show": ["1"],
    "stakes edit": ["1", "--note", "x"],
    "stakes remove": ["3", "--yes"],
    "companies show": ["Xiaomi"],
    "companies rename": ["Dreame", "Dreame Technology"],
    "companies merge": ["Misfit Wearables", "--into", "Huami"],
    "companies edit": ["Zimi", "--note", "x"],
    "companies remove": ["Nobody Inc"],
    "companies alias add": ["Zimi", "ZMI Power"],
    "companies alias remove": ["ZMI Power"],
    "rounds show": ["1"],
    "target set": ["120", "--investor", "Xiaomi"],
    "target unset": ["--investor", "Xiaomi"],
    "target milestone add": ["--investor", "Xiaomi", "--by", "2016", "--count", "40"],
    "target milestone remove": ["1"],
    "fx set": ["CNY", "USD", "0.16", "--date", "2014-12-14"],
    "fx unset": ["CNY", "USD", "--date", "2014-12-14"],
    "fx show": ["CNY", "USD", "--date", "2014-12-14"],
    "config set": ["currency", "USD"],
    "db backup": ["{tmp}/copy.db", "--force"],
    "db restore": ["{tmp}/copy.db"],
    "mark add": ["Xiaomi", "--date", "2020", "--valuation", "USD 1bn"],
    "marks show": ["1"],
    "marks remove": ["1"],
}
#: Values that draw advice: an ambiguous date, a typo of a name, nothing, a negative number.
ODD_VALUES = ("05/07/2018", "Xiaomy", "", "-1")
#: Situations whose messages advise an option.
SITUATIONS = [
    ["add-stake", "--investor", "Xiaomi", "--startup", "Midae Group", "--date", "2016"],
    ["add-stake", "--investor", "Xiaomi", "--startup", "Midea Group", "--date", "2014-12-14"],
    "add-stake --investor Xiaomi --startup Midea --sector iot --date 2016".split(),
    "add-stake --investor Xiaomi --startup Segway --kind sale --date 2014".split(),
    ["stakes", "edit", "1", "--percent", "99", "--kind", "acquisition"],
    ["stakes", "edit", "1"],
    ["companies", "edit", "Zimi"],
    ["companies", "rename", "Zimi", "Midea"],
    ["companies", "alias", "add", "Zimi", "Midea"],
    ["import", "{tmp}/bytes.csv"],
    ["import", "{tmp}/nocolumns.csv"],
    ["import", "{tmp}/dates.csv"],
    ["import", "{csv}", "--rejects", "{tmp}"],
    ["progress", "--db", "{tmp}/two.db"],
    ["progress", "--as-of", "2099"],
    ["report", "--since", "2016", "--until", "2015"],
    ["undo", "999"],
    ["fx", "show", "XAU", "USD", "--date", "2014-12-14"],
    ["db", "upgrade", "--db", "{tmp}/none.db"],
    ["stakes", "remove", "4"],
    ["undo"],
]


def _filled(args: list[str], tmp_path: Path) -> list[str]:
    return [a.format(tmp=tmp_path, csv=tmp_path / "good.csv") for a in args]


def _fixtures(run: Run, tmp_path: Path) -> None:
    stakes_csv(tmp_path / "good.csv")
    (tmp_path / "bytes.csv").write_bytes(b"investor,startup,sector,date\nA\xff,B,iot,2015\n")
    (tmp_path / "nocolumns.csv").write_text("who,what\nA,B\n")
    (tmp_path / "dates.csv").write_text("investor,startup,sector,date\nA,B,iot,05/07/2018\n")
    two = str(tmp_path / "two.db")
    for investor in ("A", "C"):
        ok(run("add-stake", "--investor", investor, "--startup", investor + "x", "--sector",
               "iot", "--date", "2015", "--db", two))  # fmt: skip


@pytest.mark.usefixtures("seeded")
def test_every_option_an_error_advises_exists_on_that_command(run: Run, tmp_path: Path) -> None:
    _fixtures(run, tmp_path)
    wrong: set[tuple[str, str, str]] = set()
    seen: set[tuple[str, str]] = set()

    def check(path: str, args: list[str]) -> None:
        result = run(*args)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        for command, option in advice(result.stderr, path):
            if command == path and option in args:
                continue  # the option given, named back ("No such option: --company")
            seen.add((command, option))
            if option not in options_of(command):
                wrong.add((command, option, result.stderr.strip().splitlines()[0]))

    for path in sorted(COMMANDS):
        base = _filled(VALID.get(path, []), tmp_path)
        words = path.split()
        check(path, [*words, *base, "--company", "x"])  # an option people reach for
        for param in COMMANDS[path].params:
            flag = param.opts[0]
            if param.param_type_name != "option" or param.is_flag or flag in GLOBAL:
                continue
            if flag in ("--format", "--rejects", "--output", "--seed-file", "--mapping"):
                continue  # choices, or paths: not advice
            for value in ODD_VALUES:
                check(path, [*words, *base, flag, value])
    for args in SITUATIONS:
        args = _filled(args, tmp_path)
        check(_command_at(" ".join(args)) or args[0], args)
    assert not wrong, "\n".join(f"{c}: {o} in: {line}" for c, o, line in sorted(wrong))
    # the collection found advice at all: the hints these situations are known to give
    assert {("add-stake", "--new-company"), ("add-stake", "--allow-duplicate")} <= seen
    assert ("add-stake", "--change-sector") in seen and ("import", "--encoding") in seen
    assert ("companies merge", "--into") in seen and ("progress", "--investor") in seen


def test_help_names_only_options_of_its_command(run: Run) -> None:
    for path in COMMANDS:
        text = ok(run(*path.split(), "--help"))
        for command, option in advice(text, path):
            assert option in options_of(command), (path, command, option)


@pytest.mark.usefixtures("seeded")
def test_advice_fits_the_command(run: Run, tmp_path: Path) -> None:
    for args in (
        ("progress", "--as-of", "05/07/2018"),
        ("add-stake", *MIDEA[1:13], "--date", "05/07/2018"),
        ("report", "--since", "05/07/2018"),
    ):
        line = one_error_line(run(*args), "day or month first", "YYYY-MM-DD")
        assert "--dayfirst" not in line and "--monthfirst" not in line
    (tmp_path / "d.csv").write_text("investor,startup,sector,date\nA,B,iot,05/07/2018\n")
    on_import = run("import", str(tmp_path / "d.csv"))
    assert "--dayfirst" in on_import.stderr and on_import.exit_code == 2
    unknown = one_error_line(run("add-stake", "--company", "Midea"), "--company")
    assert "--startup" in unknown and "--new-company" not in unknown
    two = str(tmp_path / "two.db")
    for investor in ("A", "C"):
        ok(run("add-stake", "--investor", investor, "--startup", investor + "x", "--sector",
               "iot", "--date", "2015", "--db", two))  # fmt: skip
    one_error_line(run("progress", "--db", two), "--investor", "`ecoport target set`")


# -- undo asks before reverting much -----------------------------------------------------


def test_undo_of_many_records_asks_and_scripts_need_yes(
    run: Run, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run("import", str(stakes_csv(tmp_path / "s.csv", 12))))
    imported = dump(seeded)
    refused = run("undo")
    one_error_line(refused, "--yes", "not on a terminal", "records")
    assert refused.exit_code == 2 and dump(seeded) == imported
    import ecoport.cli.common as common
    import ecoport.cli.history as history

    for module in (common, history):  # as on a terminal
        monkeypatch.setattr(module, "interactive", lambda: True)
    declined = run("undo", input="n\n")
    assert declined.exit_code == 1 and dump(seeded) == imported
    assert "12 stakes added" in declined.stderr and "Undo change 2?" in declined.stderr
    assert "Nothing undone." in declined.stderr
    accepted = run("undo", input="y\n")
    assert accepted.exit_code == 0 and "Undid change 2" in accepted.stderr
    assert query(seeded, "SELECT COUNT(*) FROM stake") == [(32,)]


@pytest.mark.usefixtures("seeded")
def test_a_small_undo_does_not_ask(run: Run) -> None:
    ok(run("target", "set", "90", "--investor", "Xiaomi"))
    done = run("undo")
    assert done.exit_code == 0 and "Undid change 2 as change 3: 1 target changed" in done.stderr


# -- targets and rates: listed, unset, audited, undone -----------------------------------


@pytest.mark.usefixtures("backend")
def test_targets_listed_unset_and_undone(run: Run) -> None:
    ok(run("init", "--seed"))
    listed = json.loads(ok(run("target", "list", "-f", "json")))["targets"]
    assert [(t["investor"], t["target"]) for t in listed] == [("Xiaomi", 100)]
    gone = json.loads(ok(run("target", "unset", "--investor", "xiaomi", "-f", "json")))
    assert gone == {"investor": "Xiaomi", "sector": None, "target": None, "previous": 100}
    empty = run("target", "list")
    assert empty.exit_code == 0 and empty.stdout == "" and empty.stderr == "No targets match.\n"
    again = run("target", "unset", "--investor", "Xiaomi")
    one_error_line(again, "Xiaomi has no target")
    assert again.exit_code == 1
    log = json.loads(ok(run("log", "-n", "1", "--records", "-f", "json")))["changes"][0]
    assert log["summary"] == "1 target removed"
    assert log["command"] == "ecoport target unset --investor xiaomi -f json"
    ok(run("undo"))
    assert "Xiaomi" in ok(run("target", "list"))


@pytest.mark.usefixtures("backend")
def test_rates_listed_unset_and_undone(run: Run) -> None:
    ok(run("init"))
    ok(run("fx", "set", "CNY", "USD", "0.1628", "--date", "2014-12-14", "--source", "filing"))
    ok(run("fx", "set", "EUR", "USD", "1.25", "--date", "2014-12-14"))
    rates = json.loads(ok(run("fx", "list", "usd", "cny", "-f", "json")))["rates"]
    assert rates == [
        {"base": "CNY", "quote": "USD", "date": "2014-12-14", "rate": "0.1628", "source": "filing"}
    ]
    assert len(json.loads(ok(run("fx", "list", "-f", "json")))["rates"]) == 2
    reverse = run("fx", "unset", "USD", "CNY", "--date", "2014-12-14")
    one_error_line(reverse, "yours on that day is CNY to USD")
    assert reverse.exit_code == 1
    ok(run("fx", "unset", "CNY", "USD", "--date", "2014-12-14"))
    shown = ok(run("fx", "show", "CNY", "USD", "--date", "2014-12-14"))
    assert "ECB reference rate" in shown
    ok(run("undo"))
    assert "your rate" in ok(run("fx", "show", "CNY", "USD", "--date", "2014-12-14"))
    none = run("fx", "list", "JPY")
    assert none.exit_code == 0 and none.stderr == "No rates of your own match.\n"


# -- the log in the domain's terms -------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_the_log_speaks_of_amounts_percents_and_names(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # no cell folded
    ok(run("stakes", "edit", "1", "--amount", "undisclosed", "--percent", "1.288"))
    table = ok(run("log", "--stake", "1"))
    assert "stake 1 (Xiaomi in Midea Group) changed" in table
    assert "amount CNY 1.27bn → undisclosed" in table and "percent 1.29% → 1.288%" in table
    for column in ("amount_minor", "percent_micro", "investor_id", "company_id"):
        assert column not in table
    ok(run("stakes", "edit", "1", "--amount", "1,266,000,001 CNY"))
    ok(run("stakes", "edit", "1", "--amount", "1,266,000,002 CNY"))
    exact = ok(run("log", "-n", "1", "--records"))
    assert "CNY 1,266,000,001.00 → CNY 1,266,000,002.00" in exact  # short forms would be equal
    change = json.loads(ok(run("log", "--stake", "1", "-f", "json")))["changes"][1]
    (record,) = change["records"]
    assert record["before"]["percent_micro"] == 1290000  # the raw rows stay
    assert record["label"] == "stake 1 (Xiaomi in Midea Group)"
    assert {"field": "percent", "before": "1.29%", "after": "1.288%"} in record["diff"]
    added = ok(run("log", "--change", "1"))
    assert "alias 'ZMI' of Zimi added" in added and "target of Xiaomi added: target 100" in added


# -- words: counts and nothing matched ---------------------------------------------------


def test_counts_agree_with_their_nouns() -> None:
    assert plural(1, "stake") == "1 stake" and plural(2, "stake") == "2 stakes"
    assert plural(1, "row") == "1 row" and plural(0, "row") == "0 rows"
    assert plural(1234, "company") == "1,234 companies" and plural(1, "company") == "1 company"
    assert plural(2, "alias") == "2 aliases" and noun(1, "alias") == "alias"
    assert no_match("stakes") == "No stakes match."


def test_messages_count_in_words(run: Run, tmp_path: Path) -> None:
    made = run("init", "--seed")
    assert "1 target set" in made.stderr and "1 targets" not in made.stderr
    one = tmp_path / "one.csv"
    one.write_text("investor,startup,sector,date\nA,B,iot,2099\n")
    rejected = run("import", str(one), "--on-error", "skip")
    assert "1 row rejected" in rejected.stderr and "1 rows" not in rejected.stderr
    ok(run("export", "--investor", "Misfit Wearables", "-o", str(tmp_path / "x.csv")))
    exported = run("export", "--investor", "Ninebot", "-o", str(tmp_path / "n.csv"))
    assert "Exported 1 stake to" in exported.stderr


@pytest.mark.usefixtures("seeded")
def test_nothing_matched_is_said_one_way(run: Run) -> None:
    for args, things in (
        (("log", "--stake", "999"), "changes"),
        (("target", "list", "--investor", "Ninebot"), "targets"),
        (("fx", "list"), "rates of your own"),
    ):
        result = run(*args)
        assert result.exit_code == 0 and result.stdout == "", args
        assert result.stderr == no_match(things) + "\n", args
        assert run(*args, "-q").stderr == ""


# -- the command reference ---------------------------------------------------------------


def test_the_command_reference_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec is not None and spec.loader is not None
    cli_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli_docs)
    monkeypatch.setenv("COLUMNS", "200")  # the terminal's width changes nothing
    wanted = cli_docs.reference()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == wanted, "docs/cli.md is out of date: run python scripts/cli_docs.py"
    for path in COMMANDS:
        assert f"## ecoport {path}\n" in current
    assert "docs/cli.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# -- the environment ---------------------------------------------------------------------


def test_the_readme_lists_every_environment_variable_read() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Environment")[2].partition("\n## ")[0]
    read = set()
    pattern = re.compile(
        r"""(?:environ(?:\.get)?\(?\[?|getenv\(|envvar=|env\.get\()\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    for source in (ROOT / "ecoport").rglob("*.py"):
        read |= set(pattern.findall(source.read_text(encoding="utf-8")))
    assert {"ECOPORT_DB", "ECOPORT_DATABASE_URL", "ECOPORT_ACTOR", "ECOPORT_WAIT"} <= read
    # read by the libraries ecoport uses: rich (colours, width), platformdirs (folders)
    read |= {"NO_COLOR", "COLUMNS", "XDG_DATA_HOME", "XDG_CACHE_HOME"}
    for name in read:
        assert f"`{name}`" in section, name


def test_log_pages_back_with_offset(run: Run, seeded: Path) -> None:
    del seeded
    for n in range(3):
        assert run("target", "set", "--investor", "Xiaomi", str(101 + n)).exit_code == 0
    every = json.loads(run("log", "-f", "json").stdout)
    ids = [c["id"] for c in (every["changes"] if isinstance(every, dict) else every)]
    page = json.loads(run("log", "-n", "2", "--offset", "1", "-f", "json").stdout)
    got = [c["id"] for c in (page["changes"] if isinstance(page, dict) else page)]
    # the latest change skipped, the two before it, shown oldest first like the whole log
    assert len(ids) == 4 and got == ids[1:3]
    assert run("log", "--offset", "-1").exit_code == 2
