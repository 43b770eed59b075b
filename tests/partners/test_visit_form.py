"""The visit form as a clerk uses it (issue #17): the village is picked by name among the user's
villages (the code still works), a bad value is marked at its field and in the summary, required
fields are marked, dropdowns say 请选择 and checkboxes sit beside their names."""

from __future__ import annotations

import re

from bangfu.areas.models import Area
from bangfu.partners.models import Visit

from .conftest import ELUO
from .test_pages import paired  # noqa: F401 - fixture


def _post(client, org, village: str, day: str = "2020-07-01"):
    return client.post(
        "/partners/visits/new/",
        {
            "organisation": org("P02").pk,
            "village": village,
            "date": day,
            "purpose": "入户",
            "guests": "甲\n乙",
            "households_visited": 0,
        },
    )


def test_the_village_is_picked_by_name(paired, unit_reporter, org, client_for) -> None:  # noqa: F811
    client = client_for(unit_reporter)
    page = client.get("/partners/visits/new/").content.decode()
    eluo = Area.objects.select_related("parent").get(code=ELUO)
    label = f"{eluo.name}（{eluo.parent.name}）"
    assert f'<option value="{label}">' in page  # suggested by name, with its township
    assert "行政村代码" not in page and "---------" not in page and "请选择" in page
    assert 'class="required"' in page
    assert re.search(r'<fieldset class="choices">\s*<legend>工作组干部', page)
    assert _post(client, org, eluo.name).status_code == 302
    assert _post(client, org, label, "2020-07-02").status_code == 302
    assert _post(client, org, ELUO, "2020-07-03").status_code == 302
    assert Visit.objects.filter(village=eluo).count() == 3


def test_an_unknown_village_is_marked_at_its_field(paired, unit_reporter, org, client_for) -> None:  # noqa: F811
    before = Visit.objects.count()
    response = _post(client_for(unit_reporter), org, "不存在村")
    assert response.status_code == 200 and Visit.objects.count() == before
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_village"' in html
    field = re.search(r'<label class="invalid">行政村.*?</label>', html, re.S)
    assert field is not None and "找不到行政村“不存在村”" in field.group(0)


def test_the_registry_import_date_default_is_an_iso_date(county_admin, client_for, settings) -> None:
    from datetime import date

    settings.BANGFU_TODAY = date(2020, 7, 15)
    html = client_for(county_admin).get("/registry/imports/").content.decode()
    assert 'type="date" name="as_of" value="2020-07-15"' in html
