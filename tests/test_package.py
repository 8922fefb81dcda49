"""The package as a whole: what `import workbench` brings in."""

import subprocess
import sys

import workbench as wb


def test_public_names_are_unique_and_importable():
    assert len(wb.__all__) == len(set(wb.__all__))
    missing = [name for name in wb.__all__ if not hasattr(wb, name)]
    assert missing == []


def test_import_loads_no_widgets_and_no_scipy_stats():
    # Calculators must run in a plain script (DESIGN.md: nothing below ui imports
    # ipywidgets or plotly), and every Voila kernel pays for what `import workbench`
    # loads: scipy.stats alone costs about a second, so the package uses scipy.special;
    # numba (half a second) is imported by the simulator when it runs.
    code = (
        "import sys, workbench; print(sorted(m for m in "
        "('ipywidgets', 'plotly', 'scipy.stats', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
