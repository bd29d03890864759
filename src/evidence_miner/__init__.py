"""evidence-miner: structured evidence records from medical news articles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evidence-miner")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
