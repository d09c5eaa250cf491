"""The project's noxfile as a module, and a kestrapy wheel that no package index has.

The noxfile is not a package (nox loads it by path), so tests load it the same way.
`local_wheel` repackages the kestrapy installed here under a version of its own: real
client code, built without the network, and distinguishable from every published release
by the version the SDK tests then report.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[3]


def load_noxfile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("project_noxfile", REPO / "noxfile.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up while the noxfile is still being executed.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def local_wheel(directory: Path, version: str) -> Path:
    """kestrapy-<version>-py3-none-any.whl: the installed kestrapy's code, with its dependencies."""
    installed = importlib.metadata.distribution("kestrapy")
    files = [f for f in installed.files or [] if f.parts[0] == "kestrapy" and f.suffix != ".pyc"]
    requires = [f"Requires-Dist: {r}" for r in installed.requires or []]
    info = f"kestrapy-{version}.dist-info"
    metadata = "\n".join(["Metadata-Version: 2.1", "Name: kestrapy", f"Version: {version}", *requires, ""])
    wheel = "\n".join(["Wheel-Version: 1.0", "Generator: tests", "Root-Is-Purelib: true", "Tag: py3-none-any", ""])
    entries = {str(f): Path(str(f.locate())).read_bytes() for f in files}
    entries[f"{info}/METADATA"] = metadata.encode()
    entries[f"{info}/WHEEL"] = wheel.encode()
    record = [f"{name},{_digest(data)},{len(data)}" for name, data in entries.items()] + [f"{info}/RECORD,,"]
    path = directory / f"kestrapy-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path
