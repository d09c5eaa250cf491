"""What `nox -s sdk_matrix` / `nox -s sdk` make of their options: which kestrapy, which servers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.contract.sdk._noxfile import load_noxfile, local_wheel

nox_file = load_noxfile()
sdk_source = nox_file.sdk_source
parse_options = nox_file.parse_options
server_runs = nox_file.server_runs
SdkSpecError = nox_file.SdkSpecError


def test_published_versions_and_requirements_come_from_the_index(tmp_path: Path) -> None:
    for text, requirement, label in [
        ("2.0.3", "kestrapy==2.0.3", "2.0.3"),
        ("2.1.0.dev502", "kestrapy==2.1.0.dev502", "2.1.0.dev502"),
        ("1.0.0b7", "kestrapy==1.0.0b7", "1.0.0b7"),
        ("kestrapy==2.1.0rc1", "kestrapy==2.1.0rc1", "2.1.0rc1"),
        ("kestrapy>=2,<3", "kestrapy>=2,<3", "kestrapy>=2,<3"),
    ]:
        source = sdk_source(text, tmp_path)
        assert (source.kind, source.requirement, source.label) == ("index", requirement, label)
    assert sdk_source("2.0.3", tmp_path).slug == "2.0.3"


def test_files_directories_and_urls_are_sources_of_their_own_kind(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    wheel = tmp_path / "dist" / "kestrapy-2.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    sdist = tmp_path / "dist" / "kestrapy-2.1.0.tar.gz"
    sdist.write_bytes(b"")
    checkout = tmp_path / "client-sdk" / "python" / "python-sdk"
    checkout.mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\nname = 'kestrapy'\n")
    git = "git+https://github.com/kestra-io/client-sdk@v2.1.0#subdirectory=python/python-sdk"
    cases = {
        "./dist/kestrapy-2.1.0-py3-none-any.whl": ("wheel", str(wheel)),
        "dist/kestrapy-2.1.0.tar.gz": ("sdist", str(sdist)),
        "client-sdk/python/python-sdk/": ("directory", str(checkout)),
        git: ("vcs", git),
        "https://example.test/kestrapy-2.1.0-py3-none-any.whl": (
            "url",
            "https://example.test/kestrapy-2.1.0-py3-none-any.whl",
        ),
    }
    slugs = set()
    for text, (kind, requirement) in cases.items():
        source = sdk_source(text, tmp_path)
        assert (source.kind, source.requirement, source.label) == (kind, requirement, text)
        assert source.slug.startswith(f"{kind}-")
        assert "/" not in source.slug
        slugs.add(source.slug)
    assert len(slugs) == len(cases)
    # The same source gets the same folder, run after run.
    assert sdk_source(git, tmp_path).slug == sdk_source(git, tmp_path).slug


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a value"),
        ("./dist/kestrapy-9.whl", "no such file"),
        ("nonsense", "no such file"),
        ("README.md", "neither a wheel"),
        ("empty", "no Python project"),
    ],
)
def test_what_names_no_installable_kestrapy_is_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SdkSpecError, match=message):
        sdk_source(text, tmp_path)


def test_options_split_into_the_matrixs_own_and_pytests(tmp_path: Path) -> None:
    wheel = tmp_path / "kestrapy-2.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    args = ["--sdk", wheel.name, "--contract=2", "-x", "--matrix-dir", "out", "--reference-server-args=--crowd 3"]
    options = parse_options(args, tmp_path)
    assert [s.kind for s in options.sdks] == ["wheel"]
    assert options.contracts == ["2"]
    assert options.pytest_args == ["-x"]
    assert options.matrix_dir == Path("out")
    assert options.server_args == "--crowd 3"
    assert parse_options([], tmp_path).contracts == ["1", "2"]
    with pytest.raises(SdkSpecError, match="one --sdk per run"):
        parse_options(["--sdk", "2.0.3", "--sdk", "1.0.10"], tmp_path)
    with pytest.raises(SdkSpecError, match="the contract versions are 1, 2"):
        parse_options(["--contract", "3"], tmp_path)
    with pytest.raises(SdkSpecError, match="needs a value"):
        parse_options(["--sdk"], tmp_path)


def test_the_embedded_server_is_started_once_per_contract_version(tmp_path: Path) -> None:
    options = parse_options(["--reference-server-args", "--search-lag 1", "-x"], tmp_path)
    assert server_runs(options) == [
        ("contract-1", ["--reference-server-args=--search-lag 1", "-x"]),
        ("contract-2", ["--reference-server-args=--kestra-version 2 --search-lag 1", "-x"]),
    ]


def test_a_real_server_is_met_once_and_its_own_version_decides(tmp_path: Path) -> None:
    remote = ["--base-url", "https://staging.example", "--token", "T"]
    assert server_runs(parse_options(remote, tmp_path)) == [("server", remote)]
    assert server_runs(parse_options([*remote, "--contract", "2"], tmp_path)) == [("server", ["--contract=2", *remote])]


def test_a_local_wheel_is_real_kestrapy_code_under_a_version_of_its_own(tmp_path: Path) -> None:
    wheel = local_wheel(tmp_path, "1.99.0.dev1")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("kestrapy-1.99.0.dev1.dist-info/METADATA").decode()
    assert "kestrapy/api/users_api.py" in names
    assert "Version: 1.99.0.dev1" in metadata
    assert "Requires-Dist: pydantic" in metadata
    assert sdk_source(str(wheel), tmp_path).kind == "wheel"
