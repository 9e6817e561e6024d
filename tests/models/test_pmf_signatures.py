"""Signature library and factor matching."""
import json
from importlib import resources

import numpy as np

from models import pmf
from models.pmf.signatures import load_library, match_factors, transfer_names

REQUIRED = ["Secondary nitrate", "Secondary sulfate", "Secondary inorganic (SNA, ammonium)", "Crustal / road dust",
            "Coal combustion", "Gasoline vehicles", "Diesel vehicles", "Biomass burning",
            "Industry (metallurgy, smelting)", "Sea salt", "Ship emissions (heavy fuel oil)",
            "Biogenic (isoprene)", "Industrial solvents and coatings", "Refinery / petrochemical"]


def test_library_is_versioned_data_with_references():
    doc = json.loads(resources.files("resources.pmf").joinpath("source_signatures.json").read_text("utf-8"))
    assert doc["version"]
    lib = load_library()
    names = [s.name for s in lib.sources]
    for n in REQUIRED:
        assert n in names
    for s in lib.sources:
        assert s.references and all(v >= 0 for v in s.profile.values())
        assert sum(s.profile.values()) <= 1.0 + 1e-9


def test_matching_with_aliases():
    species = ["PM2.5", "Total Nitrate", "Ammonium Ion", "Sulfate", "Organic Carbon", "Elemental Carbon",
               "Silicon", "Aluminum", "Sodium Ion", "Chlorine"]
    F = np.array([
        [30, 20, 6, 1, 1, 0.1, 0, 0, 0, 0],        # nitrate
        [10, 0.2, 0.2, 0.2, 0.2, 0.05, 3, 1, 0.2, 0],  # dust
        [5, 0.1, 0, 0.3, 0, 0, 0, 0, 1.0, 1.8],      # sea salt
    ], float)
    m = match_factors(F, species)
    assert m[0][0][0] == "Secondary nitrate" and m[0][0][1] > 0.9
    assert m[1][0][0] == "Crustal / road dust"
    assert m[2][0][0] == "Sea salt"


def test_voc_isoprene_factor():
    species = ["Isoprene", "Toluene", "Ethane", "Propane", "M_P Xylene", "TNMOC"]
    F = np.array([[5.0, 0.01, 0.02, 0.01, 0.0, 5.0]])
    assert match_factors(F, species)[0][0][0] == "Biogenic (isoprene)"


def test_annotate_names_and_keeps_analyst_names():
    class R:  # minimal PMFResult stand-in
        pass
    r = R()
    r.species = ["NO3", "NH4", "SO4", "OC", "Na", "Cl"]
    r.F = np.array([[10, 3, 0.3, 0.2, 0, 0], [0, 0, 0.5, 0, 3, 5.5]], float)
    r.factor_names = ["Factor 1", "My salt"]
    pmf.annotate(r)
    assert r.factor_names == ["Secondary nitrate", "My salt"]
    assert r.signature_version == load_library().version


def test_transfer_names_follows_profiles():
    old = np.array([[1, 0, 0], [0, 1, 1.0]])
    new = np.array([[0, 1.1, 0.9], [1.2, 0.1, 0]])
    assert transfer_names(old, ["a", "b", "c"], ["nitrate", "dust"], new, ["a", "b", "c"]) == ["dust", "nitrate"]
