"""coder: code Norwegian open-ended survey answers into themes.

The library is usable on its own; the ``coder`` command line is a thin layer over it.
"""

from coder.errors import CoderError

__version__ = "0.1.0"
__all__ = ["CoderError", "__version__"]
