"""Forecast panel: per-city fan chart (P10–P90, P25–P75, P50) over the observed series and a
3-day AQI-category outlook (D+1…D+3, HJ 633 level colours).

The panel follows the console clock: :meth:`ForecastPanel.set_clock` issues a forecast at that time
using only observations up to it.  The work runs on the panel's own ``QThreadPool`` with progress;
the GUI never blocks.  Clock changes while a forecast runs are coalesced (the latest wins).
"""
from __future__ import annotations

import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QMenu, QProgressBar,
                               QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from console.errors import LantianError
from console.forecast_service import Cancelled, ForecastService, IssuedForecast, WeatherForecast, input_gaps
from forecasting.probabilistic import quantile_at
from forecasting.system import NO_WEATHER, OBSERVED_WEATHER_ONLY
from models import aqi as AQI

VARIABLES = ["AQI", "PM2.5", "PM10", "O3", "NO2", "SO2", "CO"]
UNITS = {"AQI": "", "CO": "mg/m³"}
# hourly AQI-100 equivalents shown as a guide line (HJ 633-2012, real-time as published)
GUIDE = {"AQI": 100, "PM2.5": 75, "PM10": 150, "O3": 200, "NO2": 200, "SO2": 500, "CO": 10}
WEEKDAYS_ZH = "一二三四五六日"
WEATHER_SUFFIXES = "*.nc *.nc4 *.netcdf *.cdf *.grib *.grib1 *.grib2 *.grb *.grb2 *.gb2"


def _weekday(d: pd.Timestamp, language: str) -> str:
    return f"周{WEEKDAYS_ZH[d.day_of_week]}" if language == "zh" else f"{d:%a}"


def _category_names(language: str) -> list[str]:
    """HJ 633 category names of levels 1..6 in the UI language."""
    return [lv.category(language) for lv in AQI.levels()]


def _epoch(times) -> np.ndarray:
    """Naive Beijing time → seconds for DateAxisItem (which shows local time; we pass UTC-as-local)."""
    t = pd.DatetimeIndex(times)
    return ((t - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)).to_numpy(float)


class _Signals(QObject):
    progress = Signal(float, str)
    done = Signal(object, object)     # (clock, IssuedForecast)
    failed = Signal(object, str)      # (clock, message)
    weather_loaded = Signal(object)   # WeatherForecast
    weather_failed = Signal(str)      # message naming the file


class _WeatherJob(QRunnable):
    """Reads a weather-forecast file at the forecast cities (GRIB decoding can take seconds)."""

    def __init__(self, service: ForecastService, path: str, utc: bool, signals: _Signals):
        super().__init__()
        self.service, self.path, self.utc, self.signals = service, path, utc, signals
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread: no widgets here
        try:
            w = self.service.load_weather(self.path, utc=self.utc)
        except (LantianError, ValueError, OSError) as exc:    # InputError: the file and the reason
            self.signals.weather_failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 — reported in the panel, never crashes the GUI
            self.signals.weather_failed.emit(f"{self.path}: {exc.__class__.__name__}: {exc}")
        else:
            self.signals.weather_loaded.emit(w)


class _ForecastJob(QRunnable):
    def __init__(self, service: ForecastService, clock, signals: _Signals):
        super().__init__()
        self.service, self.clock, self.signals = service, clock, signals
        self.cancelled = False
        self.setAutoDelete(True)

    def _progress(self, f: float, msg: str) -> None:
        if self.cancelled:
            raise Cancelled()
        self.signals.progress.emit(float(f), msg)

    def run(self) -> None:  # worker thread: no widgets here
        try:
            res = self.service.issue(self.clock, self._progress)
        except Cancelled:
            self.signals.failed.emit(self.clock, "cancelled")
        except (LantianError, ValueError) as exc:
            self.signals.failed.emit(self.clock, str(exc))
        except Exception as exc:  # noqa: BLE001 — reported in the panel, never crashes the GUI
            self.signals.failed.emit(self.clock, f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        else:
            self.signals.done.emit(self.clock, res)


class DayCard(QFrame):
    """One day of the outlook: date, category (coloured), AQI range, primary pollutant, P(AQI>100)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setMinimumWidth(150)
        self._row: pd.Series | None = None
        self.compact = False
        self.language = "zh"
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        self.title, self.category, self.detail = QLabel("—"), QLabel("—"), QLabel("")
        f = self.category.font()
        f.setPointSize(f.pointSize() + 4)
        f.setBold(True)
        self.category.setFont(f)
        for w in (self.title, self.category, self.detail):
            w.setAlignment(Qt.AlignCenter)
            lay.addWidget(w)
        self.detail.setWordWrap(True)
        self.set_compact(False)
        self.set_empty()

    def set_compact(self, compact: bool) -> None:
        """Compact: two lines (day and category; AQI range, primary pollutant, P(AQI>100)) for the side column
        of a short dock (laptop screens)."""
        self.compact = compact
        self.setMinimumHeight(44 if compact else 118)
        self.layout().setSpacing(0 if compact else 4)
        self.layout().setContentsMargins(*((6, 2, 6, 2) if compact else (8, 6, 8, 6)))
        self.category.setVisible(not compact)
        if self._row is not None:
            self.set_day(self._row)

    def set_empty(self, text: str = "—") -> None:
        self._row = None
        self.title.setText(text)
        self.category.setText("—")
        self.detail.setText("")
        self.setStyleSheet("DayCard { background: #eeeeee; border-radius: 6px; }")

    def set_day(self, row: pd.Series) -> None:
        lv = int(row["level"])
        colour = AQI.level_colours()[lv - 1]
        fg = "#000000" if lv <= 3 else "#ffffff"
        d = pd.Timestamp(row["date"])
        day = f"D+{int(row['lead_days'])}  {d:%m-%d} {_weekday(d, self.language)}"
        names = _category_names(self.language)
        category = f"{names[lv - 1]}  {row[f'p_level{lv}']:.0%}"
        self.category.setText(category)
        spread = " · ".join(f"{names[c - 1]} {row[f'p_level{c}']:.0%}" for c in range(1, 7)
                            if row[f"p_level{c}"] >= 0.005)
        self.category.setToolTip(self.tr("category of the median daily AQI and its probability") + f"\n{spread}")
        prim = row["primary"] or "—"
        primary = self.tr("primary pollutant")
        aqi = f"AQI {row['aqi_p50']:.0f} ({row['aqi_p10']:.0f}–{row['aqi_p90']:.0f})"
        p100 = f"{row['p_aqi_gt_100']:.0%}"
        if self.compact:
            self.title.setText(f"{day}   <b>{category}</b>")
            self.detail.setText(f"{aqi} · {prim} · P(>100) {p100}")
        else:
            self.title.setText(day)
            self.detail.setText(f"{aqi}\n{primary} {prim}\nP(AQI>100) {p100}")
        self.setToolTip(f"{day}: {category} — {aqi}, {primary} {prim}, P(AQI>100) {p100}\n"
                        + self.tr("probability of each category:") + f" {spread}")
        self._row = row
        self.setStyleSheet(f"DayCard {{ background: {colour}; border-radius: 6px; }} "
                           f"QLabel {{ color: {fg}; }}")


class ForecastPanel(QWidget):
    """Dockable forecast panel. Public slots: :meth:`set_clock`, :meth:`set_city`."""

    forecastReady = Signal(object)   # IssuedForecast
    busyChanged = Signal(bool)
    weatherChanged = Signal(object)  # (file, NetCDF times in UTC) of the loaded weather forecast, or None
    SIDE_BELOW_HEIGHT = 470   # px: in a shorter dock (a 768-px screen) the outlook goes beside the chart
    FIRST_SHOW_HEIGHT = 400   # px the dock asks for when first shown (at most half the window)

    def __init__(self, service: ForecastService | None = None, parent=None):
        super().__init__(parent)
        self.service = service or ForecastService()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.weather_loaded.connect(self._on_weather_loaded)
        self._signals.weather_failed.connect(self._on_weather_failed)
        self._weather_job: _WeatherJob | None = None
        self._weather_message, self._weather_error = "", False   # a load in progress or its failure
        self._no_weather_labels: list[tuple[pg.TextItem, float]] = []   # (label, left edge) of hours without weather
        self._job: _ForecastJob | None = None
        self._pending = None
        self._clock = None
        self._city: str | None = None
        self.result: IssuedForecast | None = None
        self._clock_done = None            # the clock hour of the forecast shown
        self.language = "zh"
        self._names: dict[str, str] = {}   # forecast site (Chinese short name) → name shown
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 4, 6, 4)
        top = QHBoxLayout()
        self.city_box = QComboBox()
        self.city_box.currentIndexChanged.connect(self._city_changed)
        self.var_box = QComboBox()
        self.var_box.addItems(VARIABLES)
        self.var_box.setCurrentText("PM2.5")
        self.var_box.currentTextChanged.connect(lambda _: self._render())
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.city_label, self.var_label = QLabel(), QLabel()
        top.addWidget(self.city_label)
        top.addWidget(self.city_box)
        top.addWidget(self.var_label)
        top.addWidget(self.var_box)
        top.addStretch(1)
        self.weather_file = QLabel("")   # the loaded weather forecast, or why a file was not loaded
        self.weather_file.setMaximumWidth(360)
        self.weather_button = QToolButton()
        self.weather_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.weather_button)
        self.load_weather_action = menu.addAction("", self.choose_weather_file)
        self.utc_action = menu.addAction("")
        self.utc_action.setCheckable(True)
        self.clear_weather_action = menu.addAction("", self.clear_weather)
        self.clear_weather_action.setEnabled(False)
        self.weather_button.setMenu(menu)
        self.export_button = QToolButton()
        self.export_button.clicked.connect(lambda: self.export_forecast())
        self.export_button.setEnabled(False)
        top.addWidget(self.weather_file)
        top.addWidget(self.weather_button)
        top.addWidget(self.export_button)
        top.addWidget(self.progress)
        root.addLayout(top)
        self.status = QLabel()
        self.status.setWordWrap(True)
        root.addWidget(self.status)

        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.addLegend(offset=(60, 4), colCount=4, brush=pg.mkBrush(255, 255, 255, 210),
                            labelTextColor=(30, 30, 30))   # one row: a short chart keeps its curves visible
        self.plot.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.plot.setMinimumHeight(150)
        # chart above the outlook; in a short, wide dock the outlook moves beside the chart (see resizeEvent)
        self.body = QBoxLayout(QBoxLayout.TopToBottom)
        self.body.addWidget(self.plot, 1)
        self.outlook = QWidget()
        out = QVBoxLayout(self.outlook)
        out.setContentsMargins(0, 0, 0, 0)
        self._outlook_head = ("", "")
        self.outlook_title = QLabel()
        self.outlook_title.setWordWrap(True)
        out.addWidget(self.outlook_title)
        self.cards_box = QBoxLayout(QBoxLayout.LeftToRight)
        self.cards = [DayCard() for _ in range(3)]
        for c in self.cards:
            self.cards_box.addWidget(c)
        out.addLayout(self.cards_box)
        out.addStretch(1)   # beside the chart: heading and cards at the top of the column
        self.body.addWidget(self.outlook)
        root.addLayout(self.body, 1)
        self.side_by_side = False
        self._watching = False      # the dock's scroll view is watched for resizes (showEvent)
        self._show_outlook_title()
        self._weather_text = ""
        self.weather = QLabel("")
        self.weather.setWordWrap(True)
        self.weather.setStyleSheet("color: #8a4b00;")
        root.addWidget(self.weather)
        self._retranslate()

    def _retranslate(self) -> None:
        """Static texts in the current translation (called again on a language change)."""
        self.city_label.setText(self.tr("City"))
        self.var_label.setText(self.tr("Variable"))
        self.weather_button.setText(self.tr("Weather forecast"))
        self.weather_button.setToolTip(self.tr("Load weather-forecast fields (NetCDF or GRIB, with lead times) for "
                                               "the forecast"))
        self.load_weather_action.setText(self.tr("Load weather forecast (NetCDF/GRIB)…"))
        self.utc_action.setText(self.tr("NetCDF valid times are UTC (GRIB always is)"))
        self.clear_weather_action.setText(self.tr("Forecast without the weather forecast"))
        self.export_button.setText(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Write the forecast shown (all cities: hourly quantiles, the 3-day "
                                              "outlook and what it was issued from) as CSV and JSON files"))
        self._show_weather_file()
        if self.result is None:
            self.status.setText(self.tr("No forecast yet — set the console clock."))
            self._outlook_head = (self.tr("3-day AQI outlook"), self.tr("(daily AQI, HJ 633)"))
            self._show_outlook_title()

    def resizeEvent(self, ev) -> None:  # noqa: N802 — Qt name
        super().resizeEvent(ev)
        self._rearrange()

    def showEvent(self, ev) -> None:  # noqa: N802 — Qt name
        super().showEvent(ev)
        view = self._viewport()
        if view is not None and not self._watching:
            view.installEventFilter(self)   # in a scrolling dock the panel keeps its minimum size: watch the view
            self._watching = True
        self._rearrange()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 — Qt name
        if ev.type() == QEvent.Resize:
            self._rearrange()
        return False

    def _viewport(self) -> QWidget | None:
        """The viewport of the scroll area the dock wraps the panel in, if any."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        return area.viewport() if area is not None else None

    def _rearrange(self) -> None:
        view = self._viewport()
        size = view.size() if view is not None else self.size()
        self._arrange(size.height() < self.SIDE_BELOW_HEIGHT and size.width() >= 700)
        if self.side_by_side:
            self._show_weather()   # re-elide to the new width

    def _arrange(self, side: bool) -> None:
        """Outlook below the chart, or beside it as a column of compact cards, so that the fan chart and all
        three days stay visible without scrolling on short screens."""
        if side == self.side_by_side:
            return
        self.side_by_side = side
        self.body.setDirection(QBoxLayout.LeftToRight if side else QBoxLayout.TopToBottom)
        self.cards_box.setDirection(QBoxLayout.TopToBottom if side else QBoxLayout.LeftToRight)
        if side:
            self.outlook.setFixedWidth(290)
        else:
            self.outlook.setMinimumWidth(0)
            self.outlook.setMaximumWidth(16_777_215)   # QWIDGETSIZE_MAX
        for c in self.cards:
            c.set_compact(side)
        self._show_outlook_title()
        self._show_weather()

    def _show_weather(self) -> None:
        """The weather-input statement; one elided line in the short layout (the whole text as tooltip)."""
        text = self._weather_text
        self.weather.setWordWrap(not self.side_by_side)
        if self.side_by_side:
            text = self.weather.fontMetrics().elidedText(text, Qt.ElideRight, max(100, self.width() - 16))
        self.weather.setText(text)
        self.weather.setToolTip(self._weather_text)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 — Qt name
        # wrapped labels make the layout height-for-width; a scrolling dock would then size the panel to its
        # preferred height and scroll even when the minimum fits. Only the minimum size counts here.
        return -1

    # ------------------------------------------------------------------ public slots
    @Slot(object)
    def set_clock(self, t) -> None:
        """Issue a forecast at ``t`` (Beijing time) from the data up to it; runs in the background."""
        t = pd.Timestamp(t)
        if t.tzinfo is not None:
            t = t.tz_convert("Asia/Shanghai").tz_localize(None)
        t = t.floor("h")
        if self._clock is not None and t == self._clock and self.result is not None:
            return
        self._clock = t
        if self._job is not None:
            self._pending = t
            self._job.cancelled = True
            return
        self._start(t)

    def set_city_data(self, city) -> None:
        """Forecast from these city observations (the console's data, reloaded as the live feed brings
        hours); the next :meth:`set_clock` issues again even at the same hour."""
        self.service.use_city_data(city)
        self._clock = None

    @Slot()
    def choose_weather_file(self) -> None:
        """Ask for a weather-forecast file and load it."""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Load a weather forecast"), "",
                                              self.tr("Weather forecasts (NetCDF, GRIB)") + f" ({WEATHER_SUFFIXES});;"
                                              + self.tr("All files") + " (*)")
        if path:
            self.load_weather_file(path)

    def load_weather_file(self, path: str, utc: bool | None = None) -> None:
        """Read the weather-forecast fields of ``path`` in the background, then forecast again with them."""
        if utc is not None:
            self.utc_action.setChecked(utc)
        self._weather_job = _WeatherJob(self.service, str(path), self.utc_action.isChecked(), self._signals)
        self._weather_message = self.tr("reading {file} …").format(file=Path(path).name)
        self._weather_error = False
        self._show_weather_file()
        self.pool.start(self._weather_job)

    def export_forecast(self, folder: str | None = None) -> list[Path]:
        """Write the issued forecast (hourly quantiles and outlook of every city, and its record: model, training
        period, inputs) into ``folder`` (asked when not given) as ``forecast_<issue>_*.csv|json``."""
        if self.result is None:
            return []
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Export the forecast to a folder"))
            if not folder:
                return []
        from console.forecast_io import write_forecast

        fc = self.result.forecast
        try:
            paths = write_forecast(fc, folder, prefix=f"forecast_{fc.issue_time:%Y%m%d%H}_")
        except OSError as exc:
            self.status.setText(self.tr("Export failed: {reason}").format(reason=str(exc)))
            return []
        self.status.setText(self.tr("Exported to {folder}: {files}").format(
            folder=folder, files=", ".join(p.name for p in paths)))
        return paths

    @Slot()
    def clear_weather(self) -> None:
        """Forecast without weather-forecast fields again."""
        self.service.clear_weather()
        self._weather_message, self._weather_error = "", False
        self.clear_weather_action.setEnabled(False)
        self._show_weather_file()
        self.weatherChanged.emit(None)
        self._reissue()

    def _reissue(self) -> None:
        """Issue the forecast at the current clock again (its inputs changed)."""
        clock, self._clock = self._clock, None
        if clock is not None:
            self.set_clock(clock)

    @Slot(object)
    def _on_weather_loaded(self, w: WeatherForecast) -> None:
        self._weather_job = None
        self._weather_message, self._weather_error = "", False
        self.clear_weather_action.setEnabled(True)
        self._show_weather_file()
        self.weatherChanged.emit((str(w.path), w.utc))
        self._reissue()

    @Slot(str)
    def _on_weather_failed(self, msg: str) -> None:
        self._weather_job = None
        self._weather_message = self.tr("weather forecast not loaded — {reason}").format(reason=msg)
        self._weather_error = True
        self._show_weather_file()

    def _show_weather_file(self) -> None:
        """The loaded weather forecast (file, valid period, used or not), or the last load's failure."""
        w, msg = self.service.weather, self._weather_message
        if msg:
            text, tip = msg, msg
        elif w is not None:
            text = self.tr("weather: {file}").format(file=w.path.name)
            tip = self.tr("{file}: valid {start} … {end} (Beijing time); {variables}").format(
                file=w.path, start=f"{w.valid[0]:%Y-%m-%d %H:%M}", end=f"{w.valid[1]:%Y-%m-%d %H:%M}",
                variables=", ".join(w.variables))
            if not w.used:
                text += self.tr(" (not used by this model)")
            tip += "".join(f"\n{x}" for x in w.warnings)
        else:
            text, tip = "", ""
        self.weather_file.setStyleSheet("color: #b00020;" if self._weather_error else "")
        self.weather_file.setText(self.weather_file.fontMetrics().elidedText(text, Qt.ElideMiddle, 350))
        self.weather_file.setToolTip(tip)

    @Slot(str)
    def set_city(self, name: str) -> None:
        """Show the forecast of city ``name`` (Chinese name, with or without 市)."""
        self._city = self._match_city(name)
        self._select_in_box()
        self._render()

    def set_language(self, language: str, names: dict[str, str] | None = None) -> None:
        """Texts in ``language`` ("zh" | "en"; the Qt translator is installed by the application) and the city
        names to show, keyed by the forecast's site names (Chinese, without 市)."""
        self.language = language
        self._names = dict(names or {})
        for c in self.cards:
            c.language = language
        self._retranslate()
        self._fill_city_box()
        if self.result is not None:
            self._describe(self._clock_done, self.result)
            self._render()

    def display_name(self, site: str) -> str:
        return self._names.get(site, site)

    def is_busy(self) -> bool:
        return self._job is not None

    def wait_idle(self, msecs: int = 60_000) -> bool:
        return self.pool.waitForDone(msecs)

    def closeEvent(self, ev) -> None:  # noqa: N802 — Qt name
        if self._job is not None:
            self._job.cancelled = True
        self._pending = None
        self.pool.waitForDone(30_000)
        super().closeEvent(ev)

    # ------------------------------------------------------------------ worker plumbing
    def _start(self, t) -> None:
        self._job = _ForecastJob(self.service, t, self._signals)
        self.progress.setVisible(True)
        self.progress.setValue(0)
        self.status.setText(self.tr("Forecasting from {time} …").format(time=f"{t:%Y-%m-%d %H:%M}"))
        self.busyChanged.emit(True)
        self.pool.start(self._job)

    @Slot(float, str)
    def _on_progress(self, f: float, msg: str) -> None:
        self.progress.setValue(int(100 * f))
        self.progress.setFormat(f"{msg[:24]} %p%")

    def _finish_job(self) -> bool:
        self._job = None
        if self._pending is not None:
            t, self._pending = self._pending, None
            self._start(t)
            return True
        self.progress.setVisible(False)
        self.busyChanged.emit(False)
        return False

    @Slot(object, object)
    def _on_done(self, clock, res: IssuedForecast) -> None:
        if self._finish_job():
            return
        self.result = res
        self._clock_done = clock
        self.export_button.setEnabled(True)
        sites = [str(s) for s in res.forecast.hourly["site"].values]
        if self.city_box.count() != len(sites):
            self._fill_city_box()
        if self._city not in sites:
            match = self._match_city(self._city or "")
            self._city = match if match in sites else ("南宁" if "南宁" in sites else sites[0])
        self._select_in_box()
        self._describe(clock, res)
        self._render()
        self.forecastReady.emit(res)

    def _describe(self, clock, res: IssuedForecast) -> None:
        """Status line and weather-input statement of an issued forecast."""
        info = res.forecast.info
        self.status.setText(self.tr("Issued {issued} (data up to the clock only) · model {model} trained "
                                    "{start} … {end}").format(issued=f"{clock:%Y-%m-%d %H:%M}",
                                                              model=info["model_version"],
                                                              start=info["training_period"][0][:10],
                                                              end=info["training_period"][1][:10]))
        note = ""
        te = info["training_period"][1]
        if te and pd.Timestamp(te) > pd.Timestamp(clock):
            note = self.tr(" · note: the model's training period extends past this clock (demo model fitted on the "
                           "whole demo record); inputs are still only data up to the clock")
        used = {t: r for t, r in info.get("seasonal_prior", {}).get("pollutants", {}).items() if r.get("used")}
        if used:
            months = sorted({m for r in used.values() for m in r["unseen_months"]})
            note += self.tr(" · seasonal prior {version}: exceedance odds of month(s) {months} moved for {pollutants} "
                            "(months the model did not see in training)").format(
                version=info["seasonal_prior"]["version"], months=", ".join(str(m) for m in months),
                pollutants=", ".join(sorted({t.removesuffix(" daily") for t in used})))
        self._weather_text = self._weather_statement(info) + self._inputs_statement(info["inputs"]) + note
        self._show_weather()

    def _weather_statement(self, info: dict) -> str:
        """The forecast's weather-input statement in the UI language: no weather input, observed meteorology only, or
        the weather-forecast file (run, valid range, hours covered) — and a loaded file the model does not use."""
        inputs = info["inputs"]
        text = inputs["weather"]
        fixed = {NO_WEATHER: self.tr("NO weather input: forecast from past concentrations, calendar and "
                                     "neighbouring sites only"),
                 OBSERVED_WEATHER_ONLY: self.tr("observed meteorology up to the issue time only (no weather "
                                                "forecast loaded)")}
        if inputs.get("weather_valid"):
            covered, total = inputs["weather_hours"]
            text = self.tr("weather forecast {file}{run}: valid {start} … {end} (Beijing time), covering {n} of the "
                           "{total} forecast hours").format(
                file=inputs.get("weather_file") or inputs["weather_source"],
                run=self.tr(", run {run} UTC").format(run=inputs["weather_run"]) if inputs.get("weather_run") else "",
                start=inputs["weather_valid"][0], end=inputs["weather_valid"][1], n=covered, total=total)
            if covered < total:
                text += self.tr("; the other hours have NO weather input")
        text = fixed.get(text, text)
        if inputs.get("weather_not_used"):
            text += self.tr(" · weather forecast {file} loaded but not used: this model was trained without "
                            "weather input").format(file=inputs["weather_not_used"])
        return text

    def _inputs_statement(self, inputs: dict) -> str:
        """Said plainly when the upwind input is short, and which loaded cities the model does not forecast."""
        out = ""
        upwind, _ = input_gaps(inputs)
        if upwind:
            out += (self.tr(" · NO data from the neighbouring (upwind) cities") if not upwind[0] else
                    self.tr(" · neighbouring (upwind) cities with data: {n} of {total}").format(
                        n=upwind[0], total=upwind[1]))
        names = [self.display_name(str(c).removesuffix("市")) for c in inputs.get("not_forecast", [])]
        _, cities = input_gaps({"not_forecast": names}, sep=", ")
        if cities:
            out += self.tr(" · not forecast (the model was not trained for them): {cities}").format(cities=cities)
        return out

    def _fill_city_box(self) -> None:
        if self.result is None:
            return
        self.city_box.blockSignals(True)
        self.city_box.clear()
        for s in self.result.forecast.hourly["site"].values:
            self.city_box.addItem(self.display_name(str(s)), str(s))
        self.city_box.blockSignals(False)
        self._select_in_box()

    def _select_in_box(self) -> None:
        i = self.city_box.findData(self._city) if self._city else -1
        if i >= 0 and i != self.city_box.currentIndex():
            self.city_box.blockSignals(True)
            self.city_box.setCurrentIndex(i)
            self.city_box.blockSignals(False)

    @Slot(object, str)
    def _on_failed(self, clock, msg: str) -> None:
        if self._finish_job():
            return
        if msg != "cancelled":
            self.status.setText(self.tr("Forecast at {time} failed: {reason}").format(
                time=f"{clock:%Y-%m-%d %H:%M}", reason=msg.splitlines()[0]))

    # ------------------------------------------------------------------ drawing
    def _match_city(self, name: str) -> str | None:
        if not name:
            return None
        items = [self.city_box.itemData(i) for i in range(self.city_box.count())]
        if self.result is not None:
            items = [str(s) for s in self.result.forecast.hourly["site"].values]
        for it in items:
            if name == it or name.rstrip("市") == it.rstrip("市"):
                return it
        return name

    def _city_changed(self, index: int) -> None:
        site = self.city_box.itemData(index) if index >= 0 else None
        if site:
            self._city = site
            self._render()

    def _render(self) -> None:
        res = self.result
        self.plot.clear()
        self.plot.plotItem.legend.clear()
        self._no_weather_labels = []
        if res is None or self._city is None:
            return
        var = self.var_box.currentText()
        fc = res.forecast
        h = fc.hourly
        if var not in h or self._city not in [str(s) for s in h["site"].values]:
            for c in self.cards:
                c.set_empty()
            return
        levels = np.asarray(h["level"].values)
        q = h[var].sel(site=self._city).values
        def at(p):  # noqa: E306
            return quantile_at(q, levels, p)
        x = _epoch(h["valid_time"].values)
        x_issue = _epoch([fc.issue_time])[0]
        # observed series up to the clock
        obs_x, obs_y = np.array([]), np.array([])
        if var == "AQI":
            aq = AQI.hourly_aqi(res.observed.sel(site=[self._city]), convention="published")
            obs_x, obs_y = _epoch(aq["time"].values), aq["aqi"].values[0]
        elif var in res.observed:
            o = res.observed[var].sel(site=self._city)
            obs_x, obs_y = _epoch(o["time"].values), o.values.astype(float)
        # fan (outer band, inner band, median), anchored at the last observation
        x_f = np.concatenate([[x_issue], x])
        last = obs_y[-1] if len(obs_y) and np.isfinite(obs_y[-1]) else np.nan
        def band(p):  # noqa: E306
            return np.concatenate([[last if np.isfinite(last) else at(p)[0]], at(p)])
        pen0 = pg.mkPen(None)
        lo90, hi90 = pg.PlotDataItem(x_f, band(0.1), pen=pen0), pg.PlotDataItem(x_f, band(0.9), pen=pen0)
        lo75, hi75 = pg.PlotDataItem(x_f, band(0.25), pen=pen0), pg.PlotDataItem(x_f, band(0.75), pen=pen0)
        outer = pg.FillBetweenItem(lo90, hi90, brush=pg.mkBrush(30, 110, 200, 55))
        inner = pg.FillBetweenItem(lo75, hi75, brush=pg.mkBrush(30, 110, 200, 90))
        for it in (lo90, hi90, lo75, hi75):
            self.plot.addItem(it)
        self.plot.addItem(outer)
        self.plot.addItem(inner)
        legend = self.plot.plotItem.legend
        # FillBetweenItem has no legend sample (and crashes LegendItem): proxies with a thick pen
        legend.addItem(pg.PlotDataItem([0], [0], pen=pg.mkPen((30, 110, 200, 70), width=10)), "P10–P90")
        legend.addItem(pg.PlotDataItem([0], [0], pen=pg.mkPen((30, 110, 200, 140), width=10)), "P25–P75")
        self.plot.plot(x_f, band(0.5), pen=pg.mkPen((20, 70, 160), width=2.5), name=self.tr("P50 forecast"))
        if len(obs_x):
            self.plot.plot(obs_x, obs_y, pen=pg.mkPen((40, 40, 40), width=1.6), name=self.tr("observed"),
                           connect="finite")
        guide = GUIDE.get(var)
        if guide is not None:
            self.plot.addItem(pg.InfiniteLine(pos=guide, angle=0, pen=pg.mkPen((255, 126, 0), width=1.2,
                                                                                  style=Qt.DashLine),
                                              label=f"AQI 100 ({guide})" if var != "AQI" else "AQI 100",
                                              # at the right end, clear of the legend (top left)
                                              labelOpts={"position": 0.995, "color": (200, 90, 0),
                                                         "anchors": [(1, 1), (1, 1)]}))
        self._mark_hours_without_weather(fc.info["inputs"], x)
        self.plot.addItem(pg.InfiniteLine(pos=x_issue, angle=90, pen=pg.mkPen((120, 120, 120), style=Qt.DotLine),
                                          label=self.tr("issued"), labelOpts={"position": 0.95, "color": (90, 90, 90)}))
        unit = UNITS.get(var, "µg/m³")
        self.plot.setLabel("left", f"{var} {unit}".strip())
        self.plot.setLabel("bottom", self.tr("Beijing time (hour-ending)"))
        self.plot.setTitle(self.tr("{city} — {variable}: observed and 1–72 h forecast").format(
            city=self.display_name(self._city), variable=var))
        ymax = np.nanmax(np.concatenate([obs_y[np.isfinite(obs_y)] if len(obs_y) else [0], at(0.9)]))
        self.plot.setYRange(0, max(1.0, ymax) * 1.08, padding=0)
        for text, x_left in self._no_weather_labels:
            text.setPos(x_left, max(1.0, ymax) * 1.08)
        self.plot.setXRange(x_issue - 4 * 86400, x[-1], padding=0.01)
        self._render_outlook()

    def _mark_hours_without_weather(self, inputs: dict, x: np.ndarray) -> None:
        """Shade the forecast hours a loaded weather forecast does not cover (before its first or after its last
        valid hour): there the model runs without the weather it was trained with."""
        valid = inputs.get("weather_valid")
        if not valid:
            return
        start, end = _epoch([pd.Timestamp(valid[0]), pd.Timestamp(valid[1])])
        for lo, hi in ((x[0] - 1800, start - 1800), (end + 1800, x[-1] + 1800)):
            if hi > lo:
                self.plot.addItem(pg.LinearRegionItem((lo, hi), movable=False, brush=pg.mkBrush(120, 120, 120, 40),
                                                      pen=pg.mkPen(None)))
                text = pg.TextItem(self.tr("no weather input"), color=(90, 90, 90), anchor=(0, 0))
                self._no_weather_labels.append((text, lo))
                self.plot.addItem(text)

    def _render_outlook(self) -> None:
        d = self.result.forecast.daily
        rows = d[d["site"] == self._city].sort_values("lead_days") if len(d) else d
        for i, c in enumerate(self.cards):
            if i < len(rows):
                c.set_day(rows.iloc[i])
            else:
                c.set_empty(self.tr("no daily forecast"))
        if len(rows):
            self._outlook_head = (self.tr("3-day AQI outlook — {city}").format(city=self.display_name(self._city)),
                                  self.tr("(daily AQI, HJ 633; daily models issued {time})").format(
                                      time=f"{pd.Timestamp(rows.iloc[0]['issued']):%m-%d %H:%M}"))
            self._show_outlook_title()

    def _show_outlook_title(self) -> None:
        """Full heading below the chart; in the side column its first part, the rest as a tooltip."""
        head, detail = self._outlook_head
        self.outlook_title.setText(head if self.side_by_side else f"{head} {detail}")
        self.outlook_title.setToolTip(f"{head} {detail}")
