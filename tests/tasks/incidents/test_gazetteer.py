from tasks.incidents.gazetteer import load_gazetteer


def names(sentence, countries):
    return [m.place.location for m in load_gazetteer().find(sentence, countries)]


def test_whole_names_only_so_ganja_does_not_match_inside_sirajganj():
    assert names("Floods hit Sirajganj.", {"BD"}) == ["Sirajganj"]


def test_alternate_spelling_resolves_to_the_geonames_town():
    place = load_gazetteer().find("shelling of Goradiz", {"AZ"})[0].place
    assert (place.location, place.geonameid) == ("Horadiz", 148003)
    assert place.latitude is not None


def test_ambiguous_name_is_resolved_by_the_articles_country():
    assert load_gazetteer().find("fighting in Donetsk", {"UA"})[0].place.country == "UA"
    assert load_gazetteer().find("a fair in Donetsk", {"RU"})[0].place.country == "RU"


def test_neutral_name_is_reported_for_either_spelling():
    assert names("Stepanakert and Khankendi", {"AZ"}) == ["Stepanakert / Khankendi"] * 2


def test_common_words_are_not_places_outside_the_articles_countries():
    assert names("Of course the Best option was Mobile Reading.", {"UA"}) == []
    assert names("the shelling of reading room", set()) == []


def test_admin1_names_come_with_towns():
    assert load_gazetteer().find("in Horlivka", {"UA"})[0].place.admin1 == "Donetsk"


def test_articles_countries_come_from_names_demonyms_and_capitals():
    assert load_gazetteer().countries_in("Baku said Armenian troops fired") == {"AZ", "AM"}


def test_region_from_config_is_region_precision():
    place = load_gazetteer().find("in the Donetsk region", {"UA"})[0].place
    assert (place.admin1, place.precision) == ("Donetsk", 3)
