"""The console's map layer model: an ordered set of ``console.maprender`` layers bound to the clock.

Every layer is a ``maprender.Layer`` (so the same objects draw in briefings).  A layer can have an
*updater* — ``fn(layer, state)`` — that refreshes its data when the clock, selection or language changes;
it returns False when what the layer *paints* did not change (e.g. only tooltips), which lets the map
widget keep its cached image of the layers below the labels.  :meth:`MapLayers.revision` counts changes.
Later issues add satellite rasters, grid sensors, vehicles and enterprises with :meth:`MapLayers.add`;
the layer list and the map pick them up automatically, and ``simulated=True`` layers are marked as such.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QColor

from console.maprender import CityFillLayer, CityLabelLayer, Layer, OutlineLayer, PointLayer
from models.aqi import level_info
from ui.state import ConsoleState

Updater = Callable[[Layer, ConsoleState], "bool | None"]


def tr(text: str) -> str:
    return QCoreApplication.translate("MapLayers", text)


class MapLayers(QObject):
    """Ordered layers + their updaters; emits ``changed`` (repaint) and ``listChanged`` (layers added/removed)."""

    changed = Signal()
    listChanged = Signal()

    def __init__(self, state: ConsoleState, parent=None):
        super().__init__(parent)
        self.state = state
        self._layers: list[Layer] = []
        self._updaters: dict[str, Updater] = {}
        self._revision: dict[str, int] = {}
        state.timeChanged.connect(self.refresh)
        state.dataChanged.connect(self.refresh)
        state.selectionChanged.connect(self.refresh)
        state.languageChanged.connect(self.refresh)

    def add(self, layer: Layer, updater: Updater | None = None) -> Layer:
        """Add (or replace, by name) a layer; ``updater(layer, state)`` keeps it in step with the clock."""
        self._layers = [l for l in self._layers if l.name != layer.name] + [layer]
        self._bump(layer.name)
        if updater is not None:
            self._updaters[layer.name] = updater
            if self.state.data is not None:
                updater(layer, self.state)
        self.listChanged.emit()
        self.changed.emit()
        return layer

    def remove(self, name: str) -> None:
        self._layers = [l for l in self._layers if l.name != name]
        self._updaters.pop(name, None)
        self.listChanged.emit()
        self.changed.emit()

    def layers(self) -> list[Layer]:
        """All layers in drawing order (lowest z first)."""
        return sorted(self._layers, key=lambda l: l.z)

    def get(self, name: str) -> Layer | None:
        return next((l for l in self._layers if l.name == name), None)

    def set_visible(self, name: str, visible: bool) -> None:
        layer = self.get(name)
        if layer is not None and layer.visible != visible:
            layer.visible = visible
            self._bump(name)
            self.changed.emit()

    def _bump(self, name: str) -> None:
        self._revision[name] = self._revision.get(name, 0) + 1

    def revision(self, name: str) -> int:
        """Counter that changes whenever what layer ``name`` paints may have changed."""
        return self._revision.get(name, 0)

    def visibility(self) -> dict[str, bool]:
        return {l.name: l.visible for l in self._layers}

    def refresh(self, *_args) -> None:
        """Run every updater for the current clock hour, then ask for a repaint."""
        if self.state.data is None:
            return
        for layer in self._layers:
            fn = self._updaters.get(layer.name)
            if fn is not None and fn(layer, self.state) is not False:
                self._bump(layer.name)
        self.changed.emit()


# ----------------------------------------------------------------------------- built-in layers

def city_tooltip(state: ConsoleState, row: int) -> str:
    """Rich-text tooltip of one city at the clock hour: AQI, level, primary pollutant, concentrations."""
    d, i, zh = state.data, state.index, state.language == "zh"
    aqi = d.aqi[row, i]
    lines = [f"<b>{d.name(row, state.language)}</b> &nbsp; {d.time_at(i):%Y-%m-%d %H:00}"]
    if math.isfinite(aqi):
        lv = level_info(int(d.level[row, i])) if d.level[row, i] else None
        cat = lv.category("zh" if zh else "en") if lv else ""
        lines.append(f"AQI <b>{aqi:.0f}</b> {cat}")
        prim = d.primary[row, i]
        lines.append(f"{tr('Primary pollutant')}: {prim or '—'}")
    else:
        lines.append(f"AQI {tr('no data')}")
    conc = []
    for p, v in d.conc.items():
        val = v[row, i]
        unit = "mg/m³" if p == "CO" else "µg/m³"
        conc.append(f"{p} {val:.{2 if p == 'CO' else 0}f} {unit}" if math.isfinite(val) else f"{p} —")
    lines.append("<br>".join(conc))
    lines.append(f"<span style='color:#666'>{tr('Rules')}: {d.rule_version[i]} ({d.convention})</span>")
    return "<br>".join(lines)


def _update_cities(layer: CityFillLayer, state: ConsoleState) -> bool:
    """New values and tooltips; returns whether the fill colours or the selection changed."""
    d = state.data
    col = d.aqi[:, state.index]
    old = getattr(layer, "_paint_key", None)
    layer.values = {c: float(v) for c, v in zip(d.codes, col) if math.isfinite(v)}
    layer.tooltips = {c: city_tooltip(state, r) for r, c in enumerate(d.codes)}
    layer.selected = state.selected_city()
    key = (id(d), tuple(d.level[:, state.index]), layer.selected)
    layer._paint_key = key  # type: ignore[attr-defined]
    return key != old


def _update_labels(layer: CityLabelLayer, state: ConsoleState) -> None:
    d = state.data
    layer.values = {c: float(v) for c, v in zip(d.codes, d.aqi[:, state.index]) if math.isfinite(v)}


class StationUpdater:
    """Stations are drawn neutral: the demo has no station values, so none are invented.

    Positions and names are prepared once per data snapshot; a tick only rewrites the tooltips' city AQI.
    """

    def __init__(self):
        self._key = None
        self._lang = ""
        self._rows: list[tuple[str, str, str, str, str, str]] = []  # code, zh, en, city code, city zh, city en

    def __call__(self, layer: PointLayer, state: ConsoleState) -> None:
        d = state.data
        if d.stations.empty:
            return
        fresh = self._key != id(d) or self._lang != state.language
        if self._key != id(d):
            st = d.stations[d.stations["city_code"].isin(d.codes)].dropna(subset=["lon", "lat"])
            layer.codes = [str(c) for c in st["code"]]
            layer.lon, layer.lat = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
            layer.values = None
            self._rows = [(str(r.code), str(r.name_zh), str(r.name_en or r.name_zh), str(r.city_code), str(r.city_zh),
                           str(r.city_en or r.city_zh)) for r in st.itertuples()]
            self._key = id(d)
        zh = state.language == "zh"
        col = d.aqi[:, state.index]
        city_aqi = dict(zip(d.codes, col))
        label, station, nodata = tr("City AQI"), tr("Monitoring station"), tr("No station-level data in this dataset")
        tips = []
        for code, name_zh, name_en, city_code, city_zh, city_en in self._rows:
            city = city_zh if zh else city_en
            a = city_aqi.get(city_code, math.nan)
            value = f"{a:.0f}" if math.isfinite(a) else "—"
            tips.append(f"<b>{name_zh if zh else name_en}</b> ({code})<br>{station} · {city}<br>{label} ({city}): "
                        f"{value}<br><span style='color:#666'>{nodata}</span>")
        layer.tooltips = tips
        self._lang = state.language
        return fresh  # positions only change with the data


def default_layers(layers: MapLayers) -> None:
    """The standard console stack (same layer classes as the briefings' maps)."""
    layers.add(CityFillLayer("cities", "城市空气质量", "City AQI", z=0), _update_cities)
    layers.add(OutlineLayer("outline", "省界", "Province boundary", z=5))
    layers.add(PointLayer("stations", "国控站点", "Monitoring stations", z=10, colour=QColor(60, 60, 70),
                          radius=3.0, lon=np.zeros(0), lat=np.zeros(0)), StationUpdater())
    layers.add(CityLabelLayer("labels", "城市名称", "City names", z=20), _update_labels)
