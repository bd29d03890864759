"""The record assembler: one Findings per study reported in the Doc, or the reason there is none."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from evidence_miner.extract.assemble.findings import (
    assemble_findings,
    find_body_end,
    find_segments,
    find_title_end,
    merge_leads,
    part_is_study,
    stacked_citations,
)
from evidence_miner.extract.assemble.view import StudyView
from evidence_miner.extract.lexicons import Lexicon
from evidence_miner.extract.patterns import using_pack
from evidence_miner.lang import LanguagePack
from evidence_miner.records import Findings

NO_STUDY_REASON = "no study design, effect size, or enrolled cohort with results was found"
SHORT_TEXT_REASON = "the text is too short to report a study (a page fragment?)"
MIN_STUDY_WORDS = 40


def is_classified_study(doc: Doc, label: str, threshold: float) -> bool:
    """A text classifier in the pipeline (doc.cats) calls the article a study report."""
    return label in doc.cats and doc.cats[label] >= threshold


def find_findings(
    doc: Doc,
    drugs: Lexicon,
    conditions: Lexicon,
    *,
    study_label: str = "STUDY",
    study_threshold: float = 0.5,
) -> list[Findings]:
    title_end = find_title_end(doc)
    body_end = find_body_end(doc, title_end)
    segments = find_segments(doc, title_end, body_end)
    is_study = part_is_study(len(segments) > 1)
    views = merge_leads(
        [StudyView(doc, start, end, title_end) for start, end in segments], is_study
    )
    studies = [v for v in views if is_study(v)]
    if not studies and is_classified_study(doc, study_label, study_threshold):
        studies = [StudyView(doc, title_end, body_end, title_end)]
    stacked = stacked_citations(doc, title_end, len(studies))
    # each report's journal is its own line, not whichever line its text holds
    if stacked is not None:
        studies = [replace(view, citation=cue) for view, cue in zip(studies, stacked)]
    return drop_other_studies_drugs(
        [assemble_findings(view, drugs, conditions) for view in studies]
    )


def drop_other_studies_drugs(findings: list[Findings]) -> list[Findings]:
    """In a story of several studies, a drug one study's text only mentions and another study
    gives ("olaparib" in the part on niraparib) is that other study's drug, not this one's."""
    if len(findings) < 2:
        return findings
    studied = [{i.name for i in f.interventions if i.role == "studied"} for f in findings]
    kept = []
    for index, found in enumerate(findings):
        others = set().union(*(names for j, names in enumerate(studied) if j != index))
        interventions = [
            i
            for i in found.interventions
            if not (i.role in ("mentioned", "prior") and i.name in others)
        ]
        kept.append(found.model_copy(update={"interventions": interventions}))
    return kept


def no_study_reason(doc: Doc, label: str) -> str:
    """Why an article gives no record: too short to report a study, the rules found nothing (and
    the study classifier, when there is one, scored it as no study report)."""
    if sum(1 for t in doc if t.is_alpha) < MIN_STUDY_WORDS:
        return SHORT_TEXT_REASON
    if label in doc.cats:
        return (
            f"{NO_STUDY_REASON}, and the study classifier scored it as no study report "
            f"({label} {doc.cats[label]:.2f})"
        )
    return NO_STUDY_REASON


class FindingsAssembler:
    """Sets doc._.em_findings (list of Findings as dicts) and doc._.em_no_study_reason."""

    def __init__(
        self,
        drugs: Lexicon,
        conditions: Lexicon,
        *,
        study_label: str = "STUDY",
        study_threshold: float = 0.5,
        pack: LanguagePack,
    ) -> None:
        self.pack = pack
        self.drugs = drugs
        self.conditions = conditions
        self.study_label = study_label
        self.study_threshold = study_threshold

    def __call__(self, doc: Doc) -> Doc:
        with using_pack(self.pack):
            findings = find_findings(
                doc,
                self.drugs,
                self.conditions,
                study_label=self.study_label,
                study_threshold=self.study_threshold,
            )
        doc._.em_findings = [f.model_dump(mode="json") for f in findings]
        doc._.em_no_study_reason = None if findings else no_study_reason(doc, self.study_label)
        return doc
