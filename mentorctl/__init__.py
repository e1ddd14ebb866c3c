"""mentorctl: run a mentoring program from the terminal, on files you own.

The package is a library first; :mod:`mentorctl.cli` is one thin layer over it.
Heavy modules (SQLAlchemy, SciPy, Jinja2 ...) are imported where they are used,
so importing :mod:`mentorctl` itself is cheap.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
