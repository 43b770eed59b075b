from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_actor_in
from bangfu.areas.models import Area
from bangfu.partners.models import Organisation
from tests.conftest import OTHER_TOWNSHIP, OTHER_VILLAGE, OWN_TOWNSHIP


def test_it_lets_an_actor_write_inside_their_area(township_clerk):
    require_actor_in(township_clerk, Area.objects.get(code=OWN_TOWNSHIP), Role.TOWNSHIP_CLERK)


def test_it_refuses_an_area_outside_the_actors(township_clerk):
    with pytest.raises(PermissionDenied):
        require_actor_in(township_clerk, OTHER_VILLAGE, Role.TOWNSHIP_CLERK)
    with pytest.raises(PermissionDenied):
        require_actor_in(township_clerk, OTHER_TOWNSHIP, Role.TOWNSHIP_CLERK)


def test_it_refuses_a_role_not_named(township_clerk):
    with pytest.raises(PermissionDenied):
        require_actor_in(township_clerk, OWN_TOWNSHIP, Role.COUNTY_ADMIN)


def test_it_refuses_an_inactive_actor(county_admin):
    county_admin.is_active = False
    with pytest.raises(PermissionDenied):
        require_actor_in(county_admin, OWN_TOWNSHIP, Role.COUNTY_ADMIN)


def test_it_refuses_a_unit_reporter_of_another_organisation(unit_reporter):
    own = unit_reporter.organisation
    other = Organisation.objects.exclude(pk=own.pk).first()
    require_actor_in(unit_reporter, own.county, Role.UNIT_REPORTER, organisation=own)
    with pytest.raises(PermissionDenied):
        require_actor_in(unit_reporter, own.county, Role.UNIT_REPORTER, organisation=other)
