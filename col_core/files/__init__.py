"""Stored files with owners: every upload is recorded per city with its owner and visibility,
and ``/files/<key>`` serves it only to those allowed (docs/security.md, "Files")."""

from __future__ import annotations


def includeme(config):
    from col_core.files.interfaces import IStoredFiles
    from col_core.files.services import StoredFiles

    config.register_service_factory(StoredFiles, IStoredFiles)
    config.add_route("file", "/files/{key}")
    config.scan("col_core.files.views")
