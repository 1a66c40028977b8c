"""The claims package's version (``pipeline.__version__``), in a module of its own so that
the modules naming it in records and the CLI need not import the package's API."""

__version__ = "0.1.0"
