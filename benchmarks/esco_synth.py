"""Generate a full-size synthetic ESCO download, for import benchmarks.

    python -m benchmarks.esco_synth OUTDIR [--scale 1.0] [--seed 2024] [--language de]

The output has the layout and byte format of the ESCO 1.1.1 CSV download:
one folder per language (``ESCO dataset - v1.1.1 - classification - en - csv``)
with ``skills_en.csv``, ``skillGroups_en.csv``, ``skillsHierarchy_en.csv``,
``occupations_en.csv``, ``ISCOGroups_en.csv`` and the six skill collections,
plus a language-independent folder (``... - classification -  - csv``) with
the broader-relation, skill-skill and occupation-skill relation files.

The headers are read from the real rows shipped in ``plugins/esco/data``
(v1.1.1), so the shapes cannot drift from ESCO's: records end with CRLF,
multi-valued labels are one per line inside a quoted field (bare LF), inScheme
is joined with ``,\\n``, collections join with `` | ``, the two collection
column orders are kept, and hierarchy rows drop their trailing empty fields.

At scale 1.0: 14,000 skills, 640 skill groups, 3,000 occupations, 619 ISCO
groups, 125,000 occupation-skill relations. Everything is written as it is
generated (csv.writer on an open file); only URIs and a few labels per
concept are kept in memory. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "plugins" / "esco" / "data" / "v1.1.1" / "en"
ESCO = "http://data.europa.eu/esco/"
VERSION = "1.1.1"

# Not in the shipped extract; as published in the 1.1.x downloads.
ISCO_HEADER = [
    "conceptType",
    "conceptUri",
    "code",
    "preferredLabel",
    "status",
    "altLabels",
    "inScheme",
    "description",
]

WORDS = {
    "en": {
        "verbs": [
            "manage",
            "organise",
            "support",
            "assess",
            "coordinate",
            "develop",
            "apply",
            "monitor",
            "teach",
            "analyse",
            "maintain",
            "design",
            "advise on",
            "facilitate",
            "evaluate",
            "operate",
            "plan",
            "communicate about",
            "document",
            "lead",
        ],
        "nouns": [
            "youth work",
            "learning activities",
            "community projects",
            "safety procedures",
            "digital tools",
            "team dynamics",
            "volunteer programmes",
            "budget plans",
            "customer relations",
            "workshop materials",
            "quality standards",
            "outreach",
            "mentoring sessions",
            "data records",
            "cultural events",
            "green practices",
            "sports training",
            "library services",
            "public speaking",
            "conflict resolution",
        ],
        "fillers": [
            "in a team",
            "for young people",
            "in public services",
            "at local level",
            "with partners",
            "in education",
            "under supervision",
            "in a city",
        ],
        "sentence": "Carry out tasks related to {x} and ensure that the results meet agreed standards.",
        "group": "{x} skills",
        "occupation": [
            "coordinator",
            "worker",
            "officer",
            "specialist",
            "assistant",
            "manager",
            "trainer",
            "adviser",
            "technician",
            "educator",
        ],
    },
    "de": {
        "verbs": [
            "verwalten",
            "organisieren",
            "unterstützen",
            "bewerten",
            "koordinieren",
            "entwickeln",
            "anwenden",
            "überwachen",
            "unterrichten",
            "analysieren",
            "pflegen",
            "gestalten",
            "beraten",
            "moderieren",
            "prüfen",
            "bedienen",
            "planen",
            "vermitteln",
            "dokumentieren",
            "führen",
        ],
        "nouns": [
            "Jugendarbeit",
            "Lernaktivitäten",
            "Gemeinschaftsprojekte",
            "Sicherheitsverfahren",
            "digitale Werkzeuge",
            "Teamdynamik",
            "Freiwilligenprogramme",
            "Haushaltspläne",
            "Kundenbeziehungen",
            "Workshopmaterialien",
            "Qualitätsstandards",
            "Öffentlichkeitsarbeit",
            "Mentoring-Sitzungen",
            "Datensätze",
            "Kulturveranstaltungen",
            "grüne Praktiken",
            "Sporttraining",
            "Bibliotheksdienste",
            "öffentliches Reden",
            "Konfliktlösung",
        ],
        "fillers": [
            "im Team",
            "für junge Menschen",
            "im öffentlichen Dienst",
            "auf lokaler Ebene",
            "mit Partnern",
            "in der Bildung",
            "unter Aufsicht",
            "in einer Großstadt",
        ],
        "sentence": "Aufgaben im Bereich {x} ausführen und sicherstellen, dass die Ergebnisse den "
        "vereinbarten Qualitätsmaßstäben genügen.",
        "group": "Fähigkeiten: {x}",
        "occupation": [
            "Koordinator/Koordinatorin",
            "Fachkraft",
            "Referent/Referentin",
            "Spezialist/Spezialistin",
            "Assistent/Assistentin",
            "Leiter/Leiterin",
            "Trainer/Trainerin",
            "Berater/Beraterin",
            "Techniker/Technikerin",
            "Pädagoge/Pädagogin",
        ],
    },
}


def _headers() -> dict[str, list[str]]:
    """The column headers of the real files shipped with the plugin."""
    names = {
        "skills": "skills_en.csv",
        "skillGroups": "skillGroups_en.csv",
        "skillsHierarchy": "skillsHierarchy_en.csv",
        "occupations": "occupations_en.csv",
        "broader": "broaderRelationsSkillPillar.csv",
        "skillSkill": "skillSkillRelations.csv",
        "occupationSkill": "occupationSkillRelations.csv",
        "collection_skill_first": "transversalSkillsCollection_en.csv",
        "collection_label_first": "digitalSkillsCollection_en.csv",
    }
    out = {}
    for key, name in names.items():
        with open(DATA / name, newline="", encoding="utf-8") as fh:
            out[key] = next(csv.reader(fh))
    out["isco"] = ISCO_HEADER
    return out


class Writer:
    """A CSV file written record by record with ESCO's dialect."""

    def __init__(self, path: Path, header: list[str]):
        self.header = header
        self.file = open(path, "w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.file, lineterminator="\r\n")
        self.csv.writerow(header)
        self.rows = 0

    def row(self, values: dict[str, str], trim: bool = False) -> None:
        fields = [values.get(name, "") for name in self.header]
        if trim:  # skillsHierarchy drops trailing empty fields
            while fields and fields[-1] == "":
                fields.pop()
        self.csv.writerow(fields)
        self.rows += 1

    def close(self) -> None:
        self.file.close()


class Synth:
    def __init__(self, scale: float, seed: int, languages: list[str]):
        self.scale = scale
        self.seed = seed
        self.languages = languages
        self.h = _headers()
        self.n_skills = max(50, round(14_000 * scale))
        self.n_occupations = max(10, round(3_000 * scale))
        self.n_relations = max(40, round(125_000 * scale))
        self.n_skill_skill = max(5, round(5_818 * scale))
        rng = random.Random(seed)
        self.skill_uris = [self._uri(rng, "skill") for _ in range(self.n_skills)]
        self.skill_type = [
            rng.choices(["skill/competence", "knowledge", ""], [10_831, 3_059, 6])[0]
            for _ in range(self.n_skills)
        ]
        self.reuse = [
            rng.choices(
                ["sector-specific", "cross-sector", "occupation-specific", "transversal", ""],
                [6_654, 3_754, 3_043, 440, 5],
            )[0]
            for _ in range(self.n_skills)
        ]
        self.groups = self._group_tree(rng)
        leaves = [g for g in self.groups if g["depth"] == 3] or self.groups
        self.skill_broader = []
        for i in range(self.n_skills):
            k = rng.choices([1, 2, 3, 5], [70, 20, 8, 2])[0]
            picks = {rng.randrange(len(leaves)) for _ in range(k)}
            broader = [("SkillGroup", leaves[p]["uri"]) for p in sorted(picks)]
            if i > 10 and rng.random() < 0.05:
                broader.append(("KnowledgeSkillCompetence", self.skill_uris[rng.randrange(i)]))
            self.skill_broader.append(broader)
        self.isco = self._isco_tree()
        # Occupations hang under 4-digit unit groups (or the deepest level a
        # very small scale reaches).
        deepest = max(len(g["code"]) for g in self.isco)
        units = [g for g in self.isco if len(g["code"]) == deepest]
        self.occupations = []
        for i in range(self.n_occupations):
            unit = units[i % len(units)]
            self.occupations.append(
                {
                    "uri": self._uri(rng, "occupation"),
                    "isco": unit["code"],
                    "code": f"{unit['code']}.{i // len(units) + 1}",
                    "isco_uri": unit["uri"],
                }
            )

    # ------------------------------------------------------------ helpers

    def _uri(self, rng: random.Random, kind: str) -> str:
        return f"{ESCO}{kind}/{uuid.UUID(int=rng.getrandbits(128), version=4)}"

    def _rng(self, *key: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(map(str, key)))

    def _label(self, rng: random.Random, lang: str) -> str:
        w = WORDS[lang]
        verb, noun = rng.choice(w["verbs"]), rng.choice(w["nouns"])
        phrase = f"{verb} {noun}" if lang == "en" else f"{noun} {verb}"
        if rng.random() < 0.4:
            phrase += " " + rng.choice(w["fillers"])
        return phrase

    def _labels(self, key: tuple, lang: str, most: int) -> tuple[str, list[str]]:
        rng = self._rng(*key, lang)
        preferred = self._label(rng, lang)
        alts = []
        for _ in range(rng.choice(range(most + 1))):
            alt = self._label(rng, lang)
            if alt != preferred and alt not in alts:
                alts.append(alt)
        return preferred, alts

    def _description(self, key: tuple, lang: str, label: str) -> str:
        rng = self._rng(*key, "d", lang)
        text = WORDS[lang]["sentence"].format(x=label)
        if rng.random() < 0.1:  # a second paragraph after a bare LF, as in real descriptions
            text += "\n" + WORDS[lang]["sentence"].format(x=self._label(rng, lang))
        if rng.random() < 0.03:
            text += "\n"
        return text

    def _date(self, rng: random.Random) -> str:
        stamp = (
            f"20{rng.randint(16, 22)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        )
        return stamp + (f".{rng.randint(0, 999):03d}Z" if rng.random() < 0.7 else "Z")

    def _group_tree(self, rng: random.Random) -> list[dict]:
        target = max(40, round(640 * self.scale))
        pillars = [
            ("S", 8, "skills"),
            ("K", 11, "knowledge"),
            ("T", 6, "transversal skills and competences"),
            ("L", 1, "language skills and knowledge"),
        ]
        groups = [
            {"uri": self._uri(rng, "skill"), "code": c, "depth": 0, "parent": None, "path": []}
            for c, _, _ in pillars
        ]
        for root, (code, n1, _) in zip(list(groups), pillars, strict=False):
            for a in range(1, n1 + 1):
                groups.append(
                    {
                        "uri": self._uri(rng, "skill"),
                        "code": f"{code}{a}",
                        "depth": 1,
                        "parent": root,
                    }
                )
        while len(groups) < target:
            parent = rng.choice([g for g in groups if 1 <= g["depth"] <= 2])
            n = sum(1 for g in groups if g["parent"] is parent) + 1
            groups.append(
                {
                    "uri": self._uri(rng, "skill"),
                    "code": f"{parent['code']}.{n}",
                    "depth": parent["depth"] + 1,
                    "parent": parent,
                }
            )
        return groups

    def _isco_tree(self) -> list[dict]:
        target = max(20, round(619 * self.scale))
        out, rng = [], random.Random(f"{self.seed}:isco")
        codes = [str(d) for d in range(10)]
        frontier = list(codes)
        while len(codes) < target and frontier:
            parent = frontier.pop(0)
            for d in range(1, rng.randint(2, 6) + 1):
                if len(parent) < 4 and len(codes) < target:
                    codes.append(parent + str(d))
                    frontier.append(parent + str(d))
        for code in codes:
            out.append({"code": code, "uri": f"{ESCO}isco/C{code}"})
        return out

    # ------------------------------------------------------------- files

    def write(self, root: Path) -> dict[str, int]:
        counts: dict[str, int] = {}
        for lang in self.languages:
            folder = root / f"ESCO dataset - v{VERSION} - classification - {lang} - csv"
            folder.mkdir(parents=True, exist_ok=True)
            for name, rows in self._language_files(folder, lang):
                counts[f"{folder.name}/{name}"] = rows
        shared = root / f"ESCO dataset - v{VERSION} - classification -  - csv"
        shared.mkdir(parents=True, exist_ok=True)
        for name, rows in self._relation_files(shared):
            counts[f"{shared.name}/{name}"] = rows
        return counts

    def _language_files(self, folder: Path, lang: str) -> Iterator[tuple[str, int]]:
        h = self.h
        w = Writer(folder / f"skills_{lang}.csv", h["skills"])
        for i, uri in enumerate(self.skill_uris):
            rng = self._rng("s", i, "x")
            label, alts = self._labels(("s", i), lang, 12)
            hidden = self._labels(("sh", i), lang, 3)[1] if rng.random() < 0.1 else []
            schemes = [f"{ESCO}concept-scheme/skills", f"{ESCO}concept-scheme/member-skills"]
            w.row(
                {
                    "conceptType": "KnowledgeSkillCompetence",
                    "conceptUri": uri,
                    "skillType": self.skill_type[i],
                    "reuseLevel": self.reuse[i],
                    "preferredLabel": label,
                    "altLabels": "\n".join(alts),
                    "hiddenLabels": "\n".join(hidden),
                    "status": "released",
                    "modifiedDate": self._date(rng),
                    "inScheme": ",\n".join(schemes),
                    "description": self._description(("s", i), lang, label),
                }
            )
        w.close()
        yield w.file.name.rsplit("/", 1)[-1], w.rows

        w = Writer(folder / f"skillGroups_{lang}.csv", h["skillGroups"])
        hier = Writer(folder / f"skillsHierarchy_{lang}.csv", h["skillsHierarchy"])
        for n, g in enumerate(self.groups):
            label, alts = self._labels(("g", n), lang, 3)
            label = WORDS[lang]["group"].format(x=label)
            g.setdefault("labels", {})[lang] = label
            desc = self._description(("g", n), lang, label)
            w.row(
                {
                    "conceptType": "SkillGroup",
                    "conceptUri": g["uri"],
                    "preferredLabel": label,
                    "altLabels": "\n".join(alts),
                    "status": "released",
                    "modifiedDate": self._date(self._rng("g", n, "x")),
                    "inScheme": f"{ESCO}concept-scheme/skills\n{ESCO}concept-scheme/skills-hierarchy",
                    "description": desc,
                    "code": g["code"],
                }
            )
            chain, node = [], g
            while node is not None:
                chain.insert(0, node)
                node = node["parent"]
            row = {"Description": desc if g["depth"] else ""}
            for d, node in enumerate(chain):
                row[f"Level {d} URI"] = node["uri"]
                row[f"Level {d} preferred term"] = node["labels"][lang]
                row[f"Level {d} code"] = node["code"]
            hier.row(row, trim=True)
        w.close()
        hier.close()
        yield f"skillGroups_{lang}.csv", w.rows
        yield f"skillsHierarchy_{lang}.csv", hier.rows

        w = Writer(folder / f"ISCOGroups_{lang}.csv", h["isco"])
        for n, g in enumerate(self.isco):
            label, alts = self._labels(("i", n), lang, 2)
            w.row(
                {
                    "conceptType": "ISCOGroup",
                    "conceptUri": g["uri"],
                    "code": g["code"],
                    "preferredLabel": label,
                    "status": "released",
                    "altLabels": "\n".join(alts),
                    "inScheme": f"{ESCO}concept-scheme/isco,\n{ESCO}concept-scheme/occupations",
                    "description": self._description(("i", n), lang, label),
                }
            )
        w.close()
        yield f"ISCOGroups_{lang}.csv", w.rows

        w = Writer(folder / f"occupations_{lang}.csv", h["occupations"])
        for n, o in enumerate(self.occupations):
            rng = self._rng("o", n, lang)
            job = rng.choice(WORDS[lang]["occupation"])
            label = f"{rng.choice(WORDS[lang]['nouns'])} {job}"
            alts = [
                f"{rng.choice(WORDS[lang]['nouns'])} {rng.choice(WORDS[lang]['occupation'])}"
                for _ in range(rng.randint(0, 15))
            ]
            w.row(
                {
                    "conceptType": "Occupation",
                    "conceptUri": o["uri"],
                    "iscoGroup": o["isco"],
                    "preferredLabel": label,
                    "altLabels": "\n".join(dict.fromkeys(alts)),
                    "status": "released",
                    "modifiedDate": self._date(rng),
                    "regulatedProfessionNote": f"{ESCO}regulated-professions/unregulated",
                    "inScheme": f"{ESCO}concept-scheme/member-occupations,\n{ESCO}concept-scheme/occupations",
                    "description": self._description(("o", n), lang, label),
                    "code": o["code"],
                }
            )
        w.close()
        yield f"occupations_{lang}.csv", w.rows

        # Collection sizes of ESCO 1.1.1, and the column order each one uses.
        collections = [
            ("transversal", 95, "collection_skill_first"),
            ("language", 359, "collection_skill_first"),
            ("digital", 1_284, "collection_label_first"),
            ("digComp", 25, "collection_label_first"),
            ("green", 629, "collection_label_first"),
            ("research", 40, "collection_label_first"),
        ]
        for name, size, order in collections:
            w = Writer(folder / f"{name}SkillsCollection_{lang}.csv", h[order])
            rng = random.Random(f"{self.seed}:c:{name}")
            members = sorted(
                rng.sample(
                    range(self.n_skills), min(self.n_skills, max(3, round(size * self.scale)))
                )
            )
            for i in members:
                label, alts = self._labels(("s", i), lang, 12)
                broader = [u for _, u in self.skill_broader[i]]
                w.row(
                    {
                        "conceptType": "KnowledgeSkillCompetence",
                        "conceptUri": self.skill_uris[i],
                        "skillType": self.skill_type[i],
                        "reuseLevel": self.reuse[i],
                        "preferredLabel": label,
                        "status": "released",
                        "altLabels": " | ".join(alts),
                        "description": self._description(("s", i), lang, label),
                        "broaderConceptUri": " | ".join(broader),
                        "broaderConceptPT": " | ".join(f"broader {k}" for k in range(len(broader))),
                    }
                )
            w.close()
            yield f"{name}SkillsCollection_{lang}.csv", w.rows

    def _relation_files(self, folder: Path) -> Iterator[tuple[str, int]]:
        h = self.h
        rng = random.Random(f"{self.seed}:relations")
        w = Writer(folder / "broaderRelationsSkillPillar.csv", h["broader"])
        for g in self.groups:
            if g["parent"] is not None:
                w.row(
                    {
                        "conceptType": "SkillGroup",
                        "conceptUri": g["uri"],
                        "broaderType": "SkillGroup",
                        "broaderUri": g["parent"]["uri"],
                    }
                )
        for i, uri in enumerate(self.skill_uris):
            for kind, broader in self.skill_broader[i]:
                w.row(
                    {
                        "conceptType": "KnowledgeSkillCompetence",
                        "conceptUri": uri,
                        "broaderType": kind,
                        "broaderUri": broader,
                    }
                )
        w.close()
        yield "broaderRelationsSkillPillar.csv", w.rows

        w = Writer(folder / "broaderRelationsOccPillar.csv", h["broader"])
        by_code = {g["code"]: g for g in self.isco}
        for g in self.isco:
            if len(g["code"]) > 1:
                w.row(
                    {
                        "conceptType": "ISCOGroup",
                        "conceptUri": g["uri"],
                        "broaderType": "ISCOGroup",
                        "broaderUri": by_code[g["code"][:-1]]["uri"],
                    }
                )
        for o in self.occupations:
            w.row(
                {
                    "conceptType": "Occupation",
                    "conceptUri": o["uri"],
                    "broaderType": "ISCOGroup",
                    "broaderUri": o["isco_uri"],
                }
            )
        w.close()
        yield "broaderRelationsOccPillar.csv", w.rows

        w = Writer(folder / "skillSkillRelations.csv", h["skillSkill"])
        for _ in range(self.n_skill_skill):
            a, b = rng.randrange(self.n_skills), rng.randrange(self.n_skills)
            w.row(
                {
                    "originalSkillUri": self.skill_uris[a],
                    "originalSkillType": self.skill_type[a],
                    "relationType": rng.choice(["essential", "optional"]),
                    "relatedSkillType": self.skill_type[b],
                    "relatedSkillUri": self.skill_uris[b],
                }
            )
        w.close()
        yield "skillSkillRelations.csv", w.rows

        w = Writer(folder / "occupationSkillRelations.csv", h["occupationSkill"])
        per, extra = divmod(self.n_relations, self.n_occupations)
        for n, o in enumerate(self.occupations):
            for i in rng.sample(
                range(self.n_skills), min(self.n_skills, per + (1 if n < extra else 0))
            ):
                w.row(
                    {
                        "occupationUri": o["uri"],
                        "relationType": rng.choice(["essential", "optional"]),
                        "skillType": self.skill_type[i],
                        "skillUri": self.skill_uris[i],
                    }
                )
        w.close()
        yield "occupationSkillRelations.csv", w.rows


def generate(
    outdir: str | Path, scale: float = 1.0, seed: int = 2024, language: str = "de"
) -> dict[str, int]:
    """Write the synthetic download under ``outdir``; return rows per file."""
    return Synth(scale, seed, ["en", language]).write(Path(outdir))


def measure(outdir: str | Path) -> dict[str, float]:
    """Stream every record of ``outdir`` through the plugin's reader: rows/s
    (plain run), then peak traced memory (a second run under tracemalloc,
    which slows Python down, so its time is not used for speed)."""
    import time
    import tracemalloc

    from plugins.esco.reader import iter_records, scan_download

    def run() -> int:
        return sum(1 for _ in iter_records(outdir))

    started = time.perf_counter()
    rows = run()
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    report = scan_download(outdir)
    scan_elapsed = time.perf_counter() - started
    raw_started = time.perf_counter()
    raw = 0
    for path in sorted(Path(outdir).rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            raw += sum(1 for _ in csv.reader(fh)) - 1
    raw_elapsed = time.perf_counter() - raw_started
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "records": rows,
        "seconds": elapsed,
        "records_per_s": rows / elapsed,
        "scan_rows": report.total_rows,
        "scan_seconds": scan_elapsed,
        "raw_csv_rows": raw,
        "raw_csv_seconds": raw_elapsed,
        "peak_traced_mib": peak / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is the size of ESCO 1.1.1")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--language", default="de", help="the second language (besides en)")
    parser.add_argument(
        "--measure",
        action="store_true",
        help="then stream it through plugins.esco.reader and print rows/s and peak memory",
    )
    args = parser.parse_args(argv)
    counts = generate(args.outdir, args.scale, args.seed, args.language)
    for name, rows in counts.items():
        print(f"{rows:>9,}  {name}")
    print(f"{sum(counts.values()):>9,}  rows in total")
    if args.measure:
        for key, value in measure(args.outdir).items():
            print(
                f"{key:>16}: {value:,.2f}" if isinstance(value, float) else f"{key:>16}: {value:,}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
