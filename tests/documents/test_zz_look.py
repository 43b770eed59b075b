from datetime import date
from bangfu.documents.services import update_office_profile
from bangfu.awards.demo import seed_demo as seed_awards
from bangfu.charity.demo import seed_demo as seed_charity
from .conftest import XUELING

def test_look(yulu_students, county, county_admin, client_for):
    update_office_profile(actor=county_admin, county=county_admin.area, phone="0836-1234567", address="格桑县人民路1号")
    c = client_for(county_admin)
    r = c.get(f"/documents/notices/yulu/2020-spring/?area={XUELING}&stage=approved&start=2020-07-16&days=7&format=pdf")
    open("/tmp/docs-out/yulu.pdf", "wb").write(r.content)
    r = c.get(f"/documents/notices/yulu/2020-spring/?area={XUELING}&stage=approved&start=2020-07-16&days=7")
    open("/tmp/docs-out/yulu.html", "wb").write(r.content)
    seed_awards(county); seed_charity(county)
    open("/tmp/docs-out/award.pdf", "wb").write(c.get("/documents/notices/awards/513325-2019/publicity/?format=pdf").content)
    open("/tmp/docs-out/charity.pdf", "wb").write(c.get("/documents/notices/charity/513325-2019/?format=pdf").content)
