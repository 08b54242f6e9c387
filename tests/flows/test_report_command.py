"""``newsdesk report``: a period's page from the warehouse, outlets by name, bad periods refused."""

from datetime import date

from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.test_incidents import DAY, report, shelling, store_reports
from warehouse.db import connect


def warehouse_with_two_days(path) -> None:
    con = connect(path)
    con.execute(
        "INSERT INTO sources VALUES ('wire', 'Wire Service', 'feed', 'https://wire.test/', "
        "'UTC', true, '{}', now())"
    )
    earlier = shelling("Tartar", 584871, event_date=date(2020, 10, 2), date_start=date(2020, 10, 2),
                       date_end=date(2020, 10, 2))  # fmt: skip
    store_reports(con, [report(shelling(), "a"), report(earlier, "b")])
    con.close()


def run(*args):
    return CliRunner().invoke(app, ["report", *args])


def test_report_writes_the_period_up_to_the_latest_day_with_the_outlets_name(tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse_with_two_days(db)
    result = run("--out", str(tmp_path / "out"), "--db", str(db))
    assert result.exit_code == 0, result.output
    page = tmp_path / "out" / "incidents-2020-09-05_2020-10-04.html"
    assert f"{page} (2 incidents, 2020-09-05 to {DAY})" in result.output
    html = page.read_text(encoding="utf-8")
    assert ">Wire Service</a>" in html and 'id="map"' in html


def test_report_of_chosen_days_lists_only_their_incidents(tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse_with_two_days(db)
    result = run("--out", str(tmp_path), "--db", str(db), "--since", "2020-10-01",
                 "--until", "2020-10-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (tmp_path / "incidents-2020-10-01_2020-10-03.html").read_text(encoding="utf-8")
    assert "Tartar" in html and "Ganja" not in html.split("<tbody>")[1]


def test_a_period_that_ends_before_it_starts_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse_with_two_days(db)
    result = run("--out", str(tmp_path), "--db", str(db), "--since", "2020-10-05",
                 "--until", "2020-10-04")  # fmt: skip
    assert result.exit_code == 2
    assert "--since 2020-10-05 is after --until 2020-10-04" in result.output
