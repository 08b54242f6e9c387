import pytest

from tasks.incidents.sentences import readable_case, split_sentences

from .conftest import LEX


def texts(text):
    return [s.text for s in split_sentences(text, LEX)]


def test_sentence_ending_in_a_one_letter_word_ends_there():
    assert texts("Shelling hit Sector B. The army said two died.") == [
        "Shelling hit Sector B.",
        "The army said two died.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "John F. Kennedy spoke.",
        "U.S. troops left the base.",
        "Gen. Smith arrived on Oct. 3 in Kramatorsk.",
    ],
)
def test_initials_and_abbreviations_do_not_end_a_sentence(text):
    assert texts(text) == [text]


def test_sentences_keep_their_offsets_into_the_article():
    text = "Shelling hit Sector B. The army said two died.\n\nRebels denied it."
    for sentence in split_sentences(text, LEX):
        assert text[sentence.start : sentence.end] == sentence.text


def test_all_caps_headline_is_read_in_ordinary_case_with_the_same_length():
    shouted = "THREE SOLDIERS KILLED IN AVDIIVKA, KIEV'S MILITARY SAYS"
    assert readable_case(shouted, LEX) == "Three Soldiers Killed in Avdiivka, Kiev's Military says"
    assert len(readable_case(shouted, LEX)) == len(shouted)


def test_ordinary_text_with_an_acronym_is_left_alone():
    assert (
        readable_case("OSCE monitors saw DPR shelling in Donetsk", LEX)
        == "OSCE monitors saw DPR shelling in Donetsk"
    )


def test_all_caps_headline_with_accented_letters_is_read_in_ordinary_case():
    shouted = "DEUX SOLDATS TUÉS À GAO"
    assert readable_case(shouted, LEX) == "Deux Soldats Tués À Gao"
