"""Does this kestrapy work with this server? `nox -s sdk_matrix` answers for several, and gates a release.

Each kestrapy gets a fresh virtualenv: kestrapy alone first (does `import kestrapy` work
in a clean environment?), then this project, then that kestrapy again (the project pins
1.0.0b7), then `pytest contract -m sdk` once per server contract version: the embedded
reference server in contract 1 (Kestra EE 1.x) and in contract 2 (Kestra EE 2.x), or
once against the server given after `--` (`--base-url URL --token T`), whose own version
decides. Every session then rebuilds reports/sdk-matrix/matrix.md and matrix.json.

Options after `--` (the rest goes to pytest):
  --sdk SPEC     also test a kestrapy that is not (yet) on the package index: a wheel or sdist
                 path, a local checkout directory, `git+URL@ref[#subdirectory=...]`, a URL,
                 or any version or requirement (`2.1.0.dev502`, `kestrapy==2.1.0rc1`).
                 Its row is named as given. This is the pre-release gate:
                 `nox -s sdk -- --sdk ./dist/kestrapy-2.1.0-py3-none-any.whl`.
  --contract N   which contract versions of the embedded server to cross (repeatable;
                 default 1 and 2). With --base-url it forces the suite's contract instead.
  --matrix-dir D where the matrix and its raw results go (default reports/sdk-matrix).

Sessions: `sdk_matrix` runs every published version of SDK_VERSIONS and, with --sdk, the
given one (`sdk_matrix(kestrapy='given')`); `sdk` runs only the given one. One version:
`nox -s "sdk_matrix(kestrapy='2.0.3')"`. Then `python -m contract.sdk.matrix --gate ...`
says whether a release may go out (see README, "Before a kestrapy release").
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nox

nox.options.sessions = ["sdk_matrix"]
# A reused environment would hide what a clean install cannot import.
nox.options.reuse_venv = "no"

HERE = Path(__file__).resolve().parent
SDK_VERSIONS = ["1.0.0b7", "1.0.10", "1.3.1", "2.0.3"]
#: The contract versions the embedded reference server serves (its --kestra-version).
CONTRACTS = ["1", "2"]
#: The slot of `sdk_matrix` that tests the kestrapy named by --sdk.
GIVEN = "given"
MATRIX_DIR = Path("reports") / "sdk-matrix"
#: How many undeclared modules a session installs by hand before it gives up on a version.
MAX_ADDED_MODULES = 3
#: Exit codes of the suite after which the matrix still has something to read (see README).
SUITE_EXIT_CODES = [0, 1, 2, 4, 5, 6]

_VERSION = re.compile(r"^v?\d+(\.\d+)*((a|b|rc|\.dev|\.post|-beta)\d*)*([+][\w.]+)?$")
_REQUIREMENT = re.compile(r"^kestrapy\s*(\[[\w,]+\])?\s*(==|>=|<=|~=|!=|<|>|===)")
_VCS = re.compile(r"^(git|hg|svn|bzr)\+[a-z]+://")


class SdkSpecError(ValueError):
    """An --sdk value that names no installable kestrapy."""


@dataclass(frozen=True)
class SdkSource:
    """One kestrapy to test: as the user named it, and what pip installs for it."""

    given: str
    #: index, wheel, sdist, directory, vcs or url.
    kind: str
    requirement: str

    @property
    def label(self) -> str:
        """The row's name in the matrix: the version for an index release, else the --sdk value."""
        return self.given.removeprefix("kestrapy==") if self.kind == "index" else self.given

    @property
    def slug(self) -> str:
        """Its folder under raw/: readable, and distinct for distinct sources."""
        if self.kind == "index" and _VERSION.match(self.label):
            return self.label
        digest = hashlib.sha1(f"{self.kind}:{self.requirement}".encode()).hexdigest()[:8]
        stem = re.sub(r"[^A-Za-z0-9.]+", "-", self.given.rstrip("/").rsplit("/", 1)[-1]).strip("-")[:40]
        return f"{self.kind}-{stem or 'kestrapy'}-{digest}"


def sdk_source(text: str, cwd: Path = HERE) -> SdkSource:
    """Read an --sdk value: a version, a requirement, a path, a checkout, a VCS URL or a URL."""
    given = text.strip()
    if not given:
        raise SdkSpecError("--sdk needs a value: a version, a wheel or sdist path, a directory, or git+URL@ref")
    if _VCS.match(given):
        return SdkSource(given, "vcs", given)
    if given.startswith(("https://", "http://", "file://")):
        return SdkSource(given, "url", given)
    if _REQUIREMENT.match(given):
        return SdkSource(given, "index", given)
    path = (cwd / given).resolve()
    if path.is_dir():
        if not any((path / name).is_file() for name in ("pyproject.toml", "setup.py", "setup.cfg")):
            raise SdkSpecError(f"--sdk {given}: a directory, but no Python project (no pyproject.toml or setup.py)")
        return SdkSource(given, "directory", str(path))
    if path.is_file():
        if path.name.endswith(".whl"):
            return SdkSource(given, "wheel", str(path))
        if path.name.endswith((".tar.gz", ".zip", ".tar.bz2")):
            return SdkSource(given, "sdist", str(path))
        raise SdkSpecError(f"--sdk {given}: a file, but neither a wheel (.whl) nor an sdist (.tar.gz, .zip)")
    if _VERSION.match(given):
        return SdkSource(given, "index", f"kestrapy=={given.removeprefix('v')}")
    raise SdkSpecError(
        f"--sdk {given}: no such file or directory, and not a version, a requirement (kestrapy==X), "
        "a URL or git+URL@ref"
    )


@dataclass
class MatrixOptions:
    """What follows `--`: the matrix's own options, and the rest for pytest."""

    sdks: list[SdkSource] = field(default_factory=list)
    contracts: list[str] = field(default_factory=list)
    server_args: str = ""
    matrix_dir: Path = MATRIX_DIR
    pytest_args: list[str] = field(default_factory=list)

    @property
    def remote(self) -> bool:
        return any(a == "--base-url" or a.startswith("--base-url=") for a in self.pytest_args)


def _value(args: Sequence[str], index: int, flag: str) -> tuple[str, int]:
    arg = args[index]
    if arg.startswith(flag + "="):
        return arg.split("=", 1)[1], index + 1
    if index + 1 >= len(args):
        raise SdkSpecError(f"{flag} needs a value")
    return args[index + 1], index + 2


def parse_options(args: Sequence[str], cwd: Path = HERE) -> MatrixOptions:
    options = MatrixOptions()
    index = 0
    while index < len(args):
        arg = args[index]
        flag = arg.split("=", 1)[0]
        if flag == "--sdk":
            value, index = _value(args, index, flag)
            options.sdks.append(sdk_source(value, cwd))
        elif flag == "--contract":
            value, index = _value(args, index, flag)
            if value not in CONTRACTS:
                raise SdkSpecError(f"--contract {value}: the contract versions are {', '.join(CONTRACTS)}")
            options.contracts.append(value)
        elif flag == "--reference-server-args":
            value, index = _value(args, index, flag)
            options.server_args = value
        elif flag == "--matrix-dir":
            value, index = _value(args, index, flag)
            options.matrix_dir = Path(value)
        else:
            options.pytest_args.append(arg)
            index += 1
    if len(options.sdks) > 1:
        raise SdkSpecError("one --sdk per run (each gets a fresh environment); run again for another")
    options.contracts = list(dict.fromkeys(options.contracts)) or list(CONTRACTS)
    return options


def server_runs(options: MatrixOptions) -> list[tuple[str, list[str]]]:
    """(folder, pytest arguments) for each server this SDK meets: one per contract, or the remote one."""
    if options.remote:
        forced = [f"--contract={options.contracts[0]}"] if len(options.contracts) == 1 else []
        extra = [f"--reference-server-args={options.server_args}"] if options.server_args else []
        return [("server", [*forced, *extra, *options.pytest_args])]
    runs = []
    for contract in options.contracts:
        server = shlex.join([*reference_server_version_args(contract), *shlex.split(options.server_args)])
        runs.append((f"contract-{contract}", [f"--reference-server-args={server}", *options.pytest_args]))
    return runs


def reference_server_version_args(contract: str) -> list[str]:
    """The embedded server's arguments for one contract version (contract 1 is its default)."""
    return [] if contract == "1" else ["--kestra-version", contract]


_PROBE = """
import json
try:
    import kestrapy
    kestrapy.UsersApi
    kestrapy.KestraClient
    print(json.dumps({"error": None, "missing_module": None}))
except Exception as error:
    missing = error.name if isinstance(error, ModuleNotFoundError) else None
    print(json.dumps({"error": f"{type(error).__name__}: {error}", "missing_module": missing}))
"""


def _probe(session: nox.Session) -> dict[str, Any]:
    """Try `import kestrapy` in the session's environment; never fails the session."""
    output = session.run("python", "-c", _PROBE, silent=True)
    lines = [line for line in str(output).splitlines() if line.startswith("{")]
    if not lines:
        return {"error": f"the import probe printed nothing usable: {str(output)[-300:]}", "missing_module": None}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _install(session: nox.Session, source: SdkSource) -> None:
    """The SDK as given, over whatever kestrapy the project's pin put there, with its own dependencies."""
    session.install("--force-reinstall", "--no-deps", source.requirement)
    session.install(source.requirement)


def _tail(output: Any, lines: int = 12) -> list[str]:
    return [line for line in str(output).splitlines() if line.strip()][-lines:]


def run_sdk(session: nox.Session, source: SdkSource, options: MatrixOptions) -> None:
    """One kestrapy in this session's fresh environment, against each server; then the matrix again."""
    started = time.monotonic()
    out = options.matrix_dir / "raw" / source.slug
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    session.install(source.requirement)
    clean = _probe(session)
    session.install("-e", ".")
    _install(session, source)
    usable = _probe(session)
    added: list[str] = []
    while usable["error"] and usable["missing_module"] and len(added) < MAX_ADDED_MODULES:
        added.append(str(usable["missing_module"]))
        session.install(added[-1])
        usable = _probe(session)

    servers: dict[str, Any] = {}
    if usable["error"] is None:
        for folder, arguments in server_runs(options):
            (out / folder).mkdir()
            junit = out / folder / "junit.xml"
            output = session.run(
                "pytest",
                "contract",
                "-m",
                "sdk",
                f"--junitxml={junit}",
                "-o",
                "junit_family=xunit1",
                # An SDK of one major against a server of the other: the grid answers, nothing is skipped.
                "--sdk-across-majors",
                # The grid is this SDK's record (matrix.json), not the team's regression corpus: what an
                # SDK under test gets wrong is never written into, nor replayed from, ./regressions.
                "--regressions",
                "off",
                *arguments,
                success_codes=SUITE_EXIT_CODES,
                silent=True,
            )
            print(output)
            asked = folder.removeprefix("contract-") if folder.startswith("contract-") else None
            servers[folder] = {"asked_contract": asked, "output_tail": _tail(output)}
    record = {
        "label": source.label,
        "source": asdict(source),
        "clean_import": clean,
        "added": added,
        "usable_import": usable,
        "servers": servers,
        "seconds": round(time.monotonic() - started, 1),
    }
    (out / "import.json").write_text(json.dumps(record, indent=2) + "\n")
    _rebuild(session, options)


def _rows(options: MatrixOptions) -> list[str]:
    published = [sdk_source(version).slug for version in SDK_VERSIONS]
    return list(dict.fromkeys([*published, *(source.slug for source in options.sdks)]))


def _rebuild(session: nox.Session, options: MatrixOptions) -> None:
    session.run("python", "-m", "contract.sdk.matrix", "--root", str(options.matrix_dir), "--rows", *_rows(options))


def _options(session: nox.Session) -> MatrixOptions:
    try:
        return parse_options(session.posargs)
    except SdkSpecError as error:
        session.error(str(error))


@nox.session
@nox.parametrize("kestrapy", [*SDK_VERSIONS, GIVEN])
def sdk_matrix(session: nox.Session, kestrapy: str) -> None:
    """One kestrapy version (or the one --sdk names) against each server contract; rebuild the matrix."""
    options = _options(session)
    if kestrapy != GIVEN:
        run_sdk(session, sdk_source(kestrapy), options)
    elif options.sdks:
        run_sdk(session, options.sdks[0], options)
    else:
        session.skip("no --sdk given")


@nox.session
def sdk(session: nox.Session) -> None:
    """Only the kestrapy that --sdk names, in a fresh environment: the pre-release gate's run."""
    options = _options(session)
    if not options.sdks:
        session.error("name the kestrapy to test: nox -s sdk -- --sdk PATH|URL|git+URL@ref|VERSION")
    run_sdk(session, options.sdks[0], options)
