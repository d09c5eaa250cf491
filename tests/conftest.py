"""The project's tests start hundreds of Python processes: suite runs, reference servers, SDK checks.

Where writing bytecode is switched off (PYTHONDONTWRITEBYTECODE, set on some CI images), each
of them compiles the suite, hypothesis and schemathesis from source again (pytest rewrites all
of the last two, as plugins): seconds of CPU apiece, which no ordinary installation spends.
Bytecode is Python's default; the project's tests turn it back on for themselves and their children.
"""

import os
import sys

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
