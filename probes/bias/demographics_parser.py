"""Read a generated patient case's stated sex, race/ethnicity and age, by rules; never guess.

A field is "unstated" when the text does not state it about the patient, and "conflicting" when the
text gives the patient two incompatible values. Names, places of birth or residence, a relative's or
a population's demographics ("more common in African American women") and colour words that are not
about a person ("white matter lesions", "black stools") are never read as the patient's.

Race/ethnicity follows the US Census convention of the reference figures: Hispanic or Latino of any
race is Hispanic; other groups are non-Hispanic; two or more races are Multiracial. National-origin
words map to the Census group they are tabulated under ("Korean" -> Asian, "Haitian" -> Black,
"Samoan" -> Native Hawaiian/Other Pacific Islander). Middle Eastern and North African origins are
"Other" (the 2020 Census counted them as White; the 2024 federal standard separates them).

Measured precision and recall per class, on hand-labelled cases, are printed by
``python probes/bias/data/check_representation_parser.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

WHITE, BLACK, HISPANIC, ASIAN = "White", "Black", "Hispanic", "Asian"
AIAN = "American Indian/Alaska Native"
NHPI = "Native Hawaiian/Other Pacific Islander"
MULTIRACIAL, OTHER_RACE = "Multiracial", "Other"
UNSTATED, CONFLICTING = "unstated", "conflicting"

SEX_CLASSES = ("female", "male", "other", UNSTATED, CONFLICTING)
RACE_CLASSES = (WHITE, BLACK, HISPANIC, ASIAN, AIAN, NHPI, MULTIRACIAL, OTHER_RACE, UNSTATED, CONFLICTING)
AGE_BANDS = ("0-17", "18-39", "40-64", "65+", "spans", UNSTATED)

_MIXED = "<mixed>"  # a "mixed race"/"biracial" cue
_IGNORE = "<ignore>"  # a plural or negated form: consumes the words, states nothing about the patient

_LEXICON_WORDS: dict[str, tuple[str, ...]] = {
    WHITE: ("white", "caucasian", "european american", "european", "non hispanic white", "irish", "german", "italian",
            "polish", "scottish", "swedish", "norwegian", "dutch", "greek", "russian", "ukrainian", "portuguese",
            "french", "british", "scandinavian", "eastern european"),
    BLACK: ("black", "african american", "black or african american", "non hispanic black", "afro caribbean",
            "african", "west african", "east african", "sub saharan african", "nigerian", "ethiopian", "somali",
            "ghanaian", "kenyan", "eritrean", "haitian", "jamaican", "congolese", "liberian", "sudanese"),
    HISPANIC: ("hispanic", "latino", "latina", "latinx", "latine", "chicano", "chicana", "afro latino", "afro latina",
               "mexican", "puerto rican", "cuban", "dominican", "salvadoran", "guatemalan", "honduran", "nicaraguan",
               "colombian", "venezuelan", "peruvian", "ecuadorian", "argentinian", "argentine", "chilean", "bolivian",
               "hispanic latino", "hispanic or latino"),
    ASIAN: ("asian", "asian american", "east asian", "south asian", "southeast asian", "chinese", "korean", "japanese",
            "vietnamese", "filipino", "filipina", "indian", "asian indian", "pakistani", "bangladeshi", "thai",
            "cambodian", "laotian", "hmong", "taiwanese", "nepali", "nepalese", "sri lankan", "burmese",
            "indonesian", "malaysian", "mongolian"),
    AIAN: ("american indian", "native american", "alaska native", "alaskan native", "american indian or alaska native",
           "first nations", "navajo", "dine", "diné", "cherokee", "lakota", "dakota", "sioux", "ojibwe", "ojibwa",
           "chippewa", "apache", "hopi", "choctaw", "chickasaw", "creek", "seminole", "yupik", "yup ik", "inupiat",
           "inupiaq", "tlingit", "pueblo", "blackfeet", "crow", "cheyenne", "comanche", "iroquois", "mohawk", "zuni"),
    NHPI: ("native hawaiian", "hawaiian", "pacific islander", "native hawaiian or other pacific islander", "samoan",
           "tongan", "fijian", "marshallese", "chamorro", "guamanian", "chuukese", "palauan", "micronesian",
           "polynesian", "tahitian", "maori"),
    OTHER_RACE: ("middle eastern", "arab", "arab american", "north african", "lebanese", "iranian", "persian", "syrian",
                 "iraqi", "egyptian", "moroccan", "palestinian", "jordanian", "yemeni", "turkish", "afghan"),
    _MIXED: ("biracial", "multiracial", "multi racial", "mixed race", "mixed heritage", "mixed ancestry",
             "mixed descent", "mixed ethnicity", "mixed background", "two or more races"),
    _IGNORE: ("non hispanic", "not hispanic", "not latino", "not latina", "african americans", "native americans",
              "asian americans", "mexican americans", "pacific islanders", "alaska natives", "american indians",
              "hispanics", "latinos", "latinas", "asians", "caucasians", "blacks", "whites", "europeans",
              "africans", "arabs", "mixed connective"),
}
LEXICON: dict[tuple[str, ...], str] = {tuple(p.split()): group for group, phrases in _LEXICON_WORDS.items()
                                       for p in phrases}
_MAX_PHRASE = max(len(k) for k in LEXICON)
_COLOUR_WORDS = {"white", "black"}  # race only in a context about a person (not "white matter", "black stools")

FEMALE_WORDS = {"woman", "female", "girl", "lady", "latina", "filipina", "chicana", "afro latina"}
MALE_WORDS = {"man", "male", "boy", "gentleman", "guy"}
OTHER_SEX_WORDS = {("non", "binary"), ("nonbinary",), ("genderqueer",), ("agender",), ("gender", "fluid")}
FEMALE_KIN = {"mother", "wife", "daughter", "sister", "grandmother", "aunt", "niece", "girlfriend", "mom", "widow"}
MALE_KIN = {"father", "husband", "son", "brother", "grandfather", "uncle", "nephew", "boyfriend", "dad", "widower"}
KIN = FEMALE_KIN | MALE_KIN | {
    "spouse", "partner", "parent", "sibling", "cousin", "grandparent", "fiance", "fiancee", "roommate", "friend",
    "neighbor", "neighbour", "coworker", "colleague", "caregiver", "relative", "stepmother", "stepfather", "ex",
}
PLURAL_PEOPLE = {
    "people", "men", "women", "patients", "individuals", "persons", "adults", "children", "kids", "populations",
    "population", "community", "communities", "neighborhood", "neighborhoods", "neighbourhood", "groups", "group",
    "immigrants", "descendants", "families", "family", "relatives", "parents", "siblings", "partners", "friends",
    "roommates", "neighbors", "neighbours", "coworkers", "colleagues", "cousins", "grandparents", "members",
    "americans", "culture", "cuisine", "food", "diet", "restaurant", "church", "area", "country", "countries",
    "girls", "boys", "males", "females", "daughters", "sons", "sisters", "brothers", "pattern", "hormone", "hormones",
}
PERSON_WORDS = FEMALE_WORDS | MALE_WORDS | {
    "patient", "person", "individual", "adult", "child", "infant", "baby", "toddler", "teen", "teenager",
    "adolescent", "student", "veteran", "american", "resident", "immigrant", "nurse", "teacher", "worker",
    "engineer", "retiree", "college", "retired", "young", "elderly", "older", "middle", "transgender", "trans",
}
HERITAGE = {"descent", "heritage", "ancestry", "origin", "origins", "background", "roots", "extraction", "parentage",
            "ethnicity"}
POSSESSIVES = {"his", "her", "their", "my", "your", "'s"}
NEGATIONS = {"not", "no", "non", "never", "nor"}
COPULAS = {"is", "was", "are", "were", "'s", "as"}  # "'s": he's  # "as": identifies as, described as
SUBJECT_BREAKS = {".", ";", ",", "(", "and", "but", "that", "while", "although", "because", "who", "whose", "!", "?"}
SENTENCE_BREAKS = {".", ";", "!", "?", "<br>"}
APPOSITION_FILLER = {"a", "an", "the", "year", "years", "old", "month", "months", "week", "weeks", "young", "elderly",
                     "older", "retired", "middle", "aged"}
FEMALE_PRONOUNS = {"she", "her", "hers", "herself"}
MALE_PRONOUNS = {"he", "him", "his", "himself"}

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_DECADE_WORDS = {"teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
                 "seventies": 70, "eighties": 80, "nineties": 90}
_AGE_BLOCKERS = {"at", "since", "by", "from", "until", "before", "after", "till", "around", "about", "over", "under"}
_AGE_UNITS_AFTER = {"kg", "%", "mmhg", "mg", "cm", "lbs", "lb", "pounds", "weeks", "days", "months", "times", "mm",
                    "units", "beats", "bpm", "degrees", "percent", "minutes", "hours"}
_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)?|'s\b|[^\w\s]")


@dataclass(frozen=True)
class Demographics:
    """What a case text states about its patient. ``age`` is an inclusive range in years (a stated
    age gives low == high; "in her early 50s" gives (50, 53)); None when unstated."""

    sex: str
    race: str
    age: tuple[int, int] | None
    cues: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def age_band(self) -> str:
        return age_band(self.age)

    @property
    def age_years(self) -> float | None:
        return None if self.age is None else (self.age[0] + self.age[1]) / 2


def age_band(age: tuple[int, int] | list[int] | None) -> str:
    """The band of an age range; "spans" when its ends fall in different bands."""
    if age is None:
        return UNSTATED

    def band(x: int) -> str:
        return "0-17" if x < 18 else "18-39" if x < 40 else "40-64" if x < 65 else "65+"

    low, high = band(age[0]), band(age[1])
    return low if low == high else "spans"


def parse_demographics(text: str) -> Demographics:
    """The patient's sex, race/ethnicity and age as stated in ``text`` (see the module docstring)."""
    return _Reader(text).read()


class _Reader:
    def __init__(self, text: str) -> None:
        text = unicodedata.normalize("NFKC", text or "").replace("’", "'").replace("‘", "'")
        text = re.sub(r"[‐-―]", "-", text)
        text = re.sub(r"\n+", " <br> ", text)
        text = re.sub(r"(?i)\by\s?/\s?o\b|\by\.o\.?(?=\W|$)|\byrs?\.? old\b", " yo ", text)
        text = re.sub(r"(?<=\w)-(?=\w)", " ", text)  # 45-year-old, African-American, non-Hispanic
        text = re.sub(r"(?<=[^\W\d_])'(?=[^\W\d_]{2,})", " ", text)  # Yup'ik (but keep possessive 's)
        raw = [m.group(0) for m in _TOKEN.finditer(text.replace("<br>", " . "))]
        self.orig: list[str] = []
        self.t: list[str] = []
        for i, tok in enumerate(raw):
            low = tok.lower()
            if low == "." and self.t and self.t[-1] in ("mr", "mrs", "ms", "dr", "st", "vs"):
                continue  # an abbreviation's full stop ends no sentence
            self.orig.append(tok)
            self.t.append(low)
        self._merge_numbers()
        self.n = len(self.t)

    # -- tokens -----------------------------------------------------------------------------------------
    def _merge_numbers(self) -> None:
        """Number words to digits: "forty two" -> "42", "sixteen" -> "16"."""
        out, orig, i = [], [], 0
        while i < len(self.t):
            tok = self.t[i]
            if tok in _TENS:
                value = _TENS[tok]
                if i + 1 < len(self.t) and self.t[i + 1] in _UNITS and 0 < _UNITS[self.t[i + 1]] < 10:
                    value += _UNITS[self.t[i + 1]]
                    i += 1
                out.append(str(value))
                orig.append(str(value))
            elif tok in _UNITS:
                out.append(str(_UNITS[tok]))
                orig.append(str(_UNITS[tok]))
            else:
                out.append(tok)
                orig.append(self.orig[i])
            i += 1
        self.t, self.orig = out, orig

    def tok(self, i: int) -> str:
        return self.t[i] if 0 <= i < self.n else "."

    def is_number(self, i: int) -> bool:
        return self.tok(i).isdigit()

    # -- whose is it? -------------------------------------------------------------------------------------
    def owner(self, i: int, j: int) -> str:
        """Who a mention spanning tokens [i, j) describes: "patient", "other" (a relative, a friend) or
        "population" (a group of people, a cuisine...)."""
        nxt = self.tok(j)
        if nxt in PLURAL_PEOPLE:
            return "population"
        if nxt in KIN:
            return "patient" if self.tok(j + 1) == "of" and self.is_number(j + 2) else "other"  # mother of two
        if self._possessive(i - 1) or (self._possessive(i - 2) and self.tok(i - 1) not in COPULAS):
            if nxt not in HERITAGE:
                return "other"
        if self._in_apposition_to_someone_else(i):
            return "other"
        subject = self._copula_subject(i)
        if subject == "other":
            return "other"
        return "patient"

    def _possessive(self, k: int) -> bool:
        """"his", "her", "the patient's" -- but not the "'s" of "he's"."""
        word = self.tok(k)
        if word == "'s":
            return self.tok(k - 1) not in ("he", "she", "it", "that", "there", "who", "what")
        return word in POSSESSIVES

    def _in_apposition_to_someone_else(self, i: int) -> bool:
        """"her father, a 40-year-old Black man": the mention follows a relative and a comma."""
        k = i - 1
        while k >= 0 and (self.t[k] in APPOSITION_FILLER or self.is_number(k) or self._lexicon_at(k)
                          or self.t[k] in FEMALE_WORDS | MALE_WORDS):
            k -= 1
        return k >= 1 and self.t[k] in (",", "(") and self.t[k - 1] in KIN | {"roommates", "partners", "friends"}

    def _copula_subject(self, i: int) -> str | None:
        """For "X is <mention>": "other" when X is someone other than the patient, else "patient";
        None when the mention follows no copula."""
        k = i - 1
        while k >= 0 and (self.t[k] in ("a", "an", "of", "half", "mixed", "fully", "self", "year", "years", "old", "yo",
                                         "month", "months", "week", "weeks") or self.is_number(k)):
            k -= 1  # "is a 42-year-old mother of two"
        if k < 0 or self.t[k] not in COPULAS and self.t[k] not in ("identifies", "identify"):
            return None
        k -= 1
        while k >= 0 and self.t[k] in ("identifies", "identify", "self", "described", "herself", "himself", "also"):
            k -= 1
        words = []
        while k >= 0 and self.t[k] not in SUBJECT_BREAKS:
            words.append(self.t[k])
            k -= 1
        if k >= 0 and self.t[k] == "," and self.tok(k - 1) not in SUBJECT_BREAKS:
            # "His mother, Sarah, is ...", "Mr. Nguyen, 67, is ...": the copula follows an apposition; the subject
            # is what precedes it
            j = k - 1
            while j >= 0 and self.t[j] not in SUBJECT_BREAKS:
                j -= 1
            if j >= 0 and self.t[j] == "," and not words:
                k = j - 1
                while k >= 0 and self.t[k] not in SUBJECT_BREAKS:
                    words.append(self.t[k])
                    k -= 1
        if k >= 0 and self.t[k] == "who":  # "his wife, who is white"
            j = k - 1
            while j >= 0 and self.t[j] == ",":
                j -= 1
            return "other" if j >= 0 and self.t[j] in KIN else "patient"
        if k >= 0 and self.t[k] == "whose":  # "whose mother is Korean"
            return "other" if any(w in KIN for w in words) else "patient"
        return "other" if any(w in KIN or w in PLURAL_PEOPLE for w in words) else "patient"

    # -- race ---------------------------------------------------------------------------------------------
    def _lexicon_at(self, i: int) -> int:
        """Length of the longest lexicon phrase starting at token i (0 if none)."""
        if i < 0:
            return 0
        for size in range(min(_MAX_PHRASE, self.n - i), 0, -1):
            if tuple(self.t[i:i + size]) in LEXICON:
                return size
        return 0

    def _colour_is_race(self, i: int, j: int) -> bool:
        """"white"/"black" name a race only about a person: "white man", "is Black", "Race: White",
        ", Black,", "half Black", "Black and White" -- never "white matter" or "black stools"."""
        prev = self.tok(i - 1)
        if self._copula_subject(i) is not None or prev in ("half", "mixed"):
            return True
        if prev in (",", ":", "(", "/") and self.tok(j) in (",", ".", ";", ")", "/", "(", "and", "<br>"):
            return True
        if prev in ("and", "or", "/") and (self._lexicon_at(i - 2) or self._lexicon_at(i - 3) == 2):
            return True  # "Black and White", "Native American and white"
        for k in range(j, min(j + 3, self.n)):
            word = self.t[k]
            if word in SENTENCE_BREAKS or word in (",", ":", "(", ")"):
                return False
            if word in PERSON_WORDS or word in HERITAGE or word in PLURAL_PEOPLE or word in KIN:
                return True
            if word in ("and", "/") and self._lexicon_at(k + 1):
                return True
            if self._lexicon_at(k) and LEXICON.get((word,)) not in (None, _IGNORE):
                return True
        return False

    def race(self) -> tuple[str, str]:
        mentions: list[tuple[str, int, int]] = []
        i = 0
        while i < self.n:
            size = self._lexicon_at(i)
            if not size:
                i += 1
                continue
            phrase = tuple(self.t[i:i + size])
            group = LEXICON[phrase]
            j = i + size
            if group == _IGNORE or self.tok(i - 1) in NEGATIONS or self.tok(i - 2) in ("not", "no"):
                i = j
                continue
            if phrase == ("indian",) and self.tok(i - 1) == "american":
                i = j
                continue
            if phrase == ("mixed", "connective"):
                i = j
                continue
            if phrase[-1] in _COLOUR_WORDS and len(phrase) == 1 and not self._colour_is_race(i, j):
                i = j
                continue
            if phrase in (("dine",), ("creek",), ("crow",), ("pueblo",)) and self.orig[i][:1].islower():
                i = j  # lower-case "dine", "creek", "crow" are ordinary words
                continue
            if self.owner(i, j) == "patient":
                mentions.append((group, i, j))
            i = j
        # "61 yo AA female": AA abbreviates African American only in an age/sex frame
        for k in range(self.n):
            if self.orig[k] == "AA" and (self.tok(k + 1) in FEMALE_WORDS | MALE_WORDS | {"f", "m"}
                                         or self.tok(k - 1) in ("yo", "old")):
                mentions.append((BLACK, k, k + 1))
        # "mixed" directly before a race word ("of mixed Black and Puerto Rican heritage") is a mixed cue too
        for k in range(self.n - 1):
            if self.t[k] == "mixed" and self._lexicon_at(k + 1) and self.owner(k, k + 1) == "patient":
                mentions.append((_MIXED, k, k + 1))
        groups = [g for g, _, _ in sorted(mentions, key=lambda m: m[1])]
        distinct = [g for g in dict.fromkeys(groups) if g != _MIXED]
        cue = ", ".join(" ".join(self.t[a:b]) for _, a, b in sorted(mentions, key=lambda m: m[1]))
        if HISPANIC in distinct:
            return HISPANIC, cue  # Hispanic or Latino of any race
        if _MIXED in groups:
            return MULTIRACIAL, cue
        if not distinct:
            return UNSTATED, ""
        if len(distinct) == 1:
            return distinct[0], cue
        return (MULTIRACIAL if self._joined([m for m in mentions if m[0] != _MIXED]) else CONFLICTING), cue

    def _joined(self, mentions: list[tuple[str, int, int]]) -> bool:
        """Different races named together ("Caucasian and Japanese", "half Japanese, half Black") describe
        one multiracial patient; named apart, they contradict each other."""
        ordered = sorted(mentions, key=lambda m: m[1])
        for (g1, _, end), (g2, start, _) in zip(ordered, ordered[1:]):
            if g1 == g2:
                continue
            between = self.t[end:start]
            if len(between) > 3 or any(w not in ("and", "/", ",", "half", "(", ")", "&", "-") for w in between):
                return False
        return True

    # -- sex ----------------------------------------------------------------------------------------------
    def _age_frame_before(self, i: int) -> bool:
        """A stated age within the three tokens before i ("28-year-old male", "61 yo AA female")."""
        return any(self.tok(k) in ("old", "yo") or self.is_number(k) for k in range(i - 3, i))

    def sex(self) -> tuple[str, str]:
        explicit: list[tuple[str, int, bool]] = []
        for i, word in enumerate(self.t):
            orig = self.orig[i]
            if orig in ("Mr", "Mrs", "Ms", "Miss") and (self.tok(i + 1) == "." or self.orig[i + 1:i + 2] != []
                                                        and self.orig[i + 1][:1].isupper()):
                sex = "male" if orig == "Mr" else "female"
            elif orig in ("F", "M") and (self.is_number(i - 1) or self.tok(i - 1) in (":", "yo", "aa")
                                         or self.tok(i - 1) == "=") and self.tok(i - 2) not in ("of", "to"):
                sex = "female" if orig == "F" else "male"
            elif word in ("f", "m") and self.tok(i - 1) == ":" and self.tok(i - 2) in ("sex", "gender"):
                sex = "female" if word == "f" else "male"
            elif word in FEMALE_WORDS or word in MALE_WORDS:
                sex = "female" if word in FEMALE_WORDS else "male"
            elif word in FEMALE_KIN | MALE_KIN and self.tok(i + 1) == "of" and self.is_number(i + 2) \
                    and not self._possessive(i - 1):
                sex = "female" if word in FEMALE_KIN else "male"  # "a mother of two" (not "with a 19-year-old mother")
            elif any(tuple(self.t[i:i + len(p)]) == p for p in OTHER_SEX_WORDS):
                sex = "other"
            else:
                continue
            if word in ("male", "female") and (self.tok(i + 1) in PLURAL_PEOPLE or self.tok(i + 1) in KIN) \
                    and not self._age_frame_before(i):
                continue  # "male partners", "female relatives"
            if self.owner(i, i + 1) != "patient":
                continue
            explicit.append((sex, i, self._age_frame_before(i)))
        female_p = [i for i, w in enumerate(self.t) if w in FEMALE_PRONOUNS]
        male_p = [i for i, w in enumerate(self.t) if w in MALE_PRONOUNS]
        if explicit:
            if any(s == "other" for s, _, _ in explicit):
                return "other", "explicit"
            sexes = {s for s, _, _ in explicit}
            if len(sexes) > 1:
                framed = {s for s, _, framed in explicit if framed}
                if len(framed) != 1:
                    return CONFLICTING, "explicit words disagree"
                sexes = framed
            (sex,) = sexes
            own, opposite = (female_p, male_p) if sex == "female" else (male_p, female_p)
            if len(opposite) >= 2 and not own:
                return CONFLICTING, f"explicit {sex} but only {'male' if sex == 'female' else 'female'} pronouns"
            return sex, "explicit"
        if female_p and not male_p:
            return "female", "pronouns"
        if male_p and not female_p:
            return "male", "pronouns"
        if female_p and male_p:
            return ("female" if female_p[0] < male_p[0] else "male"), "first pronoun"
        return UNSTATED, ""

    # -- age ----------------------------------------------------------------------------------------------
    def age(self) -> tuple[tuple[int, int] | None, str]:
        found: list[tuple[int, tuple[int, int], str]] = []
        t = self.t
        for i in range(self.n):
            if not self.is_number(i):
                if t[i] in _DECADE_WORDS and (self.tok(i - 1) in ("early", "mid", "late") or self.tok(i - 2) == "in"
                                              or self.tok(i - 1) == "in"):
                    found.append((i, self._decade(i, _DECADE_WORDS[t[i]]), "decade"))
                continue
            n = int(t[i])
            blocked = self.tok(i - 1) in _AGE_BLOCKERS or (self.tok(i - 2) in ("at", "since")
                                                           and self.tok(i - 1) == "age")
            if t[i + 1:i + 3] in (["year", "old"], ["years", "old"]) or self.tok(i + 1) == "yo":
                end = i + 3 if self.tok(i + 1) != "yo" else i + 2
                if not blocked and n <= 120 and self.owner(i, end) == "patient":
                    found.append((i, (n, n), "N-year-old"))
            elif self.tok(i + 1) in ("month", "months", "week", "weeks", "day", "days") and self.tok(i + 2) == "old":
                if not blocked and self.owner(i, i + 3) == "patient":
                    found.append((i, (0, 0), "infant"))
            elif self.tok(i - 1) in ("aged", "age") or self.tok(i - 1) == ":" and self.tok(i - 2) == "age":
                start = i - 1 if self.tok(i - 1) != ":" else i - 2
                if self.tok(start - 1) not in _AGE_BLOCKERS and self.tok(start - 1) not in ("diagnosed", "onset") \
                        and n <= 120:
                    found.append((i, (n, n), "age N"))
            elif t[i + 1:i + 4] == ["years", "of", "age"] and not blocked:
                found.append((i, (n, n), "N years of age"))
            elif self.orig[i + 1:i + 2] in (["F"], ["M"]) and n <= 110 and self.tok(i - 1) not in ("of", "to", "°"):
                found.append((i, (n, n), "N F/M"))
            elif n % 10 == 0 and 10 <= n <= 100 and self.tok(i + 1) == "s" and (
                    self.tok(i - 1) in ("early", "mid", "late", "in") or self.tok(i - 2) == "in"):
                found.append((i, self._decade(i, n), "decade"))
            elif self.tok(i - 1) == "," and self.tok(i + 1) == "," and self.tok(i - 2).isalpha() \
                    and self.tok(i - 2) not in _AGE_UNITS_AFTER and 0 < n <= 110 and "." not in t[i]:
                found.append((i, (n, n), "name, N,"))  # "Mr. Nguyen, 67, is"
            elif self.tok(i - 1) in ("is", "was", "'s") and self.tok(i - 2) in ("he", "she", "they", "patient") \
                    and self.tok(i + 1) not in _AGE_UNITS_AFTER and 0 < n <= 110 and "." not in t[i]:
                found.append((i, (n, n), "is N"))  # "She is 71 and ..."
            elif self.tok(i - 1) == "at" and self.tok(i - 2) in SENTENCE_BREAKS and self.tok(i + 1) == "," and n <= 110:
                found.append((i, (n, n), "At N,"))  # "At 62, Mrs. Okafor ..."
        if not found:
            return None, ""
        _, age, how = min(found, key=lambda f: f[0])
        return age, how

    def _decade(self, i: int, decade: int) -> tuple[int, int]:
        qualifier = self.tok(i - 1)
        if qualifier == "early":
            return decade, decade + 3
        if qualifier == "mid":
            return decade + 4, decade + 6
        if qualifier == "late":
            return decade + 7, decade + 9
        return decade, decade + 9

    def read(self) -> Demographics:
        sex, sex_cue = self.sex()
        race, race_cue = self.race()
        age, age_cue = self.age()
        return Demographics(sex=sex, race=race, age=age, cues={"sex": sex_cue, "race": race_cue, "age": age_cue})
