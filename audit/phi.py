"""Detectors for HIPAA Safe Harbor identifiers that appear in text, plus the UK NHS number.

How each type is found:

- **Validated numbers**: card numbers (Luhn), NHS numbers (mod-11 check digit), SSNs (area/group/serial
  rules; hyphenated anywhere, spaced or unbroken only after an SSN cue), e-mail, URL, IPv4/IPv6, MAC.
- **Telephone and fax**: Google's libphonenumber (``phonenumbers``, leniency POSSIBLE so that fictional
  555 numbers count), tried for the caller's region and, when a national number (leading 0) may be
  present, for GB and AU; a bare run of digits must be
  phone-shaped or follow a cue. A number is FAX when the nearest cue before it is "fax"/"F:".
- **Labelled identifiers** (MRN, health plan, account, device): a value after a cue such as "MRN",
  "member ID", "acct no." or "pacemaker serial"; a second value of exactly the same shape in the same
  text (e.g. "PT-0093312 ... duplicate of PT-0093318") takes the same type.
- **Dates** in numeric and written forms; short forms ("2/9", "20240105") only after a date cue; dates
  whose context says they are not about a person (protocol versions, expiry, guidelines) are dropped.
- **Addresses** (number + street, flats, named houses, PO boxes, town and state) and **ZIP codes**
  (after a state or an address, after "ZIP", and UK postcodes).
- **Names**: (1) a capitalised name after a cue (titles, "patient", relatives, "Dear", signatures, form
  labels); (2) a given name from a small written gazetteer followed by a capitalised surname;
  (3) "SURNAME, Given" in record headers; (4) a capitalised name right before an identifier ("…, DOB");
  (5) two capitalised words after a preposition ("for Dev Malhotra") or before "'s". Eponyms, hospitals,
  departments and teams are guarded by stop words and by the word that follows ("disease", "Hospital").
  No NER model is used (none is available offline), so a lone first name without a cue is missed.

Precision and recall per type are measured by ``probes/privacy/data/check_detectors.py`` on a development
set (``phi_labelled.jsonl``, used for tuning) and on a held-out set (``phi_heldout.jsonl``, never used for
tuning); both include hard negatives such as dosages, lab values, codes, eponyms and hospital names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    text: str


# ----------------------------------------------------------------------------------------------- validators

def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def nhs_valid(digits: str) -> bool:
    """NHS number mod-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def ssn_valid(digits: str) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _window(text: str, start: int, size: int) -> str:
    """The ``size`` characters before ``start``."""
    return text[max(0, start - size):start]


def _clause_before(text: str, start: int, size: int = 40) -> str:
    """Up to ``size`` characters before ``start``, not reaching back past a comma, semicolon or full stop."""
    return re.split(r"[,;]|\.\s", _window(text, start, size))[-1]


def _span(match: re.Match, kind: str, group: str | int = "value") -> Span:
    return Span(match.start(group), match.end(group), kind, match.group(group))


# ---------------------------------------------------------------------------------- fixed-format identifiers

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:)]"
                  r"|(?<![@\w.])(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|info|example|uk)/[^\s<>\"']*[^\s<>\"'.,;:)]")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\.?\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}(?::|(?::[0-9a-fA-F]{1,4}){1,6}|[0-9a-fA-F]{1,4})(?![\w:])")
_MAC = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![\w:])")
_VERSION_CUE = re.compile(r"(?i)\b(?:version|v|firmware|build|release|software|update)\s*$")
_NHS = re.compile(r"(?<![\d-])(\d{3}[ -]?\d{3}[ -]?\d{4})(?![\d-])")
_CARD = re.compile(r"(?<![\d-])((?:\d{4}[ -]?){3}\d{4})(?![\d-])")
_SSN_DASHED = re.compile(r"(?<![\d-])(?P<value>\d{3}-\d{2}-\d{4})(?![\d-])")
_SSN_CUED = re.compile(r"(?i:\b(?:SSN|SS#|SS No\.?|social security(?: number| no\.?| #)?|social))"
                       r"[\s:#.]*(?:(?:is|was|as|of)\s+)?(?P<value>\d{3}[- ]?\d{2}[- ]?\d{4})(?![\d-])")
_NOT_SSN_CUE = re.compile(r"(?i)\b(?:part|model|catalog(?:ue)?|product|item|order|lot|batch|ref(?:erence)?|code)"
                          r"(?: number| no\.?)?\s*[:#]?\s*$")


def _find_fixed(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        yield _span(match, "EMAIL", 0)
    for match in _URL.finditer(text):
        yield _span(match, "URL", 0)
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if not _VERSION_CUE.search(_window(text, match.start(), 20)) and not _MAC.fullmatch(match.group()):
                yield _span(match, "IP", 0)
    for match in _MAC.finditer(text):
        yield _span(match, "DEVICE_ID", 0)


def _find_validated(text: str) -> Iterator[Span]:
    for match in _NHS.finditer(text):
        if nhs_valid(_digits(match.group(1))):
            yield _span(match, "NHS_NUMBER", 1)
    for match in _CARD.finditer(text):
        if luhn_valid(_digits(match.group(1))):
            yield _span(match, "CREDIT_CARD", 1)
    for pattern in (_SSN_DASHED, _SSN_CUED):
        for match in pattern.finditer(text):
            if ssn_valid(_digits(match.group("value"))) and not _NOT_SSN_CUE.search(_window(text, match.start(), 30)):
                yield _span(match, "SSN")


# ------------------------------------------------------------------------------------------- phone and fax

_PHONE_REGIONS = ("GB", "AU")  # tried after the caller's region, only when a national number may be present
_NATIONAL_TRUNK = re.compile(r"(?<!\d)0\d")
_PHONE_SHAPE = re.compile(r"^\+|\(\d{3}\)|\d{3}[-.]\d{3,4}[-.]\d{4}|^\d{3}-\d{4}$|^0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}$")
_PHONE_CUE = re.compile(r"(?i)\b(?:phone|tel|telephone|call|mobile|cell|fax|faxed|contact|ring|rang|reach|text)\b"
                        r"[^\d]{0,30}$")
_FAX_WORD = re.compile(r"(?i:\bfax(?:ed|ing)?\b|\bfacsimile\b)|\bF:")
_PHONE_WORD = re.compile(r"(?i:\b(?:tel|telephone|phone|mobile|cell|call(?:ed)?|ring|rang|text|contact)\b)"
                         r"|(?i:\b(?:home|work)\b[\s:]*$)|\b[TPM]:")


def _phone_matches(text: str, region: str) -> Iterator[phonenumbers.PhoneNumberMatch]:
    seen: set[tuple[int, int]] = set()
    extra = [r for r in _PHONE_REGIONS if r != region] if _NATIONAL_TRUNK.search(text) else []
    for reg in (region, *extra):
        for found in phonenumbers.PhoneNumberMatcher(text, reg, leniency=phonenumbers.Leniency.POSSIBLE):
            if not any(found.start < e and s < found.end for s, e in seen):
                seen.add((found.start, found.end))
                yield found


def _phone_kind(before: str) -> str:
    """FAX when the last cue before the number says fax, else PHONE."""
    fax = [m.end() for m in _FAX_WORD.finditer(before)]
    phone = [m.end() for m in _PHONE_WORD.finditer(before)]
    return "FAX" if fax and (not phone or fax[-1] > phone[-1]) else "PHONE"


def _phone_like(text: str, found: phonenumbers.PhoneNumberMatch, before: str) -> bool:
    """A match that stands alone, is not a date and is phone-shaped or follows a cue."""
    raw = found.raw_string
    if len(_digits(raw)) < 7 or _DATE.fullmatch(raw) or re.search(r"[\w-]$", text[:found.start]):
        return False
    return bool(_PHONE_SHAPE.search(raw) or _PHONE_CUE.search(before))


def _find_phones(text: str, region: str) -> Iterator[Span]:
    previous_end = 0
    for found in sorted(_phone_matches(text, region), key=lambda f: f.start):
        before = text[max(previous_end, found.start - 80):found.start]
        if _phone_like(text, found, before):
            start = found.start + (found.raw_string.startswith("(") and ")" not in found.raw_string)
            yield Span(start, found.end, _phone_kind(before), text[start:found.end])
            previous_end = found.end


# -------------------------------------------------------------------------------- identifiers after a label

# What may stand between a label and its value: punctuation, or a few words ending in "is"/"was"/"as".
_GAP = r"[\s:#.(]*(?:\((?:HAR|MBI)\)\s*)?(?:(?:[\w'’-]+\s+){0,4}?(?:is|was|as)\s+)?(?:(?:left|right):?\s+)?"
_CODE = r"(?:[A-Z]{1,4}[- ]?)?\d+(?:[- /]\d+)*(?:-?[A-Z])?"
_ALNUM_CODE = r"[A-Z0-9]{1,12}(?:[- /][A-Z0-9]{1,12}){0,3}"


@dataclass(frozen=True)
class _Labelled:
    kind: str
    cue: str
    value: str
    min_digits: int = 5
    not_before: str = ""  # a regex: skip the value when it matches the clause before the cue ("model", "analyser")

    def pattern(self) -> re.Pattern[str]:
        return re.compile(rf"(?i:{self.cue})(?:\b|(?<=[#.)])){_GAP}(?P<value>{self.value})(?![\w.-]*\d)(?!\.\d)")


_LABELLED = (
    _Labelled("MRN", r"\bMRN|\bMR\s?#|\bmedical record(?: number| no\.?| #)?|\b(?:hospital|unit|case note|chart|"
                     r"record|patient|paediatric record|pediatric record|EMR|EHR)(?: number| no\.?| #| ID| identifier)"
                     r"|\bchart\s?#|\bspecimen label|\bpatient identifier|\bhosp(?:ital)? no", _CODE),
    _Labelled("HEALTH_PLAN", r"\bmember(?:ship)?(?: ID| number| no\.?| #)?|\bbeneficiary(?: identifier| number| ID)?"
                             r"|\bMBI|\bpolicy(?: number| no\.?| #)?|\b(?:health )?plan(?: ID| number| no\.?| member"
                             r"(?: number| ID)?)|\binsurance(?: member)?(?: number| ID| no\.?)|\bsubscriber(?: ID| number)"
                             r"|\bMedicaid(?: ID| number)?|\bMedicare(?: number| ID| card)?|\bMedi-Cal(?: BIC)?(?: ID)?"
                             r"|\bTRICARE(?: DoD)?(?: benefits)?(?: number)?|\bbenefits number",
              r"(?!MBI\b|ID\b)(?=[A-Z0-9 -]*\d)" + _ALNUM_CODE, min_digits=4),
    _Labelled("ACCOUNT", r"\b(?:hospital |patient |guarantor |self-pay |pharmacy |billing |bank |collections )?"
                         r"account(?: record)?(?: number| no\.?| #)?|\bacct(?: no\.?| #)?|\bHAR", _CODE),
    _Labelled("DEVICE_ID", r"\bserials?(?: number| no\.?| #)?|\bS/N|\bSN|\bdevice(?: ID)?|\bUDI|\bIMEI|\b(?:transmitter|"
                           r"recorder|bluetooth|sensor|hub|pump|monitor) ID|\b(?:ventilator|remote monitor|gateway|"
                           r"defibrillator|concentrator|neurostimulator)",
              r"(?=[A-Z0-9 /:-]*\d)[A-Z0-9]{1,12}(?:[-/:][A-Z0-9]{1,12}){0,4}(?: [A-Z0-9]{1,8}(?![a-z])){0,3}",
              min_digits=3,
              not_before=r"(?i)\b(?:model|analy[sz]er|asset|equipment|catalog(?:ue)?|part|stock|loan)\b"),
)
_LABELLED_PATTERNS = tuple((rule, rule.pattern()) for rule in _LABELLED)


_UDI_SERIAL = re.compile(r"\(21\)(?P<value>[A-Z0-9]{4,20})\b")  # GS1 application identifier 21 = serial number


def _find_labelled(text: str) -> Iterator[Span]:
    for match in _UDI_SERIAL.finditer(text):
        yield _span(match, "DEVICE_ID")
    for rule, pattern in _LABELLED_PATTERNS:
        position = 0
        while match := pattern.search(text, position):
            value = match.group("value").rstrip(" -/")
            if _plausible_value(rule, value) and not (
                    rule.not_before and re.search(rule.not_before, _clause_before(text, match.start()))):
                start = match.start("value")
                yield Span(start, start + len(value), rule.kind, value)
                position = match.end()
            else:  # the value may hold the next cue ("concentrator S/N OC7-20231187")
                position = match.start("value")


def _plausible_value(rule: _Labelled, value: str) -> bool:
    return rule.min_digits <= len(_digits(value)) <= 20


def _shape(value: str) -> str:
    return re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", value))


def _same_shape(text: str, spans: list[Span]) -> Iterator[Span]:
    """Values shaped exactly like a labelled one elsewhere in the text ("PT-0093312 ... PT-0093318")."""
    shapes = {(_shape(s.text), s.type) for s in spans
              if s.type in ("MRN", "HEALTH_PLAN", "ACCOUNT", "DEVICE_ID") and len(s.text) >= 6}
    for shape, kind in shapes:
        pattern = re.escape(shape).replace("9", r"\d").replace("A", "[A-Z]")
        for match in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", text):
            yield Span(match.start(), match.end(), kind, match.group())


# ---------------------------------------------------------------------------------------------------- dates

_MONTH = (r"(?=[A-Z])(?i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORD = _DAY + r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s)?"
_NOT_UNIT = r"(?!\s?(?:mg|mcg|g|kg|ml|mL|units?|%|mmol|mm|cm|h|hours?|days?|weeks?|years?)\b)"
_DATE_FORMS = (
    rf"{_WEEKDAY}(?:the\s)?{_ORD}(?:\sof)?\s{_MONTH}(?:,?\s{_YEAR})?",           # 14 March 1962, the 12th of June
    rf"{_WEEKDAY}{_MONTH}\s{_ORD}(?:,?\s{_YEAR})?{_NOT_UNIT}",                  # March 3rd, Sept. 30, 2023
    rf"{_DAY}-{_MONTH}-(?:{_YEAR}|\d{{2}})|{_MONTH}-{_DAY}-{_YEAR}",            # 08-Mar-2024, Aug-08-1949
    rf"{_DAY}[/.-]{_DAY}[/.-](?:{_YEAR}|\d{{2}})(?![/.\-]?\d)",                  # 03/14/1962, 14.07.1983, 3/4/91
    rf"{_YEAR}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\d|3[01])(?!\d)",           # 2024-01-05, 2024/03/02
)
_DATE = re.compile(r"(?<![\w/.-])(?:" + "|".join(_DATE_FORMS) + r")(?![\w/])")
_DATE_CUE = (r"(?i:\b(?:DOB|D\.O\.B\.?|date(?: of (?:birth|death|admission|discharge))?|born|died|admitted|adm|"
             r"discharged?|disch|seen|visit|on|since|from|to|until|LMP|EDD|dated?|operation|procedure|surgery)"
             r"\b[\s:]*)")
_SHORT_DATE = re.compile(_DATE_CUE + r"(?P<value>(?:" + rf"{_DAY}/{_DAY}(?![/\d])(?!\s?(?:mg|mmHg|units))"
                         + rf"|{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)))")
_NOT_PERSONAL_DATE = re.compile(
    r"(?i)\b(?:protocol|version|guideline|policy|published|publication|amended|updated|approved|issued|effective|"
    r"expir\w*|exp|use[- ]by|best before|lot|batch|opened|refurbished|founded|established|released|valid until|"
    r"holiday|clocks|edition|build)\b[^.;]*$")
_NOT_PERSONAL_AFTER = re.compile(r"(?i)^\s*(?:version|edition|guideline|protocol|release)\b")


def _personal_date(text: str, start: int, end: int) -> bool:
    return not (_NOT_PERSONAL_DATE.search(_window(text, start, 45)) or _NOT_PERSONAL_AFTER.match(text[end:end + 12]))


def _find_dates(text: str) -> Iterator[Span]:
    candidates = [_span(m, "DATE", 0) for m in _DATE.finditer(text)]
    candidates += [_span(m, "DATE") for m in _SHORT_DATE.finditer(text)]
    for span in candidates:
        if _personal_date(text, span.start, span.end):
            yield span


# -------------------------------------------------------------------------------------- addresses and ZIPs

_CAP = r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]*)*"
_STREET_TYPE = (r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Terrace|"
                r"Close|Crescent|Row|Trail|Grove|Gardens|Mews|Walk|Square|Parade|Hill|Park|Yard|Cottages|Circle|"
                r"Highway|Hwy|Parkway|Pkwy|Rise|Green|Quay|Wharf|View)\b\.?")
_BUILDING = rf"(?:{_CAP}\s){{1,3}}(?:Cottage|Cottages|House|Farm|Lodge|Barn|Court|Hall|Manor|Villa|Shelter|Mansions)\b"
_UNIT = r"(?:Flat|Apt\.?|Apartment|Unit|Suite|Room)\s[A-Z0-9]{1,5}\b"
_STREET = rf"\d{{1,5}}[A-Z]?\s(?:[NSEW]\.?\s)?(?:{_CAP}\s){{1,3}}{_STREET_TYPE}"
_FRENCH_STREET = rf"\d{{1,4}},?\s(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Aa]llée|[Ii]mpasse)\s(?:(?:de la|de|des|du|la|le)\s)?{_CAP}"
_NAMED_STREET = rf"(?:{_CAP}\s){{1,2}}{_STREET_TYPE}"
_PO_BOX = r"P\.?O\.? Box \d{1,6}"
_US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
              "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
_STATE = r"(?:" + "|".join(_US_STATES) + r")"
_NOT_TOWN = r"(?!(?:Tel|Phone|Fax|Mobile|Email|DOB|MRN|NHS|SSN|Dr|Mr|Mrs|Ms|Lives|Home|Work)\b)"
_ADDRESS = re.compile(
    rf"(?:(?:c/o\s)?(?:{_UNIT}|{_BUILDING}),\s){{0,2}}"
    rf"(?:{_STREET}|{_FRENCH_STREET}|{_PO_BOX}|(?<=,\s){_NAMED_STREET})"
    rf"(?:,\s{_UNIT})?(?:,?\s{_NOT_TOWN}{_CAP}(?:\s{_CAP}){{0,2}}(?=[,\s.;]|$)){{0,2}}"
    rf"(?:,\s{_STATE}\b)?")
_ZIP_AFTER_STATE = re.compile(rf",\s{_STATE},?\s(?P<value>\d{{5}}(?:-\d{{4}})?)(?![\d-])")
_ZIP_CUED = re.compile(r"(?i:\bzip(?: code)?)(?:\s+(?:is|as|was))?[\s:#]*(?P<value>\d{5}(?:-\d{4})?)(?![\d-])")
_ZIP_AFTER_ADDRESS = re.compile(r",?\s(?P<value>\d{5}(?:-\d{4})?)(?![\d-])")
_UK_POSTCODE = re.compile(r"(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}(?![\w-])")


def _find_addresses(text: str) -> Iterator[Span]:
    for match in _ADDRESS.finditer(text):
        yield _span(match, "ADDRESS", 0)
        zip_code = _ZIP_AFTER_ADDRESS.match(text, match.end())
        if zip_code:
            yield _span(zip_code, "ZIP")
    for pattern in (_ZIP_AFTER_STATE, _ZIP_CUED):
        for match in pattern.finditer(text):
            yield _span(match, "ZIP")
    for match in _UK_POSTCODE.finditer(text):
        yield _span(match, "ZIP", 0)


# ---------------------------------------------------------------------------------------------------- names

# A gazetteer of common given names across cultures, written for medaudit (accents are ignored when matching).
# Names that are also everyday words, months or places (May, June, Grace, Hope, Will, Victoria, Georgia)
# are left out on purpose: a cue ("Dear", "daughter", "Mrs") still finds them.
_GIVEN_NAMES = frozenset("""
Aaron Adam Adrian Aidan Alan Albert Alex Alexander Alfie Alfred Ali Alistair Andrew Andy Angus Anthony Archie Arthur
Austin Barry Ben Benjamin Bernard Billy Bobby Brandon Brian Bruce Bryan Callum Calum Carl Charles Charlie Chris
Christopher Clive Colin Connor Craig Dale Daniel Darren Dave David Dean Declan Dennis Derek Desmond Dominic Donald
Douglas Duncan Dylan Edward Elijah Eric Ethan Euan Eugene Fraser Freddie Frederick Gareth Gary Gavin Geoffrey George
Gerald Gordon Graham Gregory Hamish Harold Harry Harvey Henry Howard Hugh Ian Jack Jacob Jake James Jamie Jason Jeffrey
Jeremy Jerome Jesse Jim Joe John Jonathan Joseph Joshua Justin Keith Kenneth Kevin Kieran Kyle Larry Lawrence Lee
Leonard Leslie Lewis Liam Logan Louis Luke Malcolm Martin Matthew Michael Mike Nathan Neil Nicholas Nick Nigel Noah
Norman Oliver Oscar Owen Patrick Paul Peter Philip Phillip Ralph Raymond Reginald Rhys Richard Robert Roger Ronald
Ross Roy Russell Ryan Sam Samuel Scott Sean Simon Stanley Stephen Steven Stuart Terence Terry Theo Thomas Timothy Toby
Tom Tony Trevor Tyler Victor Vincent Walter Wayne William Zachary
Abigail Agnes Alice Alison Amanda Amelia Amy Andrea Angela Ann Anna Anne Annie Audrey Ava Barbara Beatrice Beth Betty
Beverley Brenda Bridget Caroline Carol Carolyn Catherine Charlotte Cheryl Chloe Christina Christine Claire Clara
Danielle Debbie Deborah Denise Diane Donna Doreen Doris Dorothy Edith Eileen Elaine Eleanor Elizabeth Ella Ellen Ellie
Elsie Emily Emma Erin Esther Evelyn Fiona Frances Freya Gemma Geraldine Gillian Gladys Gwen Gwendolyn Hannah Harriet
Hazel Helen Imogen Irene Isabel Isabella Isla Jacqueline Jane Janet Janice Jean Jennifer Jessica Jill Joan Joanne
Josephine Joyce Judith Judy Julia Julie Karen Kate Katherine Kathleen Kathryn Katie Kelly Kerry Kim Kimberly Laura
Lauren Linda Lindsay Lisa Lorna Lorraine Louise Lucy Lydia Lynn Madison Margaret Marian Marilyn Marjorie Martha Mary
Megan Melissa Michelle Mildred Molly Nancy Natalie Nicola Nicole Olivia Pamela Patricia Paula Pauline Penelope Phoebe
Phyllis Rachel Rebecca Rita Ruth Sally Samantha Sandra Sarah Sharon Sheila Shirley Sophie Stephanie Susan Suzanne
Teresa Theresa Tracy Valerie Vanessa Vera Wendy Yvonne Zoe
Andre Cedric Darnell Demetrius DeShawn Dwayne Jamal Jermaine Lamar Leroy Malik Marcus Reggie Terrell Tyrone Winston
Aaliyah Ebony Imani Jasmine Keisha Latoya Monique Shanice Tamika Tanisha
Aoife Bronwen Caoimhe Carys Cerys Ciara Eilidh Grainne Maeve Mairead Niamh Orla Roisin Saoirse Sinead Siobhan
Cormac Dafydd Eoin Padraig Niall Ronan Rhodri Iwan Ieuan
Adriana Alejandra Ana Beatriz Camila Carmen Claudia Consuelo Daniela Dolores Elena Esperanza Fernanda Gabriela
Guadalupe Ines Isabel Juliana Leticia Lucia Luz Marisol Maria Mariana Marta Paula Pilar Rocio Rosa Silvia Sofia
Valentina Ximena Yolanda Alejandro Andres Antonio Carlos Diego Eduardo Emilio Ernesto Felipe Fernando Francisco
Guillermo Gustavo Hugo Javier Joao Joaquin Jorge Jose Juan Luis Manuel Mateo Miguel Pablo Pedro Rafael Raul Ricardo
Rodrigo Santiago Sergio Thiago Tomas
Alain Amelie Antoine Brigitte Camille Celine Chantal Etienne Francois Genevieve Helene Herve Isabelle Jacques
Jean-Luc Jean-Pierre Julien Laurent Lea Manon Marc Margaux Marie Mathieu Mathilde Michel Nathalie Nicolas Olivier
Philippe Pierre Renee Sylvie Thierry Veronique Yves
Alessandro Alessia Chiara Federica Francesca Francesco Giovanni Giulia Giuseppe Lorenzo Luca Marco Matteo Paolo
Roberto Salvatore Stefano
Anja Anneliese Astrid Birgit Dieter Elin Florian Friedrich Gisela Greta Hans Heike Helga Henrik Ilse Ingrid Jens
Johan Jonas Jurgen Karin Klaus Lars Lena Linnea Liv Magnus Maja Matthias Mikael Monika Nils Olaf Petra Sabine
Sebastian Sigrid Solveig Stefan Sven Tobias Ulrich Ursula Uwe Wolfgang
Agnieszka Aleksander Alexei Anastasia Andrei Andrzej Bogdan Boris Dmitri Dmitry Dorota Ekaterina Ewa Galina Goran
Igor Irina Ivan Ivana Jakub Jelena Joanna Katarzyna Krzysztof Lukasz Magdalena Malgorzata Marek Marina Mikhail Milan
Milica Natalia Natasha Nikola Nikolai Oksana Oleg Olga Pavel Piotr Sergei Svetlana Tatiana Tomasz Vladimir Wojciech
Yulia Yuri Zofia Zoran
Abdullah Ahmad Ahmed Amir Amira Anas Arash Aisha Ayesha Bilal Dina Emre Elif Faisal Farah Farhad Farida Fatima Hamid
Hamza Hanan Hassan Huda Hussein Ibrahim Imran Kareem Karim Khadija Khalid Layla Leila Mahmoud Mariam Maryam Mehdi
Mehmet Mohamed Mohammad Mohammed Muhammad Murat Mustafa Nabil Nadia Nasrin Noor Nour Omar Parisa Rami Rania Reza
Saeed Salma Samir Samira Shirin Soraya Tariq Walid Yasmin Yasmine Youssef Yusuf Zainab Zeynep Ziad
Aditya Amit Amrita Anand Ananya Anil Anita Anjali Arjun Arun Asha Ashok Deepa Deepak Dinesh Divya Geeta Gurpreet
Harpreet Jaspreet Karan Kavita Kiran Krishna Lakshmi Mahesh Manoj Manpreet Meena Neha Nikhil Nisha Parveen Pooja
Priya Rahul Rajesh Ramesh Ravi Rekha Rohan Sandeep Sanjay Shreya Simran Sunil Sunita Suresh Vijay Vikram
Akira Aiko Haruka Haruto Hiroshi Jian Jing Jun Kenji Kenta Keiko Ming Naoko Ryo Satoshi Takeshi Wei Xin Yuki Yoko Hui
Ji-hoon Min-jun Seo-yeon Soo-jin Anh Duc Hoa Huong Linh Minh Quang Thao Trang Tuan
Abebe Adaeze Adebayo Adwoa Akosua Ama Amani Ayodele Babatunde Chiamaka Chidi Chinedu Chioma Chukwuma Dawit Emeka
Femi Folake Funmilayo Ifeoma Ikenna Kofi Kwabena Kwame Lindiwe Mekdes Ngozi Nkechi Nnamdi Nomsa Obinna Oluwaseun
Segun Sipho Tendai Thabo Themba Temitope Tunde Uche Wanjiru Yetunde Zanele
Avi Chaya Eli Moshe Miriam Naomi Noam Rivka Shira Tamar Yael Yosef
Alicia Desiree Dorian Elias Eva Ezra Gideon Gregor Hana Henrietta Leah Luther Maya Mei Mila Nora Rosario Rowan Rupert
Gloria Sara Stella Tanya Teodora Zara
""".split())
_FAMILY_FIRST = frozenset("Zhang Wang Li Liu Chen Yang Huang Zhao Zhou Xu Zhu Guo Lin Luo Gao Liang Nguyen Tran Pham "
                          "Hoang Phan Vu Dang Bui Ngo Kim Choi Jung Kang Yoon".split())
_PARTICLE = r"(?:van|von|der|den|de|da|del|della|di|du|la|le|bin|ibn|al|el|dos|das|ter|ten)"
_NAME_TOKEN = r"[A-Z][^\W\d_]*(?:['’](?!s\b)[A-Z]?[^\W\d_]+)*(?:-[A-Za-z][^\W\d_]*)*"
_NAME_RUN = rf"(?:[A-Z]\.\s)?{_NAME_TOKEN}(?:\s(?:{_PARTICLE}\s){{0,2}}(?:{_NAME_TOKEN}|[A-Z]\.(?!\w))){{0,4}}"
_RUN = re.compile(rf"(?<![\w'’-]){_NAME_RUN}")

# Departments and services: "Infection Control", "Clinical Psychology" are not people.
_DEPARTMENTS = frozenset("""
palsy control therapy therapies psychology psychiatry medicine oncology cardiology neurology radiology pathology
paediatrics pediatrics haematology hematology nephrology urology dermatology gastroenterology endocrinology
rheumatology obstetrics gynaecology orthopaedics physiotherapy
""".split())

# Capitalised words that are never part of a name here.
_NOT_NAME = frozenset("""
the a an this that these those he she they his her their it its we our you your i my me with who was has is are
and or of for to in on at by from no not yes if as all any please thanks thank dear hi hello hey regards kind best
sincerely yours sure okay ok here there when where what which why how after before during per via
mr mrs ms miss mx dr prof professor sir dame sgt father fr rev sister nurse doctor mum mom dad son daughter wife
husband partner mother brother aunt uncle grandmother grandfather carer guardian
patient pt client member subscriber guarantor consultant registrar surgeon anaesthetist anesthetist pharmacist
physician attending resident gp midwife interpreter chaplain physio practice practitioner specialist team staff
ward bed bay room unit clinic hospital infirmary centre center surgery trust nhs mrn dob ssn id name date home work
tel phone fax email address account policy plan card visa mastercard discover amex medicare medicaid tricare
insurance group serial device model lot batch version assessment dx hx rx adm disch re cc ref subject note notes
report letter summary discharge admission referral results result consent message user assistant chat md rn np
pa do phd mbbs frcp jr sr ii iii iv street road lane avenue drive close court way place cottage house farm lodge
royal saint st general county city university college school medical health care services service department
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday today tomorrow yesterday christmas easter
new los las san santa north south east west upper lower great little port fort mount lake
disease syndrome sign score test
""".split()) | _DEPARTMENTS

# A name followed by one of these is an eponym, an institution or a team, not a person.
_EPONYM_NEXT = frozenset("""
disease diseases syndrome sign signs score scores test criteria rule rules index scale classification lymphoma
sarcoma palsy phenomenon manoeuvre maneuver position procedure operation fracture reflex triad law team nurse nurses
hospital hospitals infirmary clinic clinics centre center hospice foundation trust institute ward unit house cottage
building wing lecture fund charity award prize university college school street road lane avenue drive way close
pathway protocol method technique classification staging stage equation formula catheter tube
""".split()) | _DEPARTMENTS

_TITLE_CUE = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sgt|Fr|Rev)\.?|\b(?:Father|Sister|Nurse|Pharmacist|Midwife|Professor)"
_RELATION_CUE = (r"son|daughter|wife|husband|partner|mother|father|mum|mom|dad|brother|sister|grandmother|grandfather|"
                 r"grandson|granddaughter|aunt|uncle|niece|nephew|cousin|spouse|fianc[eé]e?|carer|caregiver|guardian|"
                 r"next of kin|friend|neighbou?r|(?:brother|sister|son|daughter)-in-law|step(?:son|daughter|father|mother)")
_ROLE_CUE = (r"patient(?: name)?|pt(?: name)?|client|subscriber|guarantor|member|surname|last name|first name|"
             r"forename|full name|name(?: on card| is)?|named|under the name|account holder|for the attention of|"
             r"attention|attn|signed(?: by)?|dictated by|transcribed by|reviewed by|seen by|referred by|"
             r"discussed with|spoke (?:to|with)|(?:message|letter|call|email|e-mail) from|dear|hi|hello|hey|thanks|"
             r"thank you|regards|best wishes|sincerely|i'm|i am|my name is|this is|it's|attending|resident|surgeon|"
             r"anaesthetist|anesthetist|consultant|registrar|physician|interpreter|pharmacist|nurse|midwife|gp")
_PERSON_CUED = re.compile(
    rf"(?:{_TITLE_CUE}|(?i:\b(?:{_RELATION_CUE}|{_ROLE_CUE})\b)|\bRe:|\bFrom:|\bcc:)[ ,:]{{1,3}}(?P<value>{_NAME_RUN})")
_SURNAME_COMMA_GIVEN = re.compile(
    rf"(?<![\w'’-])(?P<surname>{_NAME_TOKEN}), (?P<given>{_NAME_TOKEN})(?: [A-Z]\.| {_NAME_TOKEN})?(?![\w'’-])")
_AFTER_PREPOSITION = re.compile(rf"\b(?:for|of|by|with|to|about|on|from)\s(?P<value>{_NAME_RUN})")
_BEFORE_POSSESSIVE = re.compile(rf"(?<![\w'’-])(?P<value>{_NAME_TOKEN}\s{_NAME_TOKEN})['’]s\b")
_RECORD_START = re.compile(r"(?:^|[|:;]\s*|\s{2,})$")
_IDENTIFIER_NEXT = re.compile(r"^(?:,?\s\(?(?:SSN|DOB|D\.O\.B|MRN|NHS|born\b|aged?\b|\d{1,3}\s?(?:y|yo|M|F)\b)|"
                              r"\s\(\d)")


def _plain(word: str) -> str:
    """``word`` without accents, for gazetteer look-ups."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _is_given_name(token: str) -> bool:
    plain = _plain(token).capitalize() if token.isupper() else _plain(token)
    return plain in _GIVEN_NAMES or plain.split("-")[0] in _GIVEN_NAMES


def _is_stop(token: str) -> bool:
    return token.rstrip(".").lower() in _NOT_NAME


def _name_tokens(text: str, start: int, end: int) -> list[re.Match]:
    return list(re.finditer(r"\S+", text[start:end]))


def _trim_run(text: str, start: int, end: int, drop_leading: bool) -> tuple[int, int] | None:
    """The name inside a capitalised run: leading stop words dropped (when allowed), cut at the next one."""
    tokens = _name_tokens(text, start, end)
    first = 0
    while drop_leading and first < len(tokens) and _is_stop(tokens[first].group()):
        first += 1
    last = first
    while last < len(tokens) and not _is_stop(tokens[last].group()) and not _is_acronym(tokens[last].group()):
        last += 1
    if last == first:
        return None
    return start + tokens[first].start(), start + tokens[last - 1].end()


def _is_acronym(token: str) -> bool:
    return token.isupper() and len(token) <= 4 and not token.endswith(".") and not _is_given_name(token)


def _guarded(text: str, start: int, end: int) -> bool:
    """True when the name is part of an eponym, institution or place ("Parkinson disease", "St Thomas' Hospital")."""
    following = re.match(r"(?:['’]s?)?\s+([A-Za-z]+)", text[end:end + 30])
    if following and following.group(1).lower() in _EPONYM_NEXT:
        return True
    return bool(re.search(r"\b(?:St|Saint)\.?\s$", _window(text, start, 7)))


def _person(text: str, start: int, end: int) -> Span | None:
    if end <= start or _guarded(text, start, end):
        return None
    return Span(start, end, "PERSON", text[start:end])


def _from_cues(text: str) -> Iterator[Span]:
    position = 0
    while match := _PERSON_CUED.search(text, position):
        trimmed = _trim_run(text, match.start("value"), match.end("value"), drop_leading=False)
        if trimmed and (span := _person(text, *trimmed)):
            yield span
        position = match.end() if trimmed else match.start("value")  # "Dear Dr Kapoor": try "Dr Kapoor" next


def _from_gazetteer(text: str) -> Iterator[Span]:
    for match in _RUN.finditer(text):
        trimmed = _trim_run(text, match.start(), match.end(), drop_leading=True)
        if not trimmed:
            continue
        tokens = text[trimmed[0]:trimmed[1]].split()
        known = _is_given_name(tokens[0]) or (tokens[0] in _FAMILY_FIRST and len(tokens) > 1)
        if known and len(tokens) > 1 and (span := _person(text, *trimmed)):
            yield span


def _from_record_headers(text: str) -> Iterator[Span]:
    """"SURNAME, Given" or "Surname, Given" where the given name is known or the line is a record header."""
    for match in _SURNAME_COMMA_GIVEN.finditer(text):
        surname, given = match.group("surname"), match.group("given")
        if _is_stop(surname) or _is_stop(given) or _is_acronym(surname):
            continue
        header = _RECORD_START.search(text[:match.start()]) and (
            surname.isupper() or re.match(r"\s*(?:[;|]|\s\s|$)", text[match.end():]))
        if (_is_given_name(given) or header) and (span := _person(text, match.start(), match.end())):
            yield span


def _two_word_names(text: str) -> Iterator[Span]:
    """Two or more capitalised words after a preposition ("for Dev Malhotra") or before "'s"."""
    for pattern in (_AFTER_PREPOSITION, _BEFORE_POSSESSIVE):
        for match in pattern.finditer(text):
            trimmed = _trim_run(text, match.start("value"), match.end("value"), drop_leading=False)
            if trimmed and len(text[trimmed[0]:trimmed[1]].split()) > 1 and (span := _person(text, *trimmed)):
                yield span


def _before_identifiers(text: str) -> Iterator[Span]:
    """A two- or three-word capitalised name right before an identifier: "Gabriel Stroud, SSN …"."""
    for match in _RUN.finditer(text):
        trimmed = _trim_run(text, match.start(), match.end(), drop_leading=True)
        if not trimmed or not 2 <= len(text[trimmed[0]:trimmed[1]].split()) <= 3:
            continue
        if trimmed[1] == match.end() and _IDENTIFIER_NEXT.match(text[trimmed[1]:]):
            if span := _person(text, *trimmed):
                yield span


def _find_people(text: str) -> Iterator[Span]:
    for finder in (_from_cues, _from_gazetteer, _from_record_headers, _two_word_names, _before_identifiers):
        for span in finder(text):
            yield _without_possessive(span)


def _without_possessive(span: Span) -> Span:
    stripped = re.sub(r"['’]s?$", "", span.text)
    return Span(span.start, span.start + len(stripped), span.type, stripped)


# ------------------------------------------------------------------------------------------------ detection

# When spans overlap, the longer wins; at equal length, the type earlier here wins.
_PRIORITY = ("EMAIL", "URL", "IP", "NHS_NUMBER", "CREDIT_CARD", "SSN", "MRN", "HEALTH_PLAN", "ACCOUNT", "DEVICE_ID",
             "PHONE", "FAX", "DATE", "ZIP", "ADDRESS", "PERSON")
_FINDERS: tuple[Callable[[str], Iterable[Span]], ...] = (
    _find_fixed, _find_validated, _find_labelled, _find_dates, _find_addresses, _find_people)


def detect(text: str, region: str = "US") -> list[Span]:
    """All identifier spans in ``text``, longest first where they overlap."""
    spans: list[Span] = []
    for finder in _FINDERS:
        spans.extend(finder(text))
    spans.extend(_find_phones(text, region))
    spans.extend(_same_shape(text, spans))
    return resolve_overlaps(spans)


def _priority(kind: str) -> int:
    return _PRIORITY.index(kind) if kind in _PRIORITY else len(_PRIORITY)


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Overlapping spans reduced to the longest (on a tie, the higher-priority type), in text order."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s.end - s.start), _priority(s.type), s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
