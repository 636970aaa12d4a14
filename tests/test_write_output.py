"""Report files are written atomically, through symlinks, keeping permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmcost.commands._common import write_output
from llmcost.errors import LlmcostError


def test_symlink_target_is_replaced_and_link_kept(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output("new", link)
    assert link.is_symlink() and real.read_text() == "new\n"


def test_permissions_are_kept(tmp_path: Path):
    f = tmp_path / "r.md"
    f.write_text("old\n")
    os.chmod(f, 0o640)
    write_output("new", f)
    assert (f.stat().st_mode & 0o777) == 0o640 and f.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temp file left


def test_missing_folder_is_an_error(tmp_path: Path):
    with pytest.raises(LlmcostError, match="output folder does not exist"):
        write_output("x", tmp_path / "nope" / "r.md")


def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path):
    # "-o /dev/null" renamed the temp file over the device (as root: /dev/null became a regular file)
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    write_output("compressed", fifo)
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got == ["compressed\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temp file
