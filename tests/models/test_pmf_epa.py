"""Validation on the EPA PMF 5.0 sample data sets (../shared/data/pmf, absent in a fresh clone)."""
from pathlib import Path

import numpy as np
import pytest

from console.pmf_io import load_pmf_input, read_table
from models import pmf

ROOT = Path(__file__).resolve().parents[2]
# the repo root's parent holds shared/; a git worktree under <parent>/wt/<name> looks one level higher
SHARED = next((p for p in (ROOT / ".." / "shared" / "data", ROOT / ".." / ".." / "shared" / "data") if p.is_dir()),
              ROOT / ".." / "shared" / "data")
PMF_DIR = SHARED / "pmf"
pytestmark = pytest.mark.shared


@pytest.fixture(autouse=True)
def _needs_data():
    if not PMF_DIR.is_dir():
        pytest.skip("needs ../shared/data (EPA PMF sample sets), absent in a fresh clone")


def test_readers_on_epa_layouts():
    br = read_table(PMF_DIR / "Dataset-BatonRouge-con.csv")
    assert br.values.shape == (307, 41)
    bal = read_table(PMF_DIR / "Dataset-Baltimore_con.txt")
    assert bal.values.shape == (630, 26) and bal.species[0] == "PM2.5"
    stl = read_table(PMF_DIR / "Dataset-StLouis-con.csv")
    assert stl.values.shape == (418, 13) and (stl.values == 0).any()


@pytest.mark.slow
def test_baton_rouge_6_factors_q_true_vs_pmf5():
    """EPA PMF 5.0 base run, all species strong, 6 factors: Q(true) 64,509.9.

    Our non-robust best Q(true) must be within 0.1 % of it or lower (a better minimum).  With seed 0
    the first 6 starts give 63,818.7, 63,821.1, 64,475.9, 64,500.1 (−0.015 %), 65,829.6, 66,803.0.
    """
    names = read_table(PMF_DIR / "Dataset-BatonRouge-con.csv").species
    data = load_pmf_input(PMF_DIR / "Dataset-BatonRouge-con.csv", PMF_DIR / "Dataset-BatonRouge-unc.csv",
                          categories={s: "strong" for s in names})
    res = pmf.run_pmf(data, 6, starts=6, seed=0, robust=False, workers=2)
    qs = sorted(r.q_true for r in res.start_records)
    print("Baton Rouge Q(true) per start:", [round(q, 1) for q in qs])
    assert res.q_true <= 64509.9 * 1.001
    assert any(abs(q / 64509.9 - 1) < 0.001 for q in qs)          # PMF5's own minimum is reproduced
    assert res.q_expected == 307 * 41 - 6 * (307 + 41)


def test_st_louis_end_to_end_interpretable():
    data = load_pmf_input(PMF_DIR / "Dataset-StLouis-con.csv", PMF_DIR / "Dataset-StLouis-unc.csv", total="Mass")
    res = pmf.run_pmf(data, 5, starts=4, seed=0, robust=True, workers=2)
    pmf.annotate(res)
    pct = res.profiles_percent()
    no3 = res.species.index("NO3")
    k = int(np.argmax(pct[:, no3]))
    assert pct[k, no3] > 80 and res.factor_names[k] == "Secondary nitrate"
    assert abs(res.total_shares().sum() - 100) < 1e-6
    assert res.signature_version


def test_baltimore_end_to_end_interpretable():
    data = load_pmf_input(PMF_DIR / "Dataset-Baltimore_con.txt", PMF_DIR / "Dataset-Baltimore_unc.txt",
                          total="PM2.5")
    assert data.categories[data.species.index("PM2.5")] == "weak"
    res = pmf.run_pmf(data, 6, starts=4, seed=0, robust=True, workers=2)
    pmf.annotate(res)
    tops = {m[0][0] for m in res.matches}
    assert {"Secondary sulfate", "Secondary nitrate"} <= tops
    assert res.q_ratio < 5
