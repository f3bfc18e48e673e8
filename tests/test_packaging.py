"""The wheel carries every template folder and every profile (O1, O3)."""
import tomllib

from .conftest import ROOT


def test_every_profile_folder_is_shipped_in_the_wheel():
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "data-files"]
    shipped = {target.rsplit("/", 1)[1] for target in data_files
               if target.startswith("share/portal/profiles/")}
    folders = {p.name for p in (ROOT / "profiles").iterdir() if (p / "profile.yaml").exists()}
    assert folders <= shipped
    template_dirs = {p.parent for p in (ROOT / "templates").rglob("*.pt")}
    shipped_templates = {target.removeprefix("share/portal/") for target in data_files
                         if target.startswith("share/portal/templates")}
    assert {str(d.relative_to(ROOT)) for d in template_dirs} == shipped_templates
