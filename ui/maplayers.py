"""The console's map layer model: an ordered set of ``console.maprender`` layers bound to the clock.

Every layer is a ``maprender.Layer`` (so the same objects draw in briefings).  A layer can have an
*updater* — ``fn(layer, state)`` — that refreshes its data when the clock, selection or language changes.
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

Updater = Callable[[Layer, ConsoleState], None]


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
        state.timeChanged.connect(self.refresh)
        state.dataChanged.connect(self.refresh)
        state.selectionChanged.connect(self.refresh)
        state.languageChanged.connect(self.refresh)

    def add(self, layer: Layer, updater: Updater | None = None) -> Layer:
        """Add (or replace, by name) a layer; ``updater(layer, state)`` keeps it in step with the clock."""
        self._layers = [l for l in self._layers if l.name != layer.name] + [layer]
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
            self.changed.emit()

    def visibility(self) -> dict[str, bool]:
        return {l.name: l.visible for l in self._layers}

    def refresh(self, *_args) -> None:
        """Run every updater for the current clock hour, then ask for a repaint."""
        if self.state.data is None:
            return
        for layer in self._layers:
            fn = self._updaters.get(layer.name)
            if fn is not None:
                fn(layer, self.state)
        self.changed.emit()


# ----------------------------------------------------------------------------- built-in layers

def city_tooltip(state: ConsoleState, row: int) -> str:
    """Rich-text tooltip of one city at the clock hour: AQI, level, primary pollutant, concentrations."""
    d, i, zh = state.data, state.index, state.language == "zh"
    aqi = d.aqi[row, i]
    lines = [f"<b>{d.name(row, state.language)}</b> &nbsp; {d.time_at(i):%Y-%m-%d %H:00}"]
    if math.isfinite(aqi):
        lv = level_info(int(d.level[row, i])) if d.level[row, i] else None
        cat = (lv.category_zh if zh else lv.category_en) if lv else ""
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


def _update_cities(layer: CityFillLayer, state: ConsoleState) -> None:
    d = state.data
    col = d.aqi[:, state.index]
    layer.values = {c: float(v) for c, v in zip(d.codes, col) if math.isfinite(v)}
    layer.tooltips = {c: city_tooltip(state, r) for r, c in enumerate(d.codes)}
    layer.selected = state.selected_city()


def _update_labels(layer: CityLabelLayer, state: ConsoleState) -> None:
    d = state.data
    layer.values = {c: float(v) for c, v in zip(d.codes, d.aqi[:, state.index]) if math.isfinite(v)}


def _update_stations(layer: PointLayer, state: ConsoleState) -> None:
    """Stations are drawn neutral: the demo has no station values, so none are invented."""
    st = state.data.stations
    if st.empty:
        return
    st = st[st["city_code"].isin(state.data.codes)].dropna(subset=["lon", "lat"])
    layer.codes = [str(c) for c in st["code"]]
    layer.lon, layer.lat = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
    layer.values = None
    zh = state.language == "zh"
    city_aqi = {c: state.data.aqi[r, state.index] for r, c in enumerate(state.data.codes)}
    tips = []
    for _, s in st.iterrows():
        name = s["name_zh"] if zh or not s.get("name_en") else s["name_en"]
        city = s["city_zh"] if zh else (s.get("city_en") or s["city_zh"])
        a = city_aqi.get(str(s["city_code"]), float("nan"))
        city_line = f"{tr('City AQI')} ({city}): {a:.0f}" if math.isfinite(a) else f"{tr('City AQI')}: —"
        tips.append(f"<b>{name}</b> ({s['code']})<br>{tr('Monitoring station')} · {city}<br>{city_line}<br>"
                    f"<span style='color:#666'>{tr('No station-level data in this dataset')}</span>")
    layer.tooltips = tips


def default_layers(layers: MapLayers) -> None:
    """The standard console stack (same layer classes as the briefings' maps)."""
    layers.add(CityFillLayer("cities", "城市空气质量", "City AQI", z=0), _update_cities)
    layers.add(OutlineLayer("outline", "省界", "Province boundary", z=5))
    layers.add(PointLayer("stations", "国控站点", "Monitoring stations", z=10, colour=QColor(60, 60, 70),
                          radius=3.0, lon=np.zeros(0), lat=np.zeros(0)), _update_stations)
    layers.add(CityLabelLayer("labels", "城市名称", "City names", z=20), _update_labels)
