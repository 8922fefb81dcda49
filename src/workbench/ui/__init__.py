"""Widget panels (ipywidgets + plotly). Imported explicitly: ``from workbench import ui``."""
