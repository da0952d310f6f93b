"""counterflow: evaluate strategies against drug-trafficking organizations before anyone acts.

The package is layered (see DESIGN.md, "Architecture"): infrastructure (`errors`, `network`,
`assign`) at the bottom, the trafficking submodels above it, and the command-line interface on
top. Importing the package changes nothing global.
"""

__version__ = "0.1.0"
