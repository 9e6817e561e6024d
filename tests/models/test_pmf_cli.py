"""``lantian pmf`` CLI and the EPA PMF5 file reader: outputs, equation form, every bad-input case."""
import json
from pathlib import Path

import numpy as np
import pytest

from console.cli import main
from console.errors import InputError
from console.pmf_io import load_pmf_input, read_table

DATA = Path(__file__).resolve().parents[1] / "data" / "pmf"
CON, UNC = DATA / "small_con.csv", DATA / "small_unc.csv"


def run(*args):
    return main(["pmf", *map(str, args)])


def test_run_writes_contract_files(tmp_path, capsys):
    out = tmp_path / "out"
    code = run("run", "--conc", CON, "--unc", UNC, "--factors", 3, "--starts", 3, "--seed", 5, "--robust",
               "--total", "PM25", "--bs", 5, "--disp", "--disp-species", "SO4,NO3", "--workers", 1, "--out", out,
               "--quiet")
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    for key in ("q_true", "q_robust", "q_expected", "factors", "starts", "seed", "converged"):
        assert key in s
    assert s["factors"] == 3 and s["starts"] == 3 and s["seed"] == 5 and s["robust"] is True
    assert s["engine_version"] and s["signature_library_version"]
    assert s["categories"]["PM25"] == "weak"
    assert len(s["start_runs"]) == 3 and "bootstrap" in s and "displacement" in s
    prof = read_table(out / "profiles.csv")
    assert prof.index[:2] == ["PM25", "SO4"] and prof.values.shape == (8, 6)
    assert np.allclose(np.nansum(prof.values[:, 3:], axis=1), 100.0, atol=1e-3)
    con = read_table(out / "contributions.csv")
    assert con.values.shape == (60, 6)           # 3 normalised + 3 in PM25 units
    for f in ("bootstrap.csv", "bootstrap_mapping.csv", "disp.csv", "disp_swaps.csv", "residuals.csv", "result.nc"):
        assert (out / f).is_file(), f
    import xarray as xr
    with xr.open_dataset(out / "result.nc") as ds:
        assert ds.attrs["engine_version"] and ds["profile"].shape == (3, 8)


def test_fpeak_and_constraints_report_dq(tmp_path):
    out = tmp_path / "rot"
    assert run("run", "--conc", CON, "--unc", UNC, "--factors", 3, "--starts", 2, "--workers", 1, "--out", out,
               "--constrain", "set_zero:1:SO4", "--fpeak", "0.3", "--quiet", "--no-netcdf") == 0
    s = json.loads((out / "summary.json").read_text())
    kinds = [r["kind"] for r in s["rotations"]]
    assert kinds == ["constraints", "fpeak"]
    assert all(r["dQ"] >= -1.0 for r in s["rotations"])
    prof = read_table(out / "profiles.csv")
    assert prof.values[prof.index.index("SO4"), 0] == 0.0
    assert len(s["q_per_sample"]) == 60 and "SO4" in s["scaled_residuals_per_species"]


def test_bad_constraint_is_one_line(tmp_path, capsys):
    err = _bad(capsys, "run", "--conc", CON, "--unc", UNC, "--factors", 2, "--starts", 1, "--workers", 1,
               "--out", tmp_path / "o", "--constrain", "set_zero:7:SO4")
    assert "factor 7 out of range 1..2" in err


def test_same_seed_reproducible_via_cli(tmp_path):
    for d in ("a", "b"):
        assert run("run", "--conc", CON, "--unc", UNC, "--factors", 2, "--starts", 2, "--seed", 3, "--workers", 1,
                   "--out", tmp_path / d, "--quiet", "--no-netcdf") == 0
    qa = json.loads((tmp_path / "a" / "summary.json").read_text())["q_true"]
    qb = json.loads((tmp_path / "b" / "summary.json").read_text())["q_true"]
    assert qa == qb


def test_tab_txt_with_trailing_empty_rows():
    t = read_table(DATA / "small_con.txt")
    assert t.values.shape == (60, 8) and t.species[0] == "PM25"
    a = load_pmf_input(DATA / "small_con.txt", DATA / "small_unc.txt")
    b = load_pmf_input(CON, UNC)
    assert np.allclose(a.conc, b.conc) and np.allclose(a.unc, b.unc)


def test_equation_based_uncertainty(tmp_path):
    out = tmp_path / "eq"
    assert run("run", "--conc", CON, "--mdl", DATA / "small_mdl.csv", "--error-fraction", 0.1, "--factors", 3,
               "--starts", 2, "--workers", 1, "--out", out, "--quiet", "--no-netcdf") == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["q_true"] > 0
    d = load_pmf_input(CON, mdl=DATA / "small_mdl.csv", error_fraction=0.1)
    x, u = d.conc[:, 1], d.unc[:, 1]
    mdl = 0.7609
    assert np.allclose(u[x <= mdl], 5 / 6 * mdl)
    assert np.allclose(u[x > mdl], np.sqrt((0.1 * x[x > mdl]) ** 2 + (0.5 * mdl) ** 2))


def test_names_persist_and_carry_over(tmp_path):
    out1 = tmp_path / "r1"
    assert run("run", "--conc", CON, "--unc", UNC, "--factors", 2, "--starts", 2, "--workers", 1, "--out", out1,
               "--names", "Alpha,Beta", "--quiet", "--no-netcdf") == 0
    assert json.loads((out1 / "summary.json").read_text())["factor_names"] == ["Alpha", "Beta"]
    out2 = tmp_path / "r2"
    assert run("run", "--conc", CON, "--unc", UNC, "--factors", 2, "--starts", 2, "--seed", 1, "--workers", 1,
               "--out", out2, "--names-from", out1 / "summary.json", "--quiet", "--no-netcdf") == 0
    assert sorted(json.loads((out2 / "summary.json").read_text())["factor_names"]) == ["Alpha", "Beta"]


def test_scan_factor_counts(tmp_path):
    assert run("scan", "--conc", CON, "--unc", UNC, "--factors", "2-4", "--starts", 2, "--workers", 1,
               "--out", tmp_path, "--quiet") == 0
    rows = json.loads((tmp_path / "factor_scan.json").read_text())
    assert [r["factors"] for r in rows] == [2, 3, 4]
    assert rows[0]["q_true"] > rows[2]["q_true"]


# ------------------------------------------------------------------ bad input: one clear line ------
def _copy(tmp_path, name, edit):
    src = (DATA / name).read_text().splitlines()
    dst = tmp_path / name
    dst.write_text("\n".join(edit(src)) + "\n")
    return dst


def _bad(capsys, *args):
    code = run(*args)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_header_mismatch(tmp_path, capsys):
    unc = _copy(tmp_path, "small_unc.csv", lambda L: [L[0].replace("NO3", "Nitrate")] + L[1:])
    err = _bad(capsys, "run", "--conc", CON, "--unc", unc, "--factors", 2, "--out", tmp_path / "o")
    assert "small_unc.csv" in err and "'Nitrate'" in err and "NO3" in err


def test_shape_mismatch_rows(tmp_path, capsys):
    unc = _copy(tmp_path, "small_unc.csv", lambda L: L[:-3])
    err = _bad(capsys, "run", "--conc", CON, "--unc", unc, "--factors", 2, "--out", tmp_path / "o")
    assert "small_unc.csv" in err and "57 data rows" in err


def test_shape_mismatch_columns(tmp_path, capsys):
    unc = _copy(tmp_path, "small_unc.csv", lambda L: [",".join(l.split(",")[:-1]) for l in L])
    err = _bad(capsys, "run", "--conc", CON, "--unc", unc, "--factors", 2, "--out", tmp_path / "o")
    assert "small_unc.csv" in err and "7 species columns" in err


@pytest.mark.parametrize("value", ["0", "-0.3"])
def test_zero_or_negative_uncertainty(tmp_path, capsys, value):
    def edit(L):
        cells = L[4].split(",")
        cells[3] = value
        return L[:4] + [",".join(cells)] + L[5:]
    unc = _copy(tmp_path, "small_unc.csv", edit)
    err = _bad(capsys, "run", "--conc", CON, "--unc", unc, "--factors", 2, "--out", tmp_path / "o")
    assert "small_unc.csv, line 5, column 'NO3'" in err and "uncertainty must be > 0" in err


def test_all_missing_species(tmp_path, capsys):
    def edit(L):
        out = [L[0]]
        for l in L[1:]:
            c = l.split(",")
            c[5] = ""
            out.append(",".join(c))
        return out
    con = _copy(tmp_path, "small_con.csv", edit)
    err = _bad(capsys, "run", "--conc", con, "--unc", UNC, "--factors", 2, "--out", tmp_path / "o")
    assert "small_con.csv, column 'EC'" in err and "all missing" in err


def test_non_numeric_cell(tmp_path, capsys):
    def edit(L):
        c = L[10].split(",")
        c[2] = "n/a?"
        return L[:10] + [",".join(c)] + L[11:]
    con = _copy(tmp_path, "small_con.csv", edit)
    err = _bad(capsys, "run", "--conc", con, "--unc", UNC, "--factors", 2, "--out", tmp_path / "o")
    assert "small_con.csv, line 11, column 'SO4'" in err and "non-numeric value 'n/a?'" in err


def test_more_factors_than_species(tmp_path, capsys):
    err = _bad(capsys, "run", "--conc", CON, "--unc", UNC, "--factors", 9, "--workers", 1, "--out", tmp_path / "o")
    assert "small_con.csv" in err and "9 factors but only 8 fitted species" in err


def test_missing_file_and_unknown_total(tmp_path, capsys):
    err = _bad(capsys, "run", "--conc", tmp_path / "nope.csv", "--unc", UNC, "--factors", 2, "--out", tmp_path / "o")
    assert "nope.csv: file not found" in err
    err = _bad(capsys, "run", "--conc", CON, "--unc", UNC, "--total", "PM10", "--factors", 2, "--out", tmp_path / "o")
    assert "column 'PM10'" in err


def test_reader_raises_input_error_type(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("Date,a\n1,abc\n")
    with pytest.raises(InputError) as e:
        read_table(bad)
    assert e.value.line == 2 and e.value.field == "a"
