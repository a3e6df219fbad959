"""`col tenant export` writes the live configuration back; launching the export changes nothing."""

import tomllib

import pytest
from sqlalchemy import select

from col_core.cli.tenant import tenant as tenant_group
from col_core.tenancy.launch import read_folder
from col_core.tenancy.models import Tenant

COLUMNS = (
    "kind",
    "name",
    "names",
    "country",
    "timezone",
    "locales",
    "default_locale",
    "branding",
    "map",
    "plugins",
    "settings",
    "hostnames",
)


def snapshot(scalar, slug):
    tenant = scalar(select(Tenant).where(Tenant.slug == slug))
    return {column: getattr(tenant, column) for column in COLUMNS}


@pytest.mark.parametrize("slug", ["vilnius", "gent", "global"])
def test_export_then_launch_gives_the_same_tenant(example, launch, run, scalar, tmp_path, slug):
    launch(example(slug))
    before = snapshot(scalar, slug)
    result = run(tenant_group, "export", slug, "--into", tmp_path / "out")
    assert result.exit_code == 0, result.output
    exported = tmp_path / "out" / slug
    read_folder(exported, {"map", "badges", "esco", "playlists"})  # valid as it stands
    launch(exported)
    assert snapshot(scalar, slug) == before


def test_export_writes_files_back_where_they_came_from(example, launch, run, tmp_path):
    source = example("gent")
    launch(source)
    run(tenant_group, "export", "gent", "--into", tmp_path / "out")
    exported = tmp_path / "out" / "gent"
    assert (exported / "branding" / "logo.svg").read_bytes() == (
        source / "branding" / "logo.svg"
    ).read_bytes()
    assert (exported / "legal" / "fr" / "privacy.md").read_text() == (
        source / "legal" / "fr" / "privacy.md"
    ).read_text()
    texts = tomllib.loads((exported / "texts" / "nl.toml").read_text())
    assert texts["site_title"] == "Leerstad Gent"
    categories = tomllib.loads((exported / "categories.toml").read_text())["category"]
    assert categories[0]["fr"] == "Arts et culture"


def test_export_refuses_existing_folder_and_unknown_slug(example, launch, run, tmp_path):
    launch(example("vilnius"))
    (tmp_path / "out" / "vilnius").mkdir(parents=True)
    taken = run(tenant_group, "export", "vilnius", "--into", tmp_path / "out")
    assert taken.exit_code == 1 and "already exists; nothing was written" in taken.output
    unknown = run(tenant_group, "export", "atlantis", "--into", tmp_path / "new")
    assert unknown.exit_code == 1 and "no tenant with slug 'atlantis'" in unknown.output
