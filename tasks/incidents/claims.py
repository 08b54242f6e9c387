"""Who says an event happened, and who says it did not.

An incident a party to the conflict claims is "claimed"; one that another party denies as
well is "disputed"; analysts weigh the two very differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.incidents.folding import FoldedSearch
from tasks.incidents.lexicons import Lexicons

_MAX_SPEAKER_WORDS = 8


@dataclass(frozen=True)
class Attribution:
    """The sources a sentence names for what it reports."""

    claimed_by: str | None = None
    denied_by: str | None = None

    @property
    def status(self) -> str:
        if self.claimed_by and self.denied_by:
            return "disputed"
        if self.denied_by:
            return "denied"
        return "claimed" if self.claimed_by else "reported"


def attribute(sentence: str, lex: Lexicons, last_speaker: str | None = None) -> Attribution:
    """The claimant and denier of ``sentence``; a pronoun speaker is ``last_speaker``."""
    words = lex["claims"]
    claimed = _speaker_before(sentence, lex.built(_claim_verb), lex)
    claimed = claimed or _speaker_after(sentence, lex)
    denied = _speaker_before(sentence, lex.built(_denial_verb), lex)
    if claimed and claimed.lower() in words["pronouns"]:
        claimed = last_speaker
    if denied and denied.lower() in words["pronouns"]:
        denied = None
    return Attribution(claimed, denied)


def denial_reaches(sentence: str, position: int, lex: Lexicons) -> bool:
    """Whether the sentence's denial covers the event word at ``position``.

    "Armenian soldiers said they destroyed an airbase, but Baku denied this" denies what came
    before; "Baku denied targeting civilians and said it struck positions in response to
    Armenian shelling of Ganja" denies only up to the next claim: the shelling is Baku's claim.
    """
    words = lex["claims"]
    denial = re.search(rf"\b(?:{words['denial_verbs']})\b", sentence, re.IGNORECASE)
    if denial is None or position < denial.start():
        return True
    claim = re.search(rf"\b(?:{words['claim_verbs']})\b", sentence[denial.end() : position])
    return claim is None


def _speaker_before(sentence: str, verbs: FoldedSearch, lex: Lexicons) -> str | None:
    """ "Azerbaijan's Defence Ministry said ..." -> the phrase before the first such verb."""
    verb = verbs.search(sentence)
    if verb is None:
        return None
    clause = re.split(r"[,;:\"“”]|\bthat\b|\bbut\b", sentence[: verb.start()])[-1]
    clause = lex.built(_noise).sub("", clause.strip())
    # "Azerbaijan denied targeting the hospital and said ...": the speaker of both verbs is
    # who stands before the first, not the words between them
    earlier = lex.built(_speech_verb).search(clause)
    clause = clause[: earlier.start()].strip() if earlier else clause
    words = clause.split()
    if not words or len(words) > _MAX_SPEAKER_WORDS:
        return None
    named = words[0][:1].isupper() or words[0] == "the"  # "..., the rebels said."
    return clause if named or clause.lower() in lex["claims"]["pronouns"] else None


def _speaker_after(sentence: str, lex: Lexicons) -> str | None:
    """'"...," said Hikmet Hajiyev, an adviser' and 'according to X' name the speaker last."""
    match = lex.built(_named_after).search(sentence)
    return match.group(1) if match else None


def _claim_verb(lex: Lexicons) -> FoldedSearch:
    return FoldedSearch(rf"\b(?:{lex['claims']['claim_verbs']})\b", lex)


def _denial_verb(lex: Lexicons) -> FoldedSearch:
    return FoldedSearch(rf"\b(?:{lex['claims']['denial_verbs']})\b", lex)


def _named_after(lex: Lexicons) -> re.Pattern[str]:
    words = lex["claims"]
    return re.compile(
        rf"(?:[,\"”]\s*(?:{words['claim_verbs']})|{words['according_to']})\s+"
        r"((?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)"
    )


def _noise(lex: Lexicons) -> re.Pattern[str]:
    return re.compile(lex["claims"]["speaker_noise"], re.IGNORECASE)


def _speech_verb(lex: Lexicons) -> re.Pattern[str]:
    words = lex["claims"]
    return re.compile(rf"\b(?:{words['claim_verbs']}|{words['denial_verbs']})\b", re.IGNORECASE)
