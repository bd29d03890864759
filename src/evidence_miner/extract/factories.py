"""spaCy factories of evidence-miner's components (registered as em_<thing>)."""

from __future__ import annotations

from spacy.language import Language

from evidence_miner.extract.components.concepts import ConceptFinder, is_condition_like, is_drug_like
from evidence_miner.extract.components.counts import CountFinder
from evidence_miner.extract.components.findings import FindingsAssembler
from evidence_miner.extract.components.negation import NegationMarker
from evidence_miner.extract.components.ner_focus import FocusedNer
from evidence_miner.extract.components.numbers import NumberFinder
from evidence_miner.extract.components.quantities import QuantityFinder
from evidence_miner.extract.components.sentences import SentenceSplitter, load_sentence_words
from evidence_miner.extract.components.terms import TermFinder
from evidence_miner.extract.extensions import CONDITIONS, DRUGS, register_extensions
from evidence_miner.extract.lexicons import load_condition_lexicon, load_drug_lexicon
from evidence_miner.extract.patterns import load_matcher_patterns, load_negation_termset, load_term_sets

register_extensions()


@Language.factory(
    "em_sentences",
    assigns=["token.is_sent_start"],
    default_config={"words": "sentences.toml", "defer_to_pysbd": True},
)
def make_sentence_splitter(
    nlp: Language, name: str, words: str, defer_to_pysbd: bool
) -> SentenceSplitter:
    """`words`: the word lists in patterns/ (titles, abbreviations, sentence starters);
    `defer_to_pysbd`: let pysbd decide the periods the rules are unsure of ("Inc. Shares")."""
    return SentenceSplitter(load_sentence_words(words), defer_to_pysbd=defer_to_pysbd)


@Language.factory("em_numbers", assigns=["doc.spans"], default_config={})
def make_number_finder(nlp: Language, name: str) -> NumberFinder:
    return NumberFinder()


@Language.factory("em_terms", assigns=["doc.spans"], default_config={"terms": "terms.jsonl"})
def make_term_finder(nlp: Language, name: str, terms: str) -> TermFinder:
    return TermFinder(nlp, load_term_sets(terms))


@Language.factory(
    "em_ner_focus", assigns=["doc.ents"], requires=["token.is_sent_start"], default_config={"margin": 6}
)
def make_focused_ner(nlp: Language, name: str, margin: int) -> FocusedNer:
    """The pipeline's tok2vec and ner components (added disabled) run by FocusedNer."""
    return FocusedNer(nlp, margin)


@Language.factory("em_drugs", assigns=["doc.spans"], default_config={})
def make_drug_finder(nlp: Language, name: str) -> ConceptFinder:
    return ConceptFinder(nlp, load_drug_lexicon, DRUGS, "DRUG", ner_label="CHEMICAL", accept=is_drug_like, combinations=True)


@Language.factory("em_conditions", assigns=["doc.spans"], default_config={})
def make_condition_finder(nlp: Language, name: str) -> ConceptFinder:
    return ConceptFinder(
        nlp, load_condition_lexicon, CONDITIONS, "CONDITION", ner_label="DISEASE", accept=is_condition_like, yield_to=DRUGS
    )


@Language.factory(
    "em_quantities",
    assigns=["doc.spans"],
    requires=["doc.spans"],
    default_config={"frequencies": "frequencies.jsonl"},
)
def make_quantity_finder(nlp: Language, name: str, frequencies: str) -> QuantityFinder:
    return QuantityFinder(nlp, load_matcher_patterns(frequencies))


@Language.factory("em_counts", assigns=["doc.spans"], requires=["doc.spans"], default_config={})
def make_count_finder(nlp: Language, name: str) -> CountFinder:
    return CountFinder()


@Language.factory(
    "em_negation",
    assigns=["doc.spans"],
    requires=["doc.spans", "token.is_sent_start"],
    default_config={
        "termset": "negation.toml",
        "targets": ["adverse_event", "adverse_event_word", "outcome", "condition", "design"],
        "max_distance": 4,
    },
)
def make_negation_marker(nlp: Language, name: str, termset: str, targets: list[str], max_distance: int) -> NegationMarker:
    return NegationMarker(nlp, load_negation_termset(termset), targets, max_distance)


@Language.factory(
    "em_findings",
    assigns=["doc._.em_findings", "doc._.em_no_study_reason"],
    requires=["doc.spans"],
    default_config={"study_label": "STUDY", "study_threshold": 0.5},
)
def make_findings_assembler(nlp: Language, name: str, study_label: str, study_threshold: float) -> FindingsAssembler:
    """`study_label`/`study_threshold`: a text classifier earlier in the pipeline (models/em_textcat_study)
    that scores doc.cats[study_label] at or above the threshold makes an article a study report
    even where no design, effect size or stated cohort was found."""
    return FindingsAssembler(load_drug_lexicon(), load_condition_lexicon(), study_label=study_label,
                             study_threshold=study_threshold)  # fmt: skip
