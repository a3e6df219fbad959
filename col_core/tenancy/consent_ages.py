"""The age of digital consent of each EU and EEA country (GDPR Art. 8(1)).

Below it, a child may use an online service offered directly to them only with a parent's or
guardian's consent.  The GDPR sets 16 and lets each country lower it to 13, 14 or 15.  The
StarterKit presets a new city's ``digital_consent_age`` from this table, and launching refuses
a city's age below its country's.  Sources: each country's law, named below, and the European
Commission's overview (SWD(2020) 115 final, 24 June 2020, p. 17); starterkit/README.md lists
them for city staff.  Laws change: a country that raises its age must be changed here.
"""

from __future__ import annotations

from dataclasses import dataclass

GDPR_DEFAULT = 16


@dataclass(frozen=True)
class ConsentAge:
    age: int
    law: str  # where the country sets it (or that it keeps the GDPR's 16)


AGES = {
    "AT": ConsentAge(14, "Datenschutzgesetz (DSG) § 4(4)"),
    "BE": ConsentAge(13, "Law of 30 July 2018 on the protection of natural persons, Art. 7"),
    "BG": ConsentAge(14, "Personal Data Protection Act, Art. 25c"),
    "HR": ConsentAge(16, "Act on the Implementation of the GDPR (NN 42/2018), Art. 19"),
    "CY": ConsentAge(14, "Law 125(I)/2018, Art. 8"),
    "CZ": ConsentAge(15, "Act No. 110/2019 Coll., § 7"),
    "DK": ConsentAge(13, "Databeskyttelsesloven (Act No. 502 of 23 May 2018), § 6(2)"),
    "EE": ConsentAge(13, "Isikuandmete kaitse seadus (Personal Data Protection Act), § 8"),
    "FI": ConsentAge(13, "Tietosuojalaki (Data Protection Act 1050/2018), § 5"),
    "FR": ConsentAge(15, "Loi n° 78-17 Informatique et Libertés, Art. 45"),
    "DE": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "GR": ConsentAge(15, "Law 4624/2019, Art. 21"),
    "HU": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "IE": ConsentAge(16, "Data Protection Act 2018, s. 31"),
    "IT": ConsentAge(14, "Codice in materia di protezione dei dati personali, Art. 2-quinquies"),
    "LV": ConsentAge(13, "Personal Data Processing Law, Section 33"),
    "LT": ConsentAge(14, "Law on the Legal Protection of Personal Data, Art. 6"),
    "LU": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "MT": ConsentAge(13, "Data Protection Act (Cap. 586), S.L. 586.11"),
    "NL": ConsentAge(16, "Uitvoeringswet AVG, Art. 5"),
    "PL": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "PT": ConsentAge(13, "Lei n.º 58/2019, Art. 16"),
    "RO": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "SK": ConsentAge(16, "Act No. 18/2018 Coll., § 15"),
    "SI": ConsentAge(15, "Zakon o varstvu osebnih podatkov (ZVOP-2, 2022), Art. 8"),
    "ES": ConsentAge(14, "Ley Orgánica 3/2018 (LOPDGDD), Art. 7"),
    "SE": ConsentAge(13, "Dataskyddslag (2018:218), chapter 2, § 4"),
    # The EEA countries outside the EU apply the GDPR too.
    "IS": ConsentAge(13, "Act No. 90/2018 on Data Protection, Art. 10"),
    "LI": ConsentAge(16, "no national rule: the GDPR's 16 applies"),
    "NO": ConsentAge(13, "Personopplysningsloven (LOV-2018-06-15-38), § 5"),
}


def consent_age_of(country: str | None) -> ConsentAge | None:
    """The country's age of digital consent, or None outside the EU and EEA (or unknown)."""
    return AGES.get((country or "").upper())
