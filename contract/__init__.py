"""The contract suite that pytest collects (`pytest contract`, or `pytest --pyargs contract`).

Its test modules say what it checks; its parts are the packages below, and its pytest
plugin (`contract.plugin`) is installed with the package.
"""
