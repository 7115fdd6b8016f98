"""Direct identifiers masked in quotes and listed answers: names, e-mail addresses, phone and national ids.

Quotes make a report; they must not name or reach a person. :func:`mask` replaces, in this order:

* 11-digit national identity numbers (fødselsnummer, ``ddmmyy nnnnn``, together or with a space or hyphen)
  by ``[fødselsnummer]``;
* e-mail addresses by ``[e-post]``;
* Norwegian phone numbers (8 digits written together or as ``dd dd dd dd`` / ``ddd dd ddd``, with spaces,
  hyphens or dots, or as ``dddd dddd`` / ``ddd ddddd`` beginning with 3 to 9, with or without ``+47``,
  ``(+47)`` or ``0047``) by ``[telefon]`` (``10 000 000`` kroner, ``2023 2024`` and ``5000 6000 kr``
  are no phone numbers and stay);
* people's names by ``[navn]``: a common Norwegian first name (``coder/data/fornavn.txt``; also as part of
  a double name, ``Anne-Lise``) followed by a capitalised word (the surname, also after a middle initial,
  ``Ola J. Nordmann``, or a particle, ``Kari van Dijk``) on the same line, and any name the caller gives
  (:func:`person_names` picks those of a respondents file). A name in lower case or in capitals is not
  found: too many first names are words (``per måned``, ``PER MÅNED``); nor one split by a line break.
* a first name alone (``spør Kari``, ``Karis kontor``), or one word of a name the caller gives that begins
  with a first name (``Hansen`` of ``Sølvi Hansen``; not ``Barnevern`` of a role «Leder Barnevern»),
  capitalised: in a small municipality one name is enough. At the start of a sentence, where every word is
  capitalised, a first name that is also a common word stays (:data:`FIRST_NAMES_THAT_ARE_WORDS`: «Per
  uke», «Dag for dag»), unless the caller gives it; within a word or a compound none is a name
  («Bo-veiledning»), nor is the saint of «St. Olavs hospital».

>>> mask("Ring Kari Nordmann på 922 33 444 eller kari@nav.no")
'Ring [navn] på [telefon] eller [e-post]'
>>> mask("Kari ordner alt. Per uke er det spør Per")
'[navn] ordner alt. Per uke er det spør [navn]'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources

SMALLEST_CELL = 3
"""The fewest people a published figure or name may stand for (the smallest cell of Norwegian statistics):
the report shows no rating, share or quote attribution of fewer (the tables for the researchers keep them)."""

NATIONAL_ID = re.compile(r"(?<!\d)\d{6}[ -]?\d{5}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEP = r"[ .-]"  # one separator, the same throughout a number: «922 33 444», «922-33-444»
PHONE = re.compile(
    r"(?<![\d+(])(?:\(?(?:\+|00)47\)? ?)?"
    rf"(?:\d{{8}}|\d{{2}}(?P<a>{_SEP})\d{{2}}(?P=a)\d{{2}}(?P=a)\d{{2}}|\d{{3}}(?P<b>{_SEP})\d{{2}}(?P=b)\d{{3}}"
    r"|(?:[3-9]\d{3} \d{4}|[3-9]\d{2} \d{5})(?!\s*(?:kr\b|kroner|NOK|,-)))(?![\d-])"
)
_UPPER = "A-ZÆØÅÄÖÜÉ"  # Norwegian capitals, and those of Swedish and German names
_LOWER = "a-zæøåäöüéèáóñëïíúâêôç"  # and the small letters of names from further away (Zoë, José)
_WORD = rf"[{_UPPER}][{_LOWER}]+"
_SURNAME = rf"{_WORD}(?:{_WORD})?(?:-{_WORD})?"  # Moe, McDonald, Moe-Berg, Söderström
_BEFORE_SURNAME = rf"(?:[^\S\n]+(?:[{_UPPER}]\.|van|von|de|der|den|af|da|di|du|le|la))*"  # Ola J. Nordmann


@functools.cache
def first_names() -> frozenset[str]:
    """The first names :func:`mask` knows (from ``coder/data/fornavn.txt``)."""
    text = resources.files("coder").joinpath("data/fornavn.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


#: First names of ``fornavn.txt`` that are also Norwegian words, so capitalised at the start of a sentence
#: they are most often the word: «Per uke», «Hans kontor», «Finn ut», «Liv og helse», «Line opp».
FIRST_NAMES_THAT_ARE_WORDS = frozenset(
    {"Anna", "Bo", "Dag", "Endre", "Even", "Finn", "Gro", "Hans", "Helga", "Helle", "Inga", "Lene", "Line",
     "Liv", "Live", "Lise", "Mai", "Odd", "Per", "Siv", "Tom", "Tone"}
)  # fmt: skip
_OPENERS = frozenset(" \t\n-–•*«»\"'(")  # what may stand between the end of a sentence and its first word


@functools.cache
def _lone_pattern(extra: tuple[str, ...]) -> tuple[re.Pattern[str], frozenset[str]]:
    """The pattern of a name alone, and the words of the given names it looks for."""
    # each word of a given name that begins with a first name: «Hansen» of «Sølvi Hansen»; a role such as
    # «Leder Barnevern» is two capitalised words too, and its words are words
    parts = frozenset(
        part
        for name in extra
        if (words := re.findall(_WORD, name)) and words[0] in first_names()
        for part in words
        if len(part) > 1
    )
    names = "|".join(map(re.escape, sorted(first_names() | parts, key=len, reverse=True)))
    # not inside a word or a hyphenated compound («Bo-veiledning», «Hansen» for «Hans»); «Karis» is Kari's
    return re.compile(rf"(?<!\w)(?<!\w-)(?P<name>(?:{names})(?:-{_WORD})?)s?(?![\w-])"), parts


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins the text, a line or a sentence (linear in the gap only)."""
    i = start
    while i > 0 and text[i - 1] in _OPENERS:
        i -= 1
    return i == 0 or text[i - 1] in ".!?" or "\n" in text[i:start]


def _lone_name(found: re.Match[str], given: frozenset[str]) -> str:
    name, text = found.group("name"), found.string
    before = text[max(0, found.start() - 6) : found.start()]
    if found.group(0) != name and before.endswith(("St. ", "St ", "Sankt ")):
        return found.group(0)  # St. Olavs hospital
    if name in FIRST_NAMES_THAT_ARE_WORDS and name not in given and _starts_sentence(text, found.start()):
        return found.group(0)  # «Per uke», unless a Per is among the respondents
    return "[navn]"


@functools.cache
def _name_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    names = sorted(first_names(), key=len, reverse=True)
    first = "|".join(map(re.escape, names))
    # A first name, maybe a double one (Anne-Lise, Per-Olav), then one or more surnames.
    # Spaces or tabs between the parts, not a line break: a first name that ends a line is followed by the
    # next line's first word, most often no surname («... med Eva\nOmsorgstjenesten ...»).
    pairs = rf"\b(?:{first})(?:-{_WORD})?{_BEFORE_SURNAME}(?:[^\S\n]+{_SURNAME})+\b"
    given = [re.escape(name) for name in sorted(extra, key=len, reverse=True) if name.strip()]
    return re.compile("|".join([pairs, *(rf"\b{name}\b" for name in given)]))


_FULL_NAME = re.compile(rf"{_WORD}(?:-{_WORD})?(?:[^\S\n]+(?:[{_UPPER}]\.|{_SURNAME}))+")


def person_names(values: Iterable[object]) -> list[str]:
    """The ``values`` (a respondents file's ids and labels) that are written as a person's full name.

    Only two or more capitalised words: a label such as «Rådgiver NAV» or «Leder» names a role, and
    masking it would hide words of the answers.

    >>> person_names(["Eli Hansen", "Rådgiver NAV", "Leder", "r17", "Ola J. Nordmann"])
    ['Eli Hansen', 'Ola J. Nordmann']
    """
    return [value for value in values if isinstance(value, str) and _FULL_NAME.fullmatch(value.strip())]


def mask(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with its direct identifiers replaced (see the module docs); ``names``: more names to mask."""
    text = NATIONAL_ID.sub("[fødselsnummer]", text)
    text = EMAIL.sub("[e-post]", text)
    text = PHONE.sub("[telefon]", text)
    given = tuple(sorted(set(names)))
    lone, parts = _lone_pattern(given)
    return lone.sub(functools.partial(_lone_name, given=parts), _name_pattern(given).sub("[navn]", text))
