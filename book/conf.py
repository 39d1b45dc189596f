"""Sphinx configuration of the web book: the notebooks of the series as one static, offline HTML site.

Built by `python book/build.py` (which stages notebooks/*.ipynb next to index.md and runs Sphinx with this
file as its configuration). The stored outputs are shown as committed: nothing is executed.
"""
project = "Backpropagation, derived"
author = "the backprop_lib authors"
copyright = "the backprop_lib authors, MIT licence"

extensions = [
    "myst_nb",                 # reads .ipynb (and MyST markdown) with their stored outputs
    "sphinx-mathjax-offline",  # copies MathJax 3 from the PyPI package into _static/mathjax
]

# Notebooks are rendered from their stored outputs, never run: the book is as fast and as deterministic
# as the committed notebooks.
nb_execution_mode = "off"
# Widgets need the ipywidgets HTML manager from a CDN; the book is offline, so none is loaded and a
# widget shows nothing (its question text, if any, stays in the notebook's markdown).
nb_ipywidgets_js = {}
nb_merge_streams = True
# text/markdown outputs (the proof engine's verdicts) are parsed as MyST, so their $$...$$ becomes math;
# plain CommonMark would leave the TeX as text and mangle its underscores into emphasis.
nb_render_markdown_format = "myst"

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# MathJax from the local copy only (relative to _static); never the CDN default.
mathjax_path = "mathjax/tex-chtml.js"

exclude_patterns = ["_build", "**.ipynb_checkpoints", "conf.py", "build.py"]
master_doc = "index"

html_theme = "alabaster"
html_title = project
html_theme_options = {
    "show_relbars": True,        # "previous | next" bars above and below every page
    "sidebar_collapse": True,
    "fixed_sidebar": False,
    "font_family": "sans-serif",
    "head_font_family": "sans-serif",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_copy_source = False
html_show_sourcelink = False


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
