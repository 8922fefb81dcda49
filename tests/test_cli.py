"""`workbench serve`: the Voila command line, the notebooks folder, voila.json."""

from __future__ import annotations

import json
import subprocess
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
    assert cmd[:4] == ["PY", "-m", "voila", "dashboard.ipynb"]
    for flag in (
        "--no-browser",
        "--port=9123",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--theme={theme}",
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--preheat_kernel=True",
        "--pool_size=1",
    ):
        assert flag in cmd


def test_voila_command_without_preheat():
    cmd = cli.voila_command(preheat=False)
    assert not any(a.startswith("--preheat_kernel") for a in cmd)


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
