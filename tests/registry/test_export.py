from __future__ import annotations

import json

from django.core.management import call_command

from bangfu.audit.models import AuditRecord
from bangfu.registry.models import Member


def test_export_then_import_changes_nothing(demo, tmp_path, capsys):
    sample = tmp_path / "sample.xlsx"
    call_command("make_sample_registry", "--households", "12", "-o", str(sample), "--seed", "5")
    call_command("import_registry", str(sample), "--as-of", "2020-03-01")
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["rejected"] == 0 and first["created"] == Member.objects.count() > 12
    exported = tmp_path / "export.xlsx"
    call_command("export_registry", "-o", str(exported))
    assert AuditRecord.objects.filter(action="registry.export").exists()
    capsys.readouterr()
    call_command("import_registry", str(exported), "--as-of", "2020-03-01")
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, first["created"])
