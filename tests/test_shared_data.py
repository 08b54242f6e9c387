"""The seed report in the sample corpus is the one the project started from, word for word."""

import re
from datetime import datetime

from tests.shared_data import SHARED_SEED, require_eval, seed_report


def test_the_sample_page_keeps_the_seed_report_verbatim():
    require_eval()
    header = re.match(r"\s*date (\d{4}-\d{2}-\d{2}) ", SHARED_SEED.read_text(encoding="utf-8"))
    assert header is not None
    assert seed_report() == (header.string[header.end() :], datetime.fromisoformat(header[1]))
