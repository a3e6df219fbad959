"""The ``col`` command on the real test database, including bad input."""

import json

import pytest

from col_core.cli import cli


def write_tenant(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tenant.toml").write_text(text)
    return folder


GOOD = """
name = "Kaunas"
country = "LT"
timezone = "Europe/Vilnius"
locales = ["lt", "en"]
[map]
center = [54.9, 23.9]
zoom = 12
"""


def test_every_command_has_help():
    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, path + [name])

    for path, command in walk(cli, []):
        assert (command.help or "").strip(), f"col {' '.join(path)} has no help text"


def test_help_lists_groups(run_col):
    result = run_col("--help")
    assert result.exit_code == 0
    for group in ("db", "demo", "serve", "tenant"):
        assert group in result.output


def test_tenant_launch_then_list_json(run_col, tmp_path):
    folder = write_tenant(tmp_path / "kaunas", GOOD)
    result = run_col("tenant", "launch", str(folder))
    assert result.exit_code == 0, result.output
    assert "Created tenant kaunas" in result.output
    listed = json.loads(run_col("tenant", "list", "--json").output)
    assert [(t["slug"], t["locales"]) for t in listed] == [("kaunas", ["lt", "en"])]


def test_relaunch_updates_in_place(run_col, tmp_path):
    folder = write_tenant(tmp_path / "kaunas", GOOD)
    run_col("tenant", "launch", str(folder))
    write_tenant(folder, GOOD.replace('name = "Kaunas"', 'name = "Kaunas Learning City"'))
    result = run_col("tenant", "launch", str(folder))
    assert "Updated tenant kaunas" in result.output
    listed = json.loads(run_col("tenant", "list", "--json").output)
    assert [t["name"] for t in listed] == ["Kaunas Learning City"]


@pytest.mark.parametrize(
    "line, message",
    [
        ('timezone = "Mars/Olympus"', "timezone: an IANA time zone"),
        ('locales = ["xx-nope"]', "locales: a list of language codes"),
        ('colour = "red"', "colour: unknown field"),
    ],
)
def test_launch_bad_input_names_file_and_field(run_col, tmp_path, line, message):
    kept = (row for row in GOOD.splitlines() if not row.startswith(line.split(" =")[0]))
    text = "\n".join(kept)
    folder = write_tenant(tmp_path / "kaunas", line + "\n" + text)
    result = run_col("tenant", "launch", str(folder))
    assert result.exit_code == 1
    assert "tenant.toml" in result.output and message in result.output
    assert json.loads(run_col("tenant", "list", "--json").output) == []


def test_launch_missing_folder_is_an_error(run_col, tmp_path):
    result = run_col("tenant", "launch", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "missing" in result.output


def test_disable_then_enable(run_col, tmp_path, testapp):
    run_col("tenant", "launch", str(write_tenant(tmp_path / "kaunas", GOOD)))
    assert "now disabled" in run_col("tenant", "disable", "kaunas").output
    testapp.get("/", extra_environ={"HTTP_HOST": "kaunas.example.test"}, status=404)
    assert "now enabled" in run_col("tenant", "enable", "kaunas").output
    testapp.get("/", extra_environ={"HTTP_HOST": "kaunas.example.test"}, status=200)


def test_disable_unknown_tenant_exits_non_zero(run_col):
    result = run_col("tenant", "disable", "atlantis")
    assert result.exit_code == 1
    assert "no tenant with slug 'atlantis'" in result.output


def test_db_upgrade_is_idempotent_and_check_passes(run_col):
    assert run_col("db", "upgrade").exit_code == 0
    result = run_col("db", "check")
    assert result.exit_code == 0, result.output


def test_db_revision_rejects_unknown_package(run_col):
    result = run_col("db", "revision", "--package", "nope", "-m", "x")
    assert result.exit_code == 2
    assert "unknown package 'nope'" in result.output


def test_missing_config_file_is_a_usage_error(run_col, tmp_path):
    result = run_col("--config", str(tmp_path / "none.ini"), "tenant", "list")
    assert result.exit_code == 2
    assert "does not exist" in result.output
