"""Which dates a page's markup and text give, on small pages built for each kind of signal."""

from datetime import UTC, datetime

from tasks.records import CleanPage, RawPage
from tasks.text.clean import clean_page

PARAGRAPHS = (
    "<p>Officials said at least two civilians were killed and eleven wounded when rockets struck "
    "residential streets in the early hours, and reporters saw damaged buildings nearby.</p>"
) * 2


def signals(head: str = "", before: str = "", inside: str = "", after: str = "") -> dict:
    """The page's date signals by kind, for an article with the given parts around it."""
    html = (
        f"<html><head>{head}</head><body>{before}<article><h1>Rockets hit the city</h1>"
        f"{PARAGRAPHS}{inside}</article>{after}</body></html>"
    )
    page = clean_page(
        RawPage("https://news.example.com/story", "x", html.encode(), datetime.now(UTC)),
        min_words=5,
    )
    assert isinstance(page, CleanPage), page
    return {signal.kind: signal.raw for signal in page.date_signals}


def test_a_copyright_year_is_no_publication_date():
    assert signals(after="<footer>© 2020 Example Media. All rights reserved.</footer>") == {}


def test_a_date_found_only_in_the_text_is_the_weak_htmldate_text_signal():
    found = signals(inside="<p>The council met on 17 March 2020 to discuss the budget.</p>")
    assert found == {"htmldate_text": "2020-03-17"}


def test_a_related_storys_date_in_a_sidebar_is_at_most_the_weak_signal():
    sidebar = "<div class='sidebar'><a href='/older'>Older story</a> <span>21.07.2015</span></div>"
    assert signals(after=sidebar) == {"htmldate_text": "2015-07-21"}


def test_a_date_in_the_lead_images_path_is_a_signal():
    image = "<meta property='og:image' content='https://cdn.example.com/2020/10/13/lead.jpg'>"
    assert signals(head=image)["image_url"] == "https://cdn.example.com/2020/10/13/lead.jpg"


def test_an_element_a_template_names_for_the_time_is_the_dateline():
    stamp = "<div class='entry-info'><span class='entry-info-time'>2020年07月12日</span></div>"
    assert signals(before=stamp)["dateline"] == "2020年07月12日"


def test_a_date_stated_in_markup_is_htmldates_strong_signal_and_no_text_search_runs():
    found = signals(
        head="<meta name='date' content='2020-10-04'>",
        inside="<p>The council met on 17 March 2020 to discuss the budget.</p>",
    )
    assert (found["meta"], found["htmldate"]) == ("2020-10-04", "2020-10-04")
    assert "htmldate_text" not in found


def test_the_offset_a_site_prints_its_other_times_in_is_its_clock():
    schedule = (
        '<script>var schedule = [{"show": "News at 11", "date": "Fri, 01 May 2020 23:00:00 -0400"},'
        ' {"show": "Morning", "date": "2020-05-02T06:00:00-04:00"},'
        ' {"show": "Ad", "date": "2020-05-02T06:00:00+01:00"}];</script>'
    )
    assert signals(after=schedule)["site_offset"] == "-04:00"


def test_times_printed_in_utc_say_nothing_of_the_sites_clock():
    stamps = "<span>2020-08-25T00:23:33+00:00</span> <span>Tue Aug 25 2020 00:23:33 GMT+0000</span>"
    assert "site_offset" not in signals(after=stamps)
