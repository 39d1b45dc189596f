"""Sphinx configuration of the web book: the notebooks of the series as one static, offline HTML site.

Built by `python book/build.py`, which stages notebooks/*.ipynb (copies with generated cell tags, quizzes as
HTML, figure captions; see build.py) next to a generated index.md and runs Sphinx with this file as its
configuration. The stored outputs are shown as committed: nothing is executed.

Theme: sphinx-book-theme (the look of Jupyter Book, on pydata-sphinx-theme): light and dark modes, a layout
for phones, the page's table of contents in the right-hand column, search. Every asset it uses (Bootstrap,
Font Awesome and its fonts) ships inside the package and is copied into _static/; nothing here asks another
host for anything (tests/test_book.py checks every page).
"""

project = "Backpropagation, derived and proved"
author = "the backprop_lib authors"
copyright = "the backprop_lib authors, MIT licence"

extensions = [
    "myst_nb",  # reads .ipynb (and MyST markdown) with their stored outputs
    "sphinx-mathjax-offline",  # copies MathJax 3 from the PyPI package into _static/mathjax
]

# Notebooks are rendered from their stored outputs, never run: the book is as fast and as deterministic
# as the committed notebooks.
nb_execution_mode = "off"
# Widgets need the ipywidgets HTML manager from a CDN; the book is offline, so none is loaded and a
# widget shows nothing. Quizzes are no widgets here: build.py replaces each with its question as HTML.
nb_ipywidgets_js = {}
nb_merge_streams = True
# text/markdown outputs (the proof engine's verdicts) are parsed as MyST, so their $$...$$ becomes math;
# plain CommonMark would leave the TeX as text and mangle its underscores into emphasis.
nb_render_markdown_format = "myst"
# A folded cell says what it hides; build.py sets a more precise prompt per cell ("Show the imports").
nb_code_prompt_show = "Show the code"
nb_code_prompt_hide = "Hide the code"

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# MathJax from the local copy only (relative to _static); never the CDN default. myst-parser adds the
# processHtmlClass option (only math elements and `tex2jax_process` regions are typeset). The quizzes are
# raw HTML in a `tex2jax_process` region that keeps its math as $...$ (the notation of the quiz data), so
# MathJax also reads $...$ and $$...$$ there; \$ stays a literal dollar.
mathjax_path = "mathjax/tex-chtml.js"
mathjax4_config = {
    "tex": {
        "inlineMath": [["\\(", "\\)"], ["$", "$"]],
        "displayMath": [["\\[", "\\]"], ["$$", "$$"]],
        "processEscapes": True,
    },
}

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
master_doc = "index"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["static"]
html_css_files = ["book.css"]
html_theme_options = {
    "home_page_in_toc": False,  # the site title above the contents leads to the front page
    "show_navbar_depth": 1,
    "show_toc_level": 2,  # the page's sections and subsections on the right
    "toc_title": "On this page",
    "use_download_button": True,  # .ipynb (the original notebook, see build.py) and print-to-PDF
    "use_fullscreen_button": False,
    "search_bar_text": "Search the book...",
    "back_to_top_button": True,
    "show_prev_next": True,  # "previous / next" at the foot of every page
    "primary_sidebar_end": [],  # no Read the Docs ad slot
    "navbar_persistent": [],  # search lives in the left column (a second box in a top bar otherwise)
    "footer_content_items": ["copyright.html"],
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
html_copy_source = True  # the download button serves _sources/notebooks/*.ipynb (build.py puts the
html_show_sourcelink = False  # original notebooks there)
html_last_updated_fmt = None


def _keep_tagged_math_whole(app, doctree):
    r"""Sphinx wraps display math that holds a line break (\\) in \begin{split}...\end{split}, where
    MathJax refuses \tag (e.g. `$$\begin{aligned}...\end{aligned} \tag{4.7}$$`). Such equations are
    passed to MathJax unchanged, between \[ and \], exactly as JupyterLab shows them."""
    from docutils import nodes

    for node in doctree.findall(nodes.math_block):
        tex = node.astext()
        if r"\tag" in tex and "\\\\" in tex:
            node["nowrap"] = True
            node.children = [nodes.Text(r"\[" + tex + r"\]")]


def setup(app):
    app.connect("doctree-read", _keep_tagged_math_whole)
