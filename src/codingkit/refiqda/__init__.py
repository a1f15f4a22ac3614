"""REFI-QDA interchange: codebooks (``.qdc``) and coded projects (``.qdpx``).

REFI-QDA is the exchange standard of NVivo, ATLAS.ti, MAXQDA and QualCoder.
codingkit writes files those tools open (validated against the standard's
XSDs) and reads the files they write, including their known quirks.

>>> from codingkit.refiqda import write_qdc, read_qdc, write_qdpx, read_qdpx
>>> write_qdc(codebook, "teman.qdc")                        # doctest: +SKIP
>>> write_qdpx(result, "kodning.qdpx")                      # doctest: +SKIP
>>> project = read_qdpx("granskad.qdpx")                    # doctest: +SKIP
>>> project.human_coding                                    # doctest: +SKIP

``write_review_project`` writes the turns ``codingkit suggest`` chose as a
project to code (one source per turn), ``review_coding`` reads it back once
coded. See ``docs/refiqda.md`` for the review workflow in QualCoder or NVivo.
"""

from __future__ import annotations

from ._common import code_guid
from .codebook import qdc_bytes, read_qdc, write_qdc
from .importer import (
    HUMAN_COLUMNS,
    ImportedProject,
    SelectionProblem,
    read_qdpx,
    source_file_name,
    write_imported_project,
)
from .outputdir import export_project, result_from_output_dir
from .project import AUTOMATIC_USER, qdpx_bytes, source_guid, write_qdpx
from .review import review_coding, write_review_project

__all__ = [
    "AUTOMATIC_USER",
    "HUMAN_COLUMNS",
    "ImportedProject",
    "SelectionProblem",
    "code_guid",
    "export_project",
    "qdc_bytes",
    "qdpx_bytes",
    "read_qdc",
    "read_qdpx",
    "result_from_output_dir",
    "review_coding",
    "source_file_name",
    "source_guid",
    "write_imported_project",
    "write_qdc",
    "write_qdpx",
    "write_review_project",
]
