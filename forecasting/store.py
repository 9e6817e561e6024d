"""Safe save/load of trained forecast models (never unpickles anything).

A model bundle is a zip file:
* ``manifest.json`` — format version, model version id, training period, inputs, feature spec,
  climatology and calibration tables (plain JSON), and the SHA-256 of every estimator entry;
* ``est/<name>.skops`` — scikit-learn estimators serialised with ``skops.io``.

Loading checks the manifest schema and the digests, then asks skops which types an entry would
create and refuses the file unless every one is in :data:`TRUSTED_TYPES` (an explicit list of the
scikit-learn/numpy classes our models are made of).  A tampered or foreign file raises
:class:`UnsafeModelError` instead of executing anything.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import skops.io as sio

from forecasting.baselines import Climatology
from forecasting.calibration import BinnedLogConformal
from forecasting.exceedance import ExceedancePool
from forecasting.features import FeatureSpec
from forecasting.models import DirectForecaster

FORMAT = "lantian-forecast-bundle/1"
TRUSTED_TYPES = frozenset({
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn._loss.loss.HalfSquaredError",
    "sklearn._loss.loss.PinballLoss",
    "sklearn._loss.link.IdentityLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfSquaredError",
    "sklearn._loss._loss.CyPinballLoss",
    "numpy.dtype",
    "numpy.ndarray",
    "builtins.slice",
    "collections.OrderedDict",
})


class UnsafeModelError(Exception):
    """The file is not a model bundle we can load safely (tampered, foreign or untrusted types)."""


def _estimator_blob(est) -> bytes:
    return sio.dumps(est)


def _load_estimator(blob: bytes, name: str):
    try:
        untrusted = set(sio.get_untrusted_types(data=blob))
    except Exception as exc:  # noqa: BLE001 — malformed entry
        raise UnsafeModelError(f"{name}: not a valid skops entry ({exc})") from None
    bad = untrusted - TRUSTED_TYPES
    if bad:
        raise UnsafeModelError(f"{name}: refuses to load untrusted types {sorted(bad)}")
    try:
        return sio.loads(blob, trusted=sorted(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise UnsafeModelError(f"{name}: cannot be loaded ({exc})") from None


def _fingerprint(est) -> bytes:
    """Bytes that identify a fitted gradient-boosting estimator (its trees), stable across save/load —
    skops files themselves are not byte-identical from one save to the next."""
    try:
        trees = b"".join(p.nodes.tobytes() for it in est._predictors for p in it)
        return trees + repr(sorted(est.get_params().items())).encode()
    except AttributeError:  # pragma: no cover — not a boosting model: fall back to its serialisation
        return sio.dumps(est)


def model_version(models: list[DirectForecaster], fitted: bool = False) -> str:
    """A short id of what the models are: targets, training period, inputs and — with ``fitted`` — the
    calibration and the fitted trees, so a retrained model never shares an id with the one it replaces
    while saving the same model again keeps its id."""
    h = hashlib.sha256()
    for m in models:
        h.update(json.dumps([m.target, m.stat, m.horizons, m.meta.get("train_start"), m.meta.get("train_end"),
                             m.spec.to_dict()], sort_keys=True).encode())
        if fitted:
            h.update(json.dumps([m.calibrator.to_dict(), m.meta.get("persistence_weights")], sort_keys=True,
                                default=str).encode())
            if m.pool is not None and m.pool.season:   # only when present: ids of models without it are unchanged
                h.update(json.dumps(m.pool.season, sort_keys=True).encode())
            if m.meta.get("site_pooling_weights"):
                h.update(json.dumps(m.meta["site_pooling_weights"], sort_keys=True).encode())
            ests = (m.estimator if isinstance(m.estimator, list) else [m.estimator]) + list(m.spread or []) + [
                c for c in (m.pool.classifiers if m.pool is not None else []) if c is not None] + (
                [m.day_input] if m.day_input is not None else [])
            for est in ests:
                h.update(hashlib.sha256(_fingerprint(est)).digest())
    return h.hexdigest()[:12]


def save_bundle(models: list[DirectForecaster], path: str | Path, info: dict | None = None) -> dict:
    """Write ``models`` (fitted) to a bundle; returns the manifest."""
    path = Path(path)
    entries, files, shared = [], {}, {}
    for i, m in enumerate(models):
        names = {}
        for k, est in enumerate(m.estimator if isinstance(m.estimator, list) else [m.estimator]):
            key = "estimator" if k == 0 else f"estimator_bag{k}"
            names[key] = f"est/{i}_point.skops" if k == 0 else f"est/{i}_point{k}.skops"
            files[names[key]] = _estimator_blob(est)
        if m.spread:
            for j, est in enumerate(m.spread):
                names[f"spread{j}"] = f"est/{i}_spread{j}.skops"
                files[names[f"spread{j}"]] = _estimator_blob(est)
        if m.day_input is not None:   # the hourly model behind the daily model's hourly input, once if shared
            names["hourly_input"] = shared.setdefault(id(m.day_input), f"est/{i}_hourly_input.skops")
            files.setdefault(names["hourly_input"], _estimator_blob(m.day_input))
        pool = None
        if m.pool is not None:
            for j, clf in enumerate(m.pool.classifiers):
                if clf is not None:
                    names[f"exceed{j}"] = f"est/{i}_exceed{j}.skops"
                    files[names[f"exceed{j}"]] = _estimator_blob(clf)
            pool = dict(thresholds=m.pool.thresholds, weights=m.pool.weights, info=m.pool.info,
                        **({"season": m.pool.season} if m.pool.season else {}))
        entries.append(dict(target=m.target, stat=m.stat, horizons=m.horizons, spec=m.spec.to_dict(),
                            meta=m.meta, climatology=m.climatology.to_dict(), calibrator=m.calibrator.to_dict(),
                            pool=pool, files=names))
    digests = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    manifest = dict(format=FORMAT, model_version=model_version(models, fitted=True),
                    saved_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    info=info or {}, models=entries, sha256=digests)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, default=str))
        for k, v in files.items():
            z.writestr(k, v)
    tmp.replace(path)
    return manifest


def load_bundle(source) -> tuple[list[DirectForecaster], dict]:
    """Read a bundle (path or bytes); raises :class:`UnsafeModelError` for anything suspicious."""
    try:
        z = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeModelError(f"not a model bundle ({exc})") from None
    with z:
        try:
            manifest = json.loads(z.read("manifest.json").decode("utf-8"))
        except (KeyError, ValueError) as exc:
            raise UnsafeModelError(f"bundle has no readable manifest ({exc})") from None
        if manifest.get("format") != FORMAT:
            raise UnsafeModelError(f"unknown bundle format {manifest.get('format')!r}")
        digests = manifest.get("sha256", {})
        models = []
        for e in manifest["models"]:
            ests = {}
            for key, name in e["files"].items():
                blob = z.read(name)
                if hashlib.sha256(blob).hexdigest() != digests.get(name):
                    raise UnsafeModelError(f"{name}: checksum mismatch (file altered)")
                ests[key] = _load_estimator(blob, name)
            spread = [ests[k] for k in sorted(ests) if k.startswith("spread")] or None
            bags = [ests[k] for k in sorted(ests, key=lambda k: (len(k), k)) if k.startswith("estimator")]
            m = DirectForecaster(target=e["target"], stat=e["stat"], horizons=list(e["horizons"]),
                                 spec=FeatureSpec.from_dict(e["spec"]), estimator=bags[0] if len(bags) == 1 else bags,
                                 spread=spread,
                                 calibrator=BinnedLogConformal.from_dict(e["calibrator"]),
                                 climatology=Climatology.from_dict(e["climatology"]), meta=dict(e["meta"]),
                                 day_input=ests.get("hourly_input"))
            if e.get("pool"):
                p = e["pool"]
                m.pool = ExceedancePool([float(c) for c in p["thresholds"]], [float(w) for w in p["weights"]],
                                        [ests.get(f"exceed{j}") for j in range(len(p["thresholds"]))],
                                        dict(p.get("info", {})), p.get("season"))
            models.append(m)
    return models, manifest
