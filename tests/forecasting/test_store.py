"""Safe save/load: exact round trip; tampered or foreign files are refused, never executed."""
import hashlib
import io
import json
import zipfile

import numpy as np
import pytest

from forecasting.models import make_forecaster
from forecasting.store import UnsafeModelError, load_bundle, save_bundle


@pytest.fixture(scope="module")
def fitted(synth, tiny_cfg):
    m = make_forecaster(synth, "PM2.5", [1, 6], met="current")
    return m.fit(synth.isel(time=slice(0, 1200)), tiny_cfg)


def test_round_trip_predicts_identically(fitted, synth, tmp_path):
    path = tmp_path / "m.zip"
    man = save_bundle([fitted], path, info={"note": "test"})
    (m2,), man2 = load_bundle(path)
    assert man2["model_version"] == man["model_version"]
    assert m2.meta["train_start"] == fitted.meta["train_start"] and m2.meta["train_end"] == fitted.meta["train_end"]
    for (h, X, _, _), (_, X2, _, _) in zip(fitted.matrices(synth, [6], with_target=False),
                                           m2.matrices(synth, [6], with_target=False)):
        np.testing.assert_array_equal(X, X2)
        a = fitted.distribution(X[:500], h, [0.1, 0.5, 0.9])
        b = m2.distribution(X2[:500], h, [0.1, 0.5, 0.9])
        np.testing.assert_allclose(a[0], b[0])
        np.testing.assert_allclose(a[1], b[1])


def _rewrite(path, out, edit):
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    edit(files)
    with zipfile.ZipFile(out, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)


def test_untrusted_types_are_refused(fitted, tmp_path):
    """Replace an estimator with a skops file naming os.system; fix the digest so only the type check stops it."""
    import skops.io as sio
    path = tmp_path / "m.zip"
    save_bundle([fitted], path)
    evil = sio.dumps({"x": np.zeros(1)})
    with zipfile.ZipFile(io.BytesIO(evil)) as z:
        schema = json.loads(z.read("schema.json"))
        names = z.namelist()
        blobs = {n: z.read(n) for n in names}
    schema["content"]["x"] = {"__class__": "system", "__module__": "os", "__loader__": "TypeNode",
                                         "__id__": 99}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in blobs.items():
            z.writestr(n, json.dumps(schema) if n == "schema.json" else b)
    bad = buf.getvalue()

    def edit(files):
        files["est/0_point.skops"] = bad
        man = json.loads(files["manifest.json"])
        man["sha256"]["est/0_point.skops"] = hashlib.sha256(bad).hexdigest()
        files["manifest.json"] = json.dumps(man).encode()
    out = tmp_path / "evil.zip"
    _rewrite(path, out, edit)
    with pytest.raises(UnsafeModelError, match="untrusted types.*os.system"):
        load_bundle(out)


def test_altered_entry_and_foreign_files_are_refused(fitted, tmp_path):
    path = tmp_path / "m.zip"
    save_bundle([fitted], path)
    out = tmp_path / "altered.zip"
    _rewrite(path, out, lambda f: f.__setitem__("est/0_point.skops", f["est/0_point.skops"][:-10] + b"0" * 10))
    with pytest.raises(UnsafeModelError, match="checksum"):
        load_bundle(out)
    import pickle
    pk = tmp_path / "model.pkl"
    pk.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(UnsafeModelError):
        load_bundle(pk)
    with pytest.raises(UnsafeModelError):
        load_bundle(b"PK\x03\x04 not really a zip")


def test_a_retrained_model_gets_a_new_version(fitted, synth, tiny_cfg, tmp_path):
    """Same targets, period and inputs but different fitted estimators/calibration → a different id."""
    import dataclasses
    other = make_forecaster(synth, "PM2.5", [1, 6], met="current").fit(
        synth.isel(time=slice(0, 1200)), dataclasses.replace(tiny_cfg, seed=1, calib_condition="none"))
    a = save_bundle([fitted], tmp_path / "a.zip")["model_version"]
    b = save_bundle([other], tmp_path / "b.zip")["model_version"]
    assert a != b
    assert save_bundle([fitted], tmp_path / "a2.zip")["model_version"] == a     # saving again: same id
