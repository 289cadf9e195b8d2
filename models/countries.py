"""The countries a position can name: ISO 3166 (pycountry), plus the codes in use beyond it.

This is the vocabulary of the ``countries`` table, which positions and events reference; the
extractor's country lexicon (pipeline/lexicons/countries.jsonl) may only use codes listed here
(tests/test_countries.py holds them together).
"""

from __future__ import annotations

from functools import cache

import pycountry
from countryinfo import CountryInfo

# user-assigned codes that news and agencies use, with no ISO 3166 entry (name, alpha-2)
BEYOND_ISO = {"XKX": ("Kosovo", None)}


@cache
def country_rows() -> list[dict]:
    """Every ISO 3166 country plus the codes our lexicon uses beyond it (Kosovo, XKX), with region and centre.

    Names are the short common ones ("Venezuela", not "Venezuela, Bolivarian Republic of"); region,
    subregion and the approximate centre (latitude, longitude) come from countryinfo where it knows
    the country.
    """
    info: dict[str, dict] = {}
    for row in CountryInfo.all().values():  # parts share their country's code ("wales" is GBR): keep the country
        iso3 = (row.get("ISO") or {}).get("alpha3")
        if iso3 and (iso3 not in info or not info[iso3].get("region")):
            info[iso3] = row
    names = {c.alpha_3: (getattr(c, "common_name", None) or c.name, c.alpha_2) for c in pycountry.countries}
    names.update(BEYOND_ISO)
    rows = []
    for iso3, (name, iso2) in sorted(names.items()):
        known = info.get(iso3, {})
        latlng = known.get("latlng") or [None, None]
        rows.append(
            {
                "iso3": iso3,
                "iso2": iso2,
                "name": name,
                "region": known.get("region") or None,
                "subregion": known.get("subregion") or None,
                "latitude": latlng[0],
                "longitude": latlng[1],
            }
        )
    return rows
