"""The table of ages of digital consent covers every EU and EEA country, within GDPR Art. 8."""

from col_core.tenancy.consent_ages import AGES, consent_age_of

EU = {
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
}
EEA_OUTSIDE_EU = {"IS", "LI", "NO"}


def test_every_eu_and_eea_country_and_nothing_else():
    assert set(AGES) == EU | EEA_OUTSIDE_EU


def test_ages_are_those_gdpr_allows_and_each_names_its_law():
    for country, legal in AGES.items():
        assert 13 <= legal.age <= 16, country
        assert legal.law.strip(), country


def test_the_examples_of_the_issue():
    assert {c: consent_age_of(c).age for c in ("LT", "ES", "FR", "BE", "DE", "NL")} == {
        "LT": 14,
        "ES": 14,
        "FR": 15,
        "BE": 13,
        "DE": 16,
        "NL": 16,
    }
    assert consent_age_of("lt").age == 14 and consent_age_of("CH") is None
    assert consent_age_of(None) is None
