"""1EdTech's JSON schema for the CLR 2.0 / Open Badges 3.0 data model, as the tests read it.

The bundled draft-04 file (``schemas/clr/``, see its README for where it comes from) defines the
whole ``ClrCredential`` and, in ``$defs``, the OB 3.0 classes it embeds (``EndorsementCredential``,
``Achievement``, ``Profile``...). The draft predates VCDM 2.0 and the final OB 3.0; these
adjustments, made here and nowhere else, read it as the final specifications are written:

* VCDM 1.1's ``issuanceDate`` and ``expirationDate`` are read as ``validFrom`` and
  ``validUntil`` (properties and ``required`` lists);
* ``CredentialStatus`` is opened to the members a status method defines (our
  ``BitstringStatusListEntry``);
* the closed ``EndorsementCredential`` gains the ``name`` (required) and ``description`` that the
  final OB 3.0 gives every credential class.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).parent / "schemas" / "clr" / "clr_v2p0_clrcredential_schema_draft4.json"


VCDM2_NAMES = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}


def _vcdm2(node):
    """The schema with VCDM 1.1's date members named as VCDM 2.0 names them."""
    if isinstance(node, list):
        return [_vcdm2(v) for v in node]
    if not isinstance(node, dict):
        return node
    renamed = {}
    for key, value in node.items():
        if key == "required":
            renamed[key] = [VCDM2_NAMES.get(name, name) for name in value]
        elif key == "properties":
            renamed[key] = {VCDM2_NAMES.get(k, k): _vcdm2(v) for k, v in value.items()}
        else:
            renamed[key] = _vcdm2(value)
    return renamed


def _final_ob3(schema: dict) -> dict:
    endorsement = schema["$defs"]["EndorsementCredential"]
    text = {"type": "string"}
    endorsement["properties"].update({"name": text, "description": text})
    endorsement["required"].append("name")
    schema["$defs"]["CredentialStatus"]["additionalProperties"] = True
    return schema


def schema_errors(document: dict, definition: str | None = None) -> list[str]:
    """What the schema finds wrong with ``document``: a whole ClrCredential, or (``definition``)
    one of the classes in its ``$defs``, e.g. ``"EndorsementCredential"``."""
    schema = _final_ob3(_vcdm2(json.loads(SCHEMA.read_text("utf-8"))))
    if definition is not None:
        schema = {**schema["$defs"][definition], "$defs": schema["$defs"]}
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
