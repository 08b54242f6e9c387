from tasks.incidents import gazetteer_build, gazetteer_cache

from .conftest import GAZETTEER


def names(sentence, countries):
    return [m.place.location for m in GAZETTEER.find(sentence, countries)]


def test_whole_names_only_so_ganja_does_not_match_inside_sirajganj():
    assert names("Floods hit Sirajganj.", {"BD"}) == ["Sirajganj"]


def test_alternate_spelling_resolves_to_the_geonames_town():
    place = GAZETTEER.find("shelling of Goradiz", {"AZ"})[0].place
    assert (place.location, place.geonameid) == ("Horadiz", 148003)
    assert place.latitude is not None


def test_ambiguous_name_is_resolved_by_the_articles_country():
    assert GAZETTEER.find("fighting in Donetsk", {"UA"})[0].place.country == "UA"
    assert GAZETTEER.find("a fair in Donetsk", {"RU"})[0].place.country == "RU"


def test_neutral_name_is_reported_for_either_spelling():
    assert names("Stepanakert and Khankendi", {"AZ"}) == ["Stepanakert / Khankendi"] * 2


def test_common_words_are_not_places_outside_the_articles_countries():
    assert names("Of course the Best option was Mobile Reading.", {"UA"}) == []
    assert names("the shelling of reading room", set()) == []


def test_admin1_names_come_with_towns():
    assert GAZETTEER.find("in Horlivka", {"UA"})[0].place.admin1 == "Donetsk"


def test_articles_countries_come_from_names_demonyms_and_capitals():
    assert GAZETTEER.countries_in("Baku said Armenian troops fired") == {"AZ", "AM"}


def test_region_from_config_is_region_precision():
    place = GAZETTEER.find("in the Donetsk region", {"UA"})[0].place
    assert (place.admin1, place.precision) == ("Donetsk", 3)


def test_a_towns_own_name_beats_another_towns_alternate_spelling():
    assert GAZETTEER.resolve("Paris", {"UA"}).country == "FR"
    assert GAZETTEER.resolve("Odessa", {"UA"}).location == "Odesa"


def test_town_followed_by_region_word_is_its_province_at_its_largest_town():
    gazetteer = GAZETTEER
    place = gazetteer.find("a mine in the Zaporizhzhia region", {"UA"})[0].place
    city = gazetteer.resolve("Zaporizhzhia", {"UA"})
    assert (place.admin1, place.precision) == ("Zaporizhia", 3)
    assert (place.latitude, place.longitude) == (city.latitude, city.longitude)


def test_event_country_is_the_named_country_before_a_demonym():
    found = GAZETTEER.country_of("Moscow blames Ukraine for Russian journalist's death", set())
    assert (found.place.location, found.text) == ("Ukraine", "Ukraine")
    assert GAZETTEER.country_of("Ukrainian soldier killed", set()).place.country == "UA"


def test_event_country_defaults_to_the_articles_only_country():
    assert GAZETTEER.country_of("Two soldiers died.", {"UA"}).place.location == "Ukraine"
    assert GAZETTEER.country_of("Two soldiers died.", {"UA", "RU"}) is None


def test_town_name_many_villages_share_is_the_one_in_the_articles_region():
    gazetteer = GAZETTEER
    assert gazetteer.resolve("Vesele", {"UA"}).admin1 == "Zaporizhia"
    provinces = gazetteer.provinces_in("Shelling continued across Donbas.", {"UA"})
    assert provinces == {"Donetsk", "Luhansk"}
    assert gazetteer.find("Vesele was shelled.", {"UA"}, provinces)[0].place.admin1 == "Donetsk"


def test_town_contradicting_the_sentences_own_region_gives_way_to_the_region():
    found = GAZETTEER.find("killed at Kamyanka, Donetsk Obl", {"UA"})
    assert [(m.place.location, m.place.admin1) for m in found] == [("Donetsk Oblast", "Donetsk")]


def test_function_words_and_month_abbreviations_are_never_places():
    # "On" is an alternate name of Eaunes (France), "Nov" a town in Tajikistan
    assert names("On Sept. 27 and Nov. 3 the talks resumed.", {"FR", "TJ", "BE"}) == []


def test_a_region_the_article_names_steers_a_name_two_countries_share():
    gazetteer = GAZETTEER
    assert gazetteer.resolve("Martuni", {"AM", "AZ"}).country == "AM"
    steered = gazetteer.resolve("Martuni", {"AM", "AZ"}, steer=frozenset({"AZ"}))
    assert (steered.location, steered.country) == ("Martuni / Khojavend", "AZ")


def test_names_match_without_their_accents():
    rafah = GAZETTEER.find("An air strike hit a house in Rafah.", {"PS"})[0].place
    assert (rafah.location, rafah.country) == ("Rafaḩ", "PS")
    hays = GAZETTEER.resolve("Hays", {"YE"})
    assert (hays.location, hays.country) == ("Ḩays", "YE")


def test_a_town_followed_by_its_province_is_one_place():
    found = GAZETTEER.find("Shells landed in Hays, Al Hudaydah at dawn.", {"YE"})
    assert [(m.place.location, m.place.precision) for m in found] == [("Ḩays", 1)]


def test_the_province_named_after_a_town_picks_the_namesake_in_it():
    gazetteer = GAZETTEER
    assert gazetteer.find("Mortars hit Vesele overnight.", {"UA"})[0].place.admin1 != "Donetsk"
    found = gazetteer.find("Mortars hit Vesele, Donetsk overnight.", {"UA"})
    assert [(m.place.location, m.place.admin1) for m in found] == [("Vesele", "Donetsk")]


def test_a_village_the_gazetteer_lacks_falls_back_to_the_area_named_with_it():
    found = GAZETTEER.find("Gunmen raided Qaryat Zzyzx, Hajjah governorate.", {"YE"})
    assert [(m.place.location, m.place.country, m.place.precision) for m in found] == [
        ("Hajjah", "YE", 3)
    ]


def test_admin1_areas_resolve_with_their_country_at_region_precision():
    gazetteer = GAZETTEER
    for sentence, country in [
        ("Teachers marched in Oaxaca state.", "MX"),
        ("A drone struck a car in Idlib province.", "SY"),
        ("Floods cut every road in Nord-Ouest.", "HT"),
    ]:
        place = gazetteer.find(sentence, gazetteer.countries_in(sentence))[0].place
        assert (place.country, place.precision, place.geonameid) == (country, 3, None)


def test_a_district_in_its_province_is_the_district():
    sentence = "Fighting in Nihm district, Sanaa governorate went on all day."
    place = GAZETTEER.find(sentence, {"YE"})[0].place
    assert (place.location, place.admin1, place.precision) == ("Nihm", "Sanaa", 3)


def test_country_is_inferred_from_an_admin1_a_large_town_or_an_actor():
    gazetteer = GAZETTEER
    assert gazetteer.countries_in("Police broke up a rally in Balochistan.") == {"PK"}
    assert gazetteer.countries_in("Sirens sounded over Mariupol.") == {"UA"}
    assert gazetteer.countries_in("Military Forces of Nigeria repelled the raid.") == {"NG"}


def test_capitalised_common_words_are_no_towns_abroad():
    sentence = "Arab students left the University for the Market Square when Police came."
    assert GAZETTEER.countries_in(sentence) == set()
    assert names(sentence, set()) == []
    assert names(sentence, {"YE"}) == []


def test_the_cache_is_rebuilt_when_the_config_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_GAZETTEER_CACHE", str(tmp_path / "cache"))
    builds = []

    def tiny_table(config_path):
        builds.append(config_path.read_text())
        columns = {column: ["Hays"] for column in gazetteer_build.COLUMNS}
        meta = {key: {} for key in ("areas", "regions", "country_names", "countries", "implied")}
        return {"columns": columns, "names": {"Hays": [0]}, "common_words": [],
                "never_places": [], **meta}  # fmt: skip

    monkeypatch.setattr(gazetteer_cache, "build_table", tiny_table)
    config = tmp_path / "gazetteer.yaml"
    config.write_text("aliases: []\n")
    assert gazetteer_cache.open_table(config).named("Hays")[0][0][0] == "Hays"
    gazetteer_cache.open_table(config)
    config.write_text("aliases: [{name: Hais, geonameid: 1}]\n")
    gazetteer_cache.open_table(config)
    assert len(builds) == 2
    assert len(list((tmp_path / "cache").glob("gazetteer-*"))) == 1


def test_a_city_before_a_hyphen_is_the_place_of_its_quarter():
    assert names("Gunmen attacked a café in Mogadishu-Hodan.", {"SO"}) == ["Mogadishu"]
    assert names("Shells fell on Zolote-4 overnight.", {"UA"}) == ["Zolote"]


def test_a_word_after_a_hyphen_is_no_place_of_its_own():
    assert names("Jets struck Jabal al-Zawiya.", set()) == []


def test_arabic_transliteration_variants_find_the_geonames_town():
    assert names("Mortars hit Tell Abiad.", {"SY"}) == ["Tall Abyaḑ"]
    assert names("Crops burned near Ras el Ein.", {"SY"}) == ["Ra’s al ‘Ayn"]


def test_a_variant_spelling_of_an_admin1_tells_the_country():
    assert GAZETTEER.countries_in("Jets struck a market in Idleb.") == {"SY"}


def test_transliteration_variants_only_match_where_names_are_transliterated():
    assert names("The Resistance held a rally.", {"AR"}) == []


def test_a_lower_case_article_before_a_space_belongs_to_the_name():
    assert names("Protesters marched in el Hermel.", {"LB"}) == ["El Hermel"]


def test_lower_case_prepositions_join_the_words_of_one_name():
    assert names("Farmers blocked a road near Tafi del Valle.", {"AR"}) == ["Tafí del Valle"]
    assert names("Shots were fired in Catole do Rocha.", {"BR"}) == ["Catolé do Rocha"]


def test_a_district_named_after_a_town_lies_at_that_town():
    gazetteer = GAZETTEER
    district = gazetteer.find("Gunmen were arrested in Samarra district.", {"IQ"})[0].place
    town = gazetteer.resolve("Samarra", {"IQ"})
    assert district.precision == 3
    assert (district.latitude, district.longitude) == (town.latitude, town.longitude)
