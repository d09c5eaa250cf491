"""The suite's hooks and fixtures are the plugin `contract.plugin`, which the package installs
(entry point `pytest11`): so the suite runs the same from this checkout and from an installed
wheel (`pytest --pyargs contract`).
"""
