"""Widget panels (ipywidgets + plotly). Imported explicitly: ``from workbench import ui``.

Each panel subclasses an ipywidgets container, takes data, owns its controls and its
plotly FigureWidgets, exposes its result as a trait and never calls ``display()``.
:class:`Dashboard` composes them in tabs (see :data:`workbench.ui.app.TABS`).
"""

import os
import sys

# plotly's FigureWidget imports nbformat -> jsonschema, whose optional IRI format checker
# (rfc3987_syntax) compiles a lark grammar at import time: about 3 s of every dashboard
# kernel start on a 2-core machine (0.7 s instead of 3.8 s for `go.FigureWidget`). Nothing in
# a kernel validates IRIs, so mark that optional module absent unless it is already loaded;
# jsonschema imports it inside `contextlib.suppress(ImportError)`.
sys.modules.setdefault("rfc3987_syntax", None)

# In a Voila kernel nothing renders a figure through plotly.io (the dashboard shows
# FigureWidgets), so plotly's renderers need not import nbformat, which imports jsonschema:
# about 5 MB of every kernel and 0.5-0.9 s of its first chart (issue 16). Elsewhere (a
# notebook calling fig.show()) nbformat stays importable.
if "VOILA_KERNEL_ID" in os.environ or "VOILA_PREHEAT" in os.environ:
    sys.modules.setdefault("nbformat", None)

from ._common import Panel, sync_figures  # noqa: E402
from .app import TABS, Dashboard, SummaryPanel, TabSpec, default_dataset  # noqa: E402
from .data_panel import DataPanel  # noqa: E402
from .scenario_panel import ScenarioPanel  # noqa: E402

__all__ = [
    "TABS",
    "Dashboard",
    "DataPanel",
    "Panel",
    "ScenarioPanel",
    "SummaryPanel",
    "TabSpec",
    "default_dataset",
    "sync_figures",
]
