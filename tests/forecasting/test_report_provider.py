"""The briefing-report forecast provider returns per-city AQI quantiles and the D+1…D+3 outlook."""
from datetime import date

import numpy as np
import pytest


def test_forecast_provider(demo_system, monkeypatch):
    from console.forecast import report_provider as rp
    from console.forecast_service import ForecastService
    from console.reports.providers import ForecastResult, ProviderRequest, ProviderUnavailable

    system, gx, nb = demo_system
    monkeypatch.setattr(rp, "_service", ForecastService(gx, nb, system=system))
    req = ProviderRequest(kind="daily", date=date(2019, 1, 10), start=date(2019, 1, 10), end=date(2019, 1, 10),
                          cities=("450100", "450200"))
    res = rp.forecast_provider(req)
    assert isinstance(res, ForecastResult) and str(res.issued) == "2019-01-10 20:00:00"
    assert set(res.series) == {"450100", "450200"}
    s = res.series["450100"]
    assert len(s.times) == 72 and np.all(s.p10 <= s.p50) and np.all(s.p50 <= s.p90)
    assert {o.city for o in res.outlook} == {"450100", "450200"} and all(1 <= o.level <= 6 for o in res.outlook)
    assert "weather" in res.notes
    with pytest.raises(ProviderUnavailable):
        rp.forecast_provider(ProviderRequest(kind="daily", date=date(2018, 1, 1), start=date(2018, 1, 1),
                                             end=date(2018, 1, 1), cities=()))
