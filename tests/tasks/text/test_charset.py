import codecs

from tasks.text.charset import decode_html

CYRILLIC = (
    "<html><head><title>Обстрел Харькова</title></head><body>"
    "<p>Погибли двое мирных жителей, ещё пятеро получили ранения, сообщили в областной "
    "администрации. По словам спасателей, снаряды попали в жилые дома и школу.</p></body></html>"
)


def test_utf8_bom_wins_over_a_wrong_http_charset():
    body = codecs.BOM_UTF8 + "<p>Kyïv</p>".encode()
    assert decode_html(body, "text/html; charset=iso-8859-1") == "<p>Kyïv</p>"


def test_utf16_page_with_bom_is_decoded():
    assert decode_html("<p>Донецьк</p>".encode("utf-16"), None) == "<p>Донецьк</p>"


def test_http_charset_is_used_for_a_windows_1251_page():
    assert decode_html(CYRILLIC.encode("cp1251"), "text/html; charset=windows-1251") == CYRILLIC


def test_meta_charset_is_used_when_the_header_has_none():
    page = '<html><head><meta charset="windows-1251"></head><body><p>Погибли двое</p></body></html>'
    assert "Погибли двое" in decode_html(page.encode("cp1251"), "text/html")


def test_http_equiv_content_type_charset_is_used():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        "</head><body><p>Погибли двое мирных жителей</p></body></html>"
    )
    assert "Погибли двое" in decode_html(page.encode("koi8-r"), None)


def test_page_declared_utf8_but_written_in_cp1251_is_detected():
    assert "Погибли двое мирных жителей" in decode_html(
        CYRILLIC.encode("cp1251"), "text/html; charset=utf-8"
    )


def test_page_declared_latin1_but_written_in_utf8_is_read_as_utf8():
    body = "<p>Dnipró and Kyïv — “quoted”</p>".encode()
    assert decode_html(body, "text/html; charset=ISO-8859-1") == "<p>Dnipró and Kyïv — “quoted”</p>"


def test_latin1_label_is_read_as_windows_1252_like_browsers_do():
    body = b"<p>\x93Ceasefire\x94 in Montr\xe9al</p>"
    assert decode_html(body, "text/html; charset=latin-1") == "<p>“Ceasefire” in Montréal</p>"


def test_double_encoded_utf8_mojibake_is_repaired():
    mojibake = "<p>Kyïv — the café said</p>".encode().decode("cp1252").encode()
    assert decode_html(mojibake, "text/html; charset=utf-8") == "<p>Kyïv — the café said</p>"


def test_correct_french_guillemets_are_left_alone():
    text = "<p>«Liberté», a dit l’élu à Genève.</p>"
    assert decode_html(text.encode(), "text/html; charset=utf-8") == text


def test_unknown_charset_label_falls_back_to_the_bytes():
    assert decode_html("<p>Kyïv</p>".encode(), "text/html; charset=x-no-such") == "<p>Kyïv</p>"


def test_a_meta_utf16_label_on_an_ascii_page_is_read_as_utf8_as_browsers_do():
    for label in ("utf-16", "UTF-16LE", "utf-16be"):
        page = f'<html><head><meta charset="{label}"></head><body><p>Kyiv, 4 Oct</p></body></html>'
        assert decode_html(page.encode(), None) == page
