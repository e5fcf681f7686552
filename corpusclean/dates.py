"""Printed dates -> ISO strings (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).

Hand-written regexes rather than dateutil: dateutil happily invents a day or a year for partial
input ("May 2009" -> 2009-05-<today>) and accepts ranges by picking one end, while citations need
the precision that was printed and None for ranges, seasons and "n.d.". The regexes are also
several times faster on the common forms.
"""

from __future__ import annotations

import datetime as _dt
import re

MONTHS: dict[str, int] = {}
for _i, _m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1):
    MONTHS[_m] = _i
    MONTHS[_m[:3]] = _i
MONTHS["sept"] = 9

_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_SEASON = r"(?:Spring|Summer|Autumn|Fall|Winter)"

# Date-looking spans (used to find dates inside citation text). Ranges and seasons are matched
# too, so that callers can recognise them as dates and still get None from parse_date.
DATE_PATTERN = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,3}}"
    rf"|(?:\d{{1,2}}(?:[–-]\d{{1,2}})? )?{_MON}(?:[–/-]{_MON})? \d{{4}}"
    rf"|{_MON} \d{{1,2}}(?:[–-]\d{{1,2}})?, \d{{4}}"
    rf"|{_SEASON}(?:[–/-]{_SEASON})? \d{{4}}"
    rf"|\d{{4}}[–-]\d{{2,4}}"
    rf"|c\. \d{{4}}|n\.d\."
    rf"|\d{{4}}[a-z]?)"
)
DATE_RE = re.compile(DATE_PATTERN)
_FULL_RE = re.compile(rf"\s*{DATE_PATTERN}\s*")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MDY = re.compile(rf"({_MON}) (\d{{1,2}}),? (\d{{4}})", re.I)
_DMY = re.compile(rf"(\d{{1,2}}) ({_MON}),? (\d{{4}})", re.I)
_MY = re.compile(rf"({_MON}),? (\d{{4}})", re.I)
_Y = re.compile(r"(\d{4})[a-z]?")


def _month(name: str) -> int | None:
    return MONTHS.get(name.lower().rstrip("."))


def _iso(y: str, m: int | None = None, d: str | None = None) -> str | None:
    try:
        if d is not None:
            return _dt.date(int(y), m, int(d)).isoformat()
        if m is not None:
            if not 1 <= m <= 12:
                return None
            return f"{int(y):04d}-{m:02d}"
        return f"{int(y):04d}"
    except (ValueError, TypeError):
        return None


def parse_date(text: str | None) -> str | None:
    """One printed date -> ISO at the printed precision; None for ranges, seasons, "n.d.", junk."""
    if not text:
        return None
    s = " ".join(text.split()).strip(" .,;()")
    if not s or len(s) > 40:
        return None
    if m := _ISO.fullmatch(s):
        if len(m.group(2)) != 2 or len(m.group(3)) != 2:
            return None
        return _iso(m.group(1), int(m.group(2)), m.group(3))
    if m := _MDY.fullmatch(s):
        return _iso(m.group(3), _month(m.group(1)), m.group(2))
    if m := _DMY.fullmatch(s):
        return _iso(m.group(3), _month(m.group(2)), m.group(1))
    if m := _MY.fullmatch(s):
        return _iso(m.group(2), _month(m.group(1)))
    if m := _Y.fullmatch(s):
        return _iso(m.group(1))
    if m := _YM.fullmatch(s):  # "2019-05": CS1's year-month form
        return _iso(m.group(1), int(m.group(2)))
    return None


_YM = re.compile(r"(\d{4})-(\d{2})")


def is_date(text: str) -> bool:
    """True if the whole string is date-shaped (including ranges/seasons that parse to None)."""
    return bool(_FULL_RE.fullmatch(text.strip(" .,;()"))) if len(text) < 45 else False


# Years of other calendars that web pages print, and no web page's Gregorian year. Iran and Afghanistan
# date pages in the Solar Hijri calendar (1375-1405 for 1996-2026), Arabic pages sometimes in the lunar
# Hijri one (1416-1448 for the same years): a year of 1300-1429 is read as Solar Hijri and converted, a
# later one is lunar Hijri, which is not converted (its months follow the moon sighting: Umm al-Qura or
# local), so it gives no date. Thai pages print the Buddhist Era year, the Gregorian one + 543.
SOLAR_HIJRI_YEARS = range(1300, 1430)
HIJRI_YEARS = range(1300, 1500)
BUDDHIST_ERA_YEARS = range(2400, 2700)


def solar_hijri_to_iso(y: int, m: int, d: int) -> str | None:
    """The Gregorian ISO date of a Solar Hijri (Iranian, Afghan) date; None if there is no such day
    ("31 Mehr": months 7-12 have 30 days at most). jdatetime does the calendar arithmetic."""
    import jdatetime

    try:
        return jdatetime.date(y, m, d).togregorian().isoformat()
    except ValueError:
        return None


def gregorian_iso(y: int, m: int, d: int) -> str | None:
    """The Gregorian ISO date of a printed year-month-day whose year may be of another calendar (see
    above: "1402/08/24" is 2023-11-15, "15/11/2566" 2023-11-15, "1445/05/10" None); None for a day that
    does not exist ("31/04/2024")."""
    if y in HIJRI_YEARS:
        return solar_hijri_to_iso(y, m, d) if y in SOLAR_HIJRI_YEARS else None
    if y in BUDDHIST_ERA_YEARS:
        y -= 543
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None
