"""The package's layout rules, read from its own imports (``scripts/import_graph.py``).

Stages ``core -> data -> analysis -> reports -> pipeline``: a module imports from its own stage and earlier
ones only; analysis (and core, data) never import matplotlib, seaborn or IPython; no import circle; no
module over 500 lines; no private name used from another module; imports at the top of the module (a
deliberate lazy import of a heavy optional dependency carries ``# lazy: why``).

``KNOWN`` lists the breaks that remain while the package is being rearranged; it may only shrink, and the
test fails when an entry is mended but still listed (so the list stays true).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = import_graph
_spec.loader.exec_module(import_graph)

#: Rule breaks still to mend (must only shrink).
KNOWN: set[str] = {
    'circle: helpers.analysis.benchmarking.outcomes <-> helpers.analysis.benchmarking.spend',
    'inner import: helpers.analysis.benchmarking.outcomes imports helpers.data.tables inside a function',
    'inner import: helpers.analysis.benchmarking.outcomes imports helpers.reports.plots inside a function',
    'inner import: helpers.analysis.benchmarking.outcomes imports helpers.reports.plots.benchmarking inside a function',
    'inner import: helpers.analysis.benchmarking.outcomes imports helpers.reports.present inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.analysis.benchmarking.outcomes inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.core.paths inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.data.national.comparators inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.data.national.population inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.data.national.spend inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.data.sources inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.reports.plots inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.reports.plots.benchmarking inside a function',
    'inner import: helpers.analysis.benchmarking.spend imports helpers.reports.present inside a function',
    "inner import: helpers.analysis.demand.models imports statsmodels inside a function without '# lazy: why'",
    'inner import: helpers.analysis.demand.series imports helpers.analysis.demand.demography inside a function',
    'inner import: helpers.analysis.demand.series imports helpers.core.paths inside a function',
    'inner import: helpers.analysis.demand.series imports helpers.data.councils inside a function',
    'inner import: helpers.analysis.demand.series imports helpers.data.national.population inside a function',
    'inner import: helpers.analysis.demand.series imports helpers.data.tables inside a function',
    'inner import: helpers.analysis.scorecard imports helpers.analysis.variance.budget inside a function',
    'inner import: helpers.analysis.scorecard imports helpers.data.council_reports inside a function',
    'inner import: helpers.analysis.scorecard imports helpers.reports.present inside a function',
    "inner import: helpers.analysis.stats imports statsmodels inside a function without '# lazy: why'",
    'inner import: helpers.analysis.variance.budget imports helpers.reports.present inside a function',
    'inner import: helpers.core.errors imports helpers.core.paths inside a function',
    'inner import: helpers.data.council_reports imports helpers.data.councils inside a function',
    'inner import: helpers.data.council_reports imports helpers.data.io inside a function',
    "inner import: helpers.data.council_reports imports io inside a function without '# lazy: why'",
    'inner import: helpers.data.councils imports helpers.data.national.reading inside a function',
    'inner import: helpers.data.councils imports helpers.data.schemas inside a function',
    "inner import: helpers.data.io imports python_calamine inside a function without '# lazy: why'",
    'inner import: helpers.data.national.activity imports helpers.data.councils inside a function',
    'inner import: helpers.data.national.activity imports helpers.data.schemas inside a function',
    'inner import: helpers.data.national.ascof imports helpers.data.councils inside a function',
    'inner import: helpers.data.national.population imports helpers.data.councils inside a function',
    'inner import: helpers.data.national.population imports helpers.data.schemas inside a function',
    'inner import: helpers.data.national.population imports helpers.data.tables inside a function',
    'inner import: helpers.data.national.spend imports helpers.data.councils inside a function',
    'inner import: helpers.data.national.spend imports helpers.data.schemas inside a function',
    'inner import: helpers.data.national.spend imports helpers.data.tables inside a function',
    "inner import: helpers.data.tables imports os inside a function without '# lazy: why'",
    "inner import: helpers.data.tables imports pyarrow inside a function without '# lazy: why'",
    "inner import: helpers.reports.demand_trends imports IPython inside a function without '# lazy: why'",
    'inner import: helpers.reports.demand_trends imports helpers.analysis.benchmarking.spend inside a function',
    'inner import: helpers.reports.demand_trends imports helpers.data.councils inside a function',
    'inner import: helpers.reports.demand_trends imports helpers.reports.plots inside a function',
    'inner import: helpers.reports.demand_trends imports helpers.reports.plots.demand inside a function',
    'inner import: helpers.reports.demand_trends imports helpers.reports.present inside a function',
    'inner import: helpers.reports.plots.finance imports helpers.analysis.variance.budget inside a function',
    "inner import: helpers.reports.plots.finance imports itertools inside a function without '# lazy: why'",
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._range_text',
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._rank_text',
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._record',
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._signed1',
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._stamp',
    'private: helpers.analysis.benchmarking.outcomes uses helpers.analysis.benchmarking.spend._table',
    'private: helpers.analysis.benchmarking.spend uses helpers.data.councils._split',
    'private: helpers.data.national.comparators uses helpers.data.councils._split',
    'private: helpers.pipeline.outputs uses helpers.data.tables._read_state',
    'private: helpers.reports.demand_trends uses helpers.analysis.demand.models._resolve_models',
    'private: helpers.reports.demand_trends uses helpers.analysis.demand.series._fy',
    'size: helpers.analysis.benchmarking.outcomes has 812 lines (at most 500)',
    'size: helpers.analysis.benchmarking.spend has 1242 lines (at most 500)',
    'size: helpers.analysis.demand.models has 1293 lines (at most 500)',
    'size: helpers.analysis.demand.series has 800 lines (at most 500)',
    'size: helpers.analysis.scorecard has 771 lines (at most 500)',
    'size: helpers.analysis.stats has 524 lines (at most 500)',
    'size: helpers.analysis.variance.budget has 1166 lines (at most 500)',
    'size: helpers.data.council_reports has 920 lines (at most 500)',
    'size: helpers.data.councils has 612 lines (at most 500)',
    'size: helpers.data.national.ascof has 704 lines (at most 500)',
    'size: helpers.data.national.population has 762 lines (at most 500)',
    'size: helpers.data.national.spend has 848 lines (at most 500)',
    'size: helpers.data.schemas has 690 lines (at most 500)',
    'size: helpers.reports.demand_trends has 949 lines (at most 500)',
    'stage: helpers.analysis.benchmarking.outcomes (analysis) imports helpers.reports.plots (reports), a later stage',
    'stage: helpers.analysis.benchmarking.outcomes (analysis) imports helpers.reports.plots.benchmarking (reports), a later stage',
    'stage: helpers.analysis.benchmarking.outcomes (analysis) imports helpers.reports.present (reports), a later stage',
    'stage: helpers.analysis.benchmarking.spend (analysis) imports helpers.reports.plots (reports), a later stage',
    'stage: helpers.analysis.benchmarking.spend (analysis) imports helpers.reports.plots.benchmarking (reports), a later stage',
    'stage: helpers.analysis.benchmarking.spend (analysis) imports helpers.reports.present (reports), a later stage',
    'stage: helpers.analysis.scorecard (analysis) imports helpers.reports.present (reports), a later stage',
    'stage: helpers.analysis.variance.budget (analysis) imports helpers.reports.present (reports), a later stage',
}


def test_no_new_rule_breaks():
    new = sorted(set(import_graph.violations()) - KNOWN)
    assert not new, "layout rule broken:\n" + "\n".join(new)


def test_known_list_is_current():
    mended = sorted(KNOWN - set(import_graph.violations()))
    assert not mended, "mended, so remove from KNOWN:\n" + "\n".join(mended)


def test_reader_finds_a_planted_break(tmp_path):
    pkg = tmp_path / "helpers"
    (pkg / "core").mkdir(parents=True)
    (pkg / "analysis").mkdir()
    for d in (pkg, pkg / "core", pkg / "analysis"):
        (d / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from helpers.analysis import b\n")
    (pkg / "analysis" / "b.py").write_text("import matplotlib\nfrom helpers.core import a\n"
                                           "def f():\n    from helpers.core import a\n    return a._x\n")
    found = import_graph.violations(import_graph.read_modules(pkg))
    text = "\n".join(found)
    assert "stage: helpers.core.a (core) imports helpers.analysis.b (analysis), a later stage" in found
    assert "presentation: helpers.analysis.b (analysis) imports matplotlib" in found
    assert "circle: helpers.analysis.b <-> helpers.core.a" in found
    assert "private: helpers.analysis.b uses helpers.core.a._x" in text
    assert "inner import: helpers.analysis.b imports helpers.core.a inside a function" in found
