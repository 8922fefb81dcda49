"""`workbench serve`: the Voila command line, the notebooks folder, voila.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from workbench import cli

REPO = Path(__file__).resolve().parents[1]


def test_notebooks_dir_is_the_repository_folder():
    folder = cli.notebooks_dir()
    assert folder == REPO / "notebooks"
    assert (folder / "dashboard.ipynb").is_file()
    assert (folder / "voila.json").is_file()


def test_notebooks_dir_missing_gives_a_clear_error(monkeypatch, tmp_path):
    fake = tmp_path / "src" / "workbench" / "cli.py"
    fake.parent.mkdir(parents=True)
    monkeypatch.setattr(cli, "__file__", str(fake))
    with pytest.raises(FileNotFoundError, match=r"dashboard\.ipynb.*pip install -e"):
        cli.notebooks_dir()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_voila_command_binds_localhost_without_port_retries(theme):
    cmd = cli.voila_command(port=9123, theme=theme, preheat=True, python="PY")
    assert cmd[:4] == ["PY", "-c", cli.VOILA_LAUNCHER, "dashboard.ipynb"]
    for flag in (
        "--template=workbench",
        "--no-browser",
        "--port=9123",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--theme={theme}",
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--preheat_kernel=True",
        "--pool_size=1",
        f"--VoilaKernelManager.fill_delay={cli.POOL_REFILL_DELAY}",
    ):
        assert flag in cmd


def test_voila_command_without_preheat():
    cmd = cli.voila_command(preheat=False)
    assert not any(a.startswith(("--preheat_kernel", "--VoilaKernelManager")) for a in cmd)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"theme": "blue"}, "theme must be 'light' or 'dark'; got 'blue'"),
        ({"port": 0}, r"port must be in 1\.\.65535; got 0"),
        ({"port": 70000}, r"port must be in 1\.\.65535; got 70000"),
    ],
)
def test_voila_command_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cli.voila_command(**kwargs)


class _FakePopen:
    calls: ClassVar[list[dict]] = []

    def __init__(self, cmd, cwd=None, env=None, **kwargs):
        _FakePopen.calls.append({"cmd": cmd, "cwd": Path(cwd), "env": env, **kwargs})
        self.returncode = 0

    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


def test_serve_runs_voila_in_the_notebooks_folder_with_the_data(monkeypatch, tmp_path, capsys):
    _FakePopen.calls = []
    monkeypatch.setattr(subprocess, "Popen", _FakePopen)
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    rc = cli.main(
        ["serve", "--port", "8999", "--theme", "dark", "--data", str(tmp_path), "--no-browser"]
    )
    assert rc == 0
    (call,) = _FakePopen.calls
    assert call["cwd"] == REPO / "notebooks"  # voila.json is read from the cwd
    assert call["env"]["WORKBENCH_DATA"] == str(tmp_path.resolve())
    assert call["env"]["WORKBENCH_THEME"] == "dark"
    assert call["start_new_session"] is True  # Ctrl+C is handled by `serve`, not by Voila
    assert "--port=8999" in call["cmd"] and "--theme=dark" in call["cmd"]
    assert "http://127.0.0.1:8999/" in capsys.readouterr().out


def test_serve_without_data_leaves_the_default(monkeypatch):
    _FakePopen.calls = []
    monkeypatch.setattr(subprocess, "Popen", _FakePopen)
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    assert cli.main(["serve", "--no-browser", "--no-preheat"]) == 0
    (call,) = _FakePopen.calls
    assert "WORKBENCH_DATA" not in call["env"]
    assert "--port=8866" in call["cmd"]
    assert not any(a.startswith("--preheat_kernel") for a in call["cmd"])


def test_serve_with_missing_data_path_fails_clearly(monkeypatch, tmp_path, capsys):
    _FakePopen.calls = []
    monkeypatch.setattr(subprocess, "Popen", _FakePopen)
    rc = cli.main(["serve", "--data", str(tmp_path / "nope"), "--no-browser"])
    assert rc == 2
    assert _FakePopen.calls == []
    assert "no such file or folder" in capsys.readouterr().err


def test_bad_theme_is_refused_by_the_parser():
    with pytest.raises(SystemExit):
        cli.main(["serve", "--theme", "blue"])


def test_voila_json_sets_timeout_culling_and_lab_template():
    conf = json.loads((REPO / "notebooks" / "voila.json").read_text())
    assert conf["VoilaConfiguration"]["template"] == "lab"  # no CDN (STACK.md pitfall 8)
    assert conf["VoilaExecutor"]["timeout"] > 0
    # a cell's output may trail its reply by more than nbclient's 4 s on a busy machine
    assert conf["VoilaExecutor"]["iopub_timeout"] >= 60
    assert "--VoilaExecutor.iopub_timeout=60" in cli.voila_command(max_kernels=1)
    cull = conf["MappingKernelManager"]
    assert cull["cull_idle_timeout"] > 0 and cull["cull_interval"] > 0  # pitfall 3


def test_dashboard_notebook_has_no_definitions_and_is_stripped():
    nb = json.loads((REPO / "notebooks" / "dashboard.ipynb").read_text())
    assert "widgets" not in nb["metadata"]  # STACK.md pitfall 10
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            src = "".join(cell["source"])
            assert "def " not in src and "class " not in src


def test_voila_json_allows_large_uploads():
    """Tornado closes a websocket message over 10 MiB: a 13 MB demand.csv upload then did
    nothing at all in the browser (checked by hand with Playwright)."""
    conf = json.loads((REPO / "notebooks" / "voila.json").read_text())
    size = conf["Voila"]["tornado_settings"]["websocket_max_message_size"]
    assert size >= 100 * 1024 * 1024


def test_voila_launcher_runs_voila_without_rfc3987_syntax():
    """The launcher is Voila's own entry point minus jsonschema's IRI checker (2.4 s of
    importing Voila on a 2-core machine)."""
    probe = "import sys; sys.argv[1:] = ['--version']; " + cli.VOILA_LAUNCHER.replace(
        "sys.exit(main())",
        "import voila, jsonschema; assert sys.modules['rfc3987_syntax'] is None; "
        "print(voila.__version__)",
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().startswith("0.5.")
    out = subprocess.run(
        [sys.executable, "-c", cli.VOILA_LAUNCHER, "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip().startswith("0.5.")


def test_voila_env_puts_the_workbench_template_on_jupyter_path(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    env = cli.voila_env(theme="light")
    first, *rest = env["JUPYTER_PATH"].split(os.pathsep)
    assert Path(first) == cli.JUPYTER_DATA and rest == [str(tmp_path)]
    assert env["WORKBENCH_THEME"] == "light"
    template = cli.JUPYTER_DATA / "voila" / "templates" / "workbench"
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert (template / "index.html.j2").is_file()


def test_workbench_template_renders_like_lab_with_voila_js_before_the_cells():
    """The template Voila finds through voila_env(): the lab page, FontAwesome links gone,
    voila.js right after the page configuration and before the first cell."""
    from jupyter_core.paths import jupyter_path
    from voila.paths import collect_template_paths

    roots = [str(cli.JUPYTER_DATA), *jupyter_path()]
    paths = collect_template_paths(["voila", "nbconvert"], "workbench", root_dirs=roots)
    assert any(p.endswith(os.path.join("voila", "templates", "workbench")) for p in paths)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)
    text = (cli.JUPYTER_DATA / "voila" / "templates" / "workbench" / "index.html.j2").read_text()
    config = text.index('id="jupyter-config-data"')
    script = text.index("voila_setup_labextensions(resources.base_url")
    cells = text.index("cell_generator(nb, kernel_id)")
    assert config < script < cells
    assert "fontawesome-free" in text  # only in the filter that drops the links


def test_voila_json_leaves_out_labextensions_the_dashboard_does_not_use():
    """jupyterlab-plotly (4.7 MB: plotly's mime renderer; the dashboard's FigureWidgets are
    anywidgets with their own bundle) and jupyterlab_pygments (code highlighting; Voila
    strips the code). The widget managers and anywidget stay."""
    conf = json.loads((REPO / "notebooks" / "voila.json").read_text())
    deny = conf["VoilaConfiguration"]["extension_denylist"]
    assert set(deny) == {"jupyterlab-plotly", "jupyterlab_pygments"}
    assert not {"anywidget", "@jupyter-widgets/jupyterlab-manager"} & set(deny)
