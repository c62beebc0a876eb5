"""Sphinx configuration of the docs site (`make docs`): the executed course, rendered with myst-nb, never re-executed.

Why Sphinx + myst-nb + sphinx-book-theme: nbdev's own `nbdev_docs` needs Quarto, which cannot be installed offline; all
three of these install from PyPI, build offline in seconds from the notebooks `make course` executed, and render their
tables and figures as they are. `scripts/build_docs.py` stages the sources (chapters, landing page, API reference) and
calls Sphinx with this file.
"""
import configparser
from pathlib import Path

_cfg = configparser.ConfigParser()
_here = Path(__file__).resolve().parent      # the staged copy carries settings.ini beside it
_cfg.read(_here/'settings.ini' if (_here/'settings.ini').exists() else _here.parent/'settings.ini')
_s = _cfg['DEFAULT']

project, author, copyright = _s['title'], _s['author'], _s['copyright']
release = _s['version']
extensions = ['myst_nb', 'sphinx.ext.autodoc']
exclude_patterns = ['_build', '**.ipynb_checkpoints']
nb_execution_mode = 'off'                     # the site shows the run that wrote results/, it never reruns a chapter
nb_render_markdown_format = 'myst'            # Markdown outputs (the course's tables) are rendered as Markdown tables
myst_heading_anchors = 3
myst_enable_extensions = ['dollarmath', 'amsmath']
mathjax_path = 'mathjax/tex-chtml.js'         # served from the site itself (scripts/build_docs.py): no CDN
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type']
html_theme = 'sphinx_book_theme'
html_title = 'mmtrend: will this outfit trend?'
html_last_updated_fmt = None                  # no build date: the same run gives the same site
html_theme_options = {'repository_url': _s['git_url'], 'use_repository_button': True, 'show_toc_level': 2,
                      'home_page_in_toc': True, 'path_to_docs': 'nbs',
                      'use_download_button': False}
html_context = {'default_mode': 'light'}
html_favicon = '_static/favicon.svg'   # without one the browser asks for /favicon.ico and logs a 404
html_static_path = ['_static']
html_copy_source = False
html_show_sourcelink = False
