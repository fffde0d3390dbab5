"""Warm kernels: one Jupyter kernel per worker process, reused notebook after notebook through papermill.

Each worker process keeps one kernel with the heavy imports done (:data:`WARMUP_CODE`) and runs notebook after
notebook in it through papermill with a registered engine (``asc-warm``). Before each notebook the kernel's
namespace is cleared (``%reset -f``), matplotlib's settings and open figures are reset, the working directory
and the runner's environment (read log, output prefix, run id) are set and the execution counter restarts at
1 (:data:`RESET_CODE`), so the executed notebook is the one a fresh kernel would give.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from helpers.core.errors import AscError

#: Code run in a warm kernel once, when it starts: the heavy imports every notebook makes.
WARMUP_CODE = """
import matplotlib
import matplotlib.pyplot
import pandas, numpy, seaborn, scipy.stats, statsmodels.api
import helpers
matplotlib._asc_rc = {k: v for k, v in matplotlib.rcParams.items() if k not in ('backend', 'interactive')}
"""
#: Code run in a warm kernel before each notebook (silently, not recorded in the notebook). It leaves an
#: empty namespace, the matplotlib settings of a fresh kernel and the execution counter at 1.
RESET_CODE = """
import matplotlib as _m, matplotlib.pyplot as _p, os as _o
_p.close('all')
_m.rcParams.update(_m._asc_rc)
_o.chdir({cwd!r})
_o.environ['ASC_READ_LOG'] = {read_log!r}
_o.environ['ASC_OUTPUT_PREFIX'] = {prefix!r}
_o.environ['ASC_RUN_ID'] = {run_id!r}
get_ipython().run_line_magic('reset', '-f')
get_ipython().user_ns.update({{'_': '', '__': '', '___': ''}})
get_ipython().execution_count = 1
"""


class _Warm:
    """The warm kernel of this worker process (one per process)."""

    km: Any = None
    kc: Any = None
    ipc_dir: str | None = None


_WARM = _Warm()


def register_warm_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient  # lazy: slow import (see run_job)
    from papermill.engines import NBClientEngine, papermill_engines  # lazy: as above
    from papermill.utils import merge_kwargs, remove_args  # lazy: as above

    if "asc-warm" in papermill_engines._engines:
        return

    class WarmClient(PapermillNotebookClient):
        preamble: str = ""

        def papermill_execute_cells(self) -> None:  # noqa: D401 - papermill hook
            if self.preamble:
                msg_id = self.kc.execute(self.preamble, silent=True, store_history=False)
                reply = self.wait_for_reply(msg_id)
                if reply is None or reply["content"].get("status") != "ok":
                    err = (reply or {}).get("content", {})
                    raise AscError(f"could not reset the warm kernel: {err.get('ename')}: {err.get('evalue')}")
            super().papermill_execute_cells()

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            preamble = kwargs.pop("preamble", "")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            fresh = _WARM.km is None or not _WARM.km.has_kernel
            if fresh:
                # IPC sockets (no TCP ports) in a private folder: several workers started in the same
                # working directory must never share socket paths.
                _WARM.ipc_dir = tempfile.mkdtemp(prefix="asc-kernel-")
                _WARM.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc",
                                              ip=os.path.join(_WARM.ipc_dir, "kernel"))
                _WARM.kc = None
            client = WarmClient(nb_man, km=_WARM.km, **final)
            client.kc = _WARM.kc
            client.preamble = (WARMUP_CODE if fresh else "") + preamble
            try:
                return client.execute()
            finally:
                _WARM.kc = client.kc

    papermill_engines.register("asc-warm", WarmEngine)


def shutdown_warm_kernel() -> None:
    """Shut down this process's warm kernel, if any."""
    if _WARM.km is not None:
        try:
            if _WARM.kc is not None:
                _WARM.kc.stop_channels()
            run_sync(_WARM.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _WARM.km = _WARM.kc = None
    if _WARM.ipc_dir:
        shutil.rmtree(_WARM.ipc_dir, ignore_errors=True)
        _WARM.ipc_dir = None
