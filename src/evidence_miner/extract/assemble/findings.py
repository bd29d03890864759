"""Put one study's facts together, step by step, into a Findings record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from spacy.tokens import Doc, Span

from evidence_miner.extract.assemble import adverse, arms, doses, drugs, outcomes, population, study
from evidence_miner.extract.assemble.facts import (
    Assembly,
    ConceptFact,
    DesignFact,
    InterventionFact,
    PopulationFact,
    QuantityFact,
    StudyFact,
    to_findings,
)
from evidence_miner.extract.assemble.view import StudyView, provenance
from evidence_miner.extract.components.concepts import entry_for
from evidence_miner.extract.extensions import CONDITIONS, DRUGS, EFFECTS, PERCENTS
from evidence_miner.extract.lexicons import Lexicon
from evidence_miner.extract.patterns import terms_of, word_set
from evidence_miner.records import Findings


def find_title_end(doc: Doc) -> int:
    """Tokens of the first sentence when it is a headline (no final full stop)."""
    first = next(iter(doc.sents), None)
    if first is None or first.text.rstrip().endswith((".", "?", "!")):
        return 0
    return first.end


def is_boilerplate_heading(line: str) -> bool:
    """A press release's closing section heading ("Important Safety Information",
    "Forward-Looking Statements", "Media contact"): what follows is label text or company
    boilerplate, never this study's results."""
    words = line.strip().rstrip(":").lower().split()
    if not 0 < len(words) <= 8:
        return False
    text = " ".join(w for w in words if w not in word_set("region_prefixes"))
    return 0 < len(words) <= 8 and any(text.startswith(h) for h in word_set("boilerplate_headings"))


def find_body_end(doc: Doc, title_end: int) -> int:
    """The token where a press release's boilerplate starts, or the end of the document."""
    offset = 0
    for line in doc.text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if is_boilerplate_heading(line):
            span = doc.char_span(start, start + len(line), alignment_mode="expand")
            if span is not None and span.start > title_end:
                return span.start
    return len(doc)


def find_segments(doc: Doc, title_end: int, body_end: int | None = None) -> list[tuple[int, int]]:
    """Split the body where another study is introduced. "A separate study" / "another trial"
    always starts one; "the second study" only when no such cue has (it then refers back)."""
    body_end = len(doc) if body_end is None else body_end
    listed = [t for t in doc.spans["em_terms"] if t.label_ == "second_study_cue"]
    cues = [
        t
        for t in listed
        + find_ordinal_study_cues(doc, {t.start for t in listed})
        + find_elliptical_study_cues(doc)
        if title_end <= t.start < body_end
    ]
    later = [t for t in cues if not is_in_lead(doc, t, title_end)]
    cues = later or cues  # "But a separate study ..." in the lead previews; the section comes later
    indefinite = [t for t in cues if t[0].lower_ != "the"]
    chosen = indefinite or [t for t in cues if t[0].lower_ == "the"][:1]
    cuts = sorted({t.sent.start for t in chosen} | set(cuts_after_citations(doc, title_end)))
    bounds = [title_end, *[c for c in cuts if title_end < c < body_end], body_end]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


ORDINAL_STUDY_GAP = 2  # modifiers between "a second" and "trial": "a second, simultaneous trial"


def find_ordinal_study_cues(doc: Doc, taken: set[int]) -> list[Span]:
    """ "a second, simultaneous trial", "a separate analysis", "another small study": a lead
    that counts studies ("a second", "another"), up to two modifiers, and a study noun. The
    listed cue phrases name the common ones; this finds the ones with modifiers between."""
    leads, determiners = word_set("another_study_leads"), word_set("ordinal_study_determiners")
    ordinals, modifiers = word_set("ordinal_study_words"), word_set("ordinal_study_modifiers")
    nouns = word_set("ordinal_study_nouns")
    found = []
    for token in doc:
        lower = token.lower_
        if token.i in taken or (lower not in leads and lower not in determiners):
            continue
        start = token.i
        if lower in leads:
            i = start + 1
        elif start + 1 < len(doc) and doc[start + 1].lower_ in ordinals:
            i = start + 2
        else:
            continue
        limit = min(i + ORDINAL_STUDY_GAP, len(doc) - 1)
        while i < limit and (doc[i].text == "," or doc[i].lower_ in modifiers):
            i += 1
        if i < len(doc) and doc[i].lower_ in nouns:
            found.append(Span(doc, start, i + 1, label="second_study_cue"))
    return found


def find_elliptical_study_cues(doc: Doc) -> list[Span]:
    """ "In one study, the drug beat a placebo. In another, it matched monthly injections.": a
    sentence opening "In another," after one opening "In one study" (or trial) starts a study."""
    nouns = word_set("ordinal_study_nouns")
    first = next(
        (
            s.start
            for s in doc.sents
            if len(s) > 3 and [t.lower_ for t in s[:2]] == ["in", "one"] and s[2].lower_ in nouns
        ),
        None,
    )
    if first is None:
        return []
    return [
        doc[s.start : s.start + 2]
        for s in doc.sents
        if s.start > first and len(s) > 3 and [t.lower_ for t in s[:3]] == ["in", "another", ","]
    ]


def cuts_after_citations(doc: Doc, title_end: int) -> list[int]:
    """A newsletter or roundup closes each report with its own "Source:" line: with two or
    more, the text after each one but the last is another report."""
    sources = citation_lines(doc, title_end)
    sentences = list(doc.sents)
    cuts = []
    for cue, after in zip(sources, sources[1:]):
        following = next((s for s in sentences if s.start >= cue.sent.end), None)
        # stacked lines close one part
        if following is not None and following.start != after.sent.start:
            cuts.append(following.start)
    return cuts


def citation_lines(doc: Doc, title_end: int) -> list[Span]:
    """The "Source:" cues of the body, in order."""
    return [
        t
        for t in doc.spans["em_terms"]
        if t.label_ == "journal_cue"
        and t.start >= title_end
        and t.text.lower() in word_set("citation_cues")
    ]


def stacked_citations(doc: Doc, title_end: int, studies: int) -> list[Span] | None:
    """ "Source: The Lancet ...", "Source: Eurosurveillance ..." on consecutive lines after the
    last of `studies` reports: one line per report, in the order the reports came."""
    sources = citation_lines(doc, title_end)
    if studies < 2 or len(sources) != studies:
        return None
    sentence_starts = [s.start for s in doc.sents]
    positions = [sentence_starts.index(c.sent.start) for c in sources]
    return sources if positions == list(range(positions[0], positions[0] + studies)) else None


def is_in_lead(doc: Doc, span: Span, title_end: int) -> bool:
    """In the first two sentences of the body."""
    body = [s for s in doc.sents if s.start >= title_end]
    return any(sent.start <= span.start < sent.end for sent in body[:2])


def merge_leads(
    views: list[StudyView], is_study: Callable[[StudyView], bool] | None = None
) -> list[StudyView]:
    """A part without study facts of its own (a lead naming both studies) joins the next part;
    the last part, without study facts, goes on about the study before it ("The report was
    published a week later in the journal") and joins that one. `is_study`
    tells a part with study facts (default has_study)."""
    is_study = is_study or has_study
    merged: list[StudyView] = []
    carry: int | None = None
    for index, view in enumerate(views):
        if carry is not None:
            view = StudyView(view.doc, carry, view.end, view.title_end)
            carry = None
        if is_study(view):
            merged.append(view)
        elif index < len(views) - 1:
            carry = view.start
        elif merged:
            merged[-1] = replace(merged[-1], end=view.end)
        else:
            merged.append(view)
    return merged


def has_study(view: StudyView) -> bool:
    return (
        study.find_design(view, strong_only=True) is not None
        or bool(view.body_spans(EFFECTS))
        or population.find_total(view, stated_only=True) is not None
    )


def has_cued_study(view: StudyView) -> bool:
    """A part of an article that a cue splits ("In a separate study, ..."): a study when its
    text names a drug and a study of its own ("the trial"), though no design word, effect or
    enrolled total shows it (has_study). Not a part a definite cue opens ("In the second
    trial, ..."): that one goes on about studies the story has already introduced. Nor one
    that opens on research to come ("In a separate study now underway, ...")."""
    return (
        not opens_with_definite_cue(view)
        and not view.has_term_in_sentence(view.doc[view.start : view.start + 1], "future_cue")
        and bool(view.body_spans(DRUGS))
        and (
            any(study.is_study_own_term(view, t) for t in view.terms("study_word"))
            or opens_elliptically(view)
        )
    )


def opens_elliptically(view: StudyView) -> bool:
    """ "In another, ...": the study noun of "In one study" stands for this part's own."""
    return [t.lower_ for t in view.doc[view.start : view.start + 3]] == ["in", "another", ","]


def opens_with_definite_cue(view: StudyView) -> bool:
    first = view.doc[view.start].sent
    return any(t[0].lower_ == "the" and t.start < first.end for t in view.terms("second_study_cue"))


def part_is_study(split: bool) -> Callable[[StudyView], bool]:
    """The test of a part with a study: has_study, or has_cued_study where a cue split the
    article (`split`)."""
    return lambda view: has_study(view) or (split and has_cued_study(view))


def assemble_conditions(view: StudyView, lexicon: Lexicon) -> list[ConceptFact]:
    groups: dict[str, list[Span]] = {}
    for span in view.all_spans(CONDITIONS):
        if span.end <= view.title_end or view.start <= span.start < view.end:
            groups.setdefault(span.kb_id_, []).append(span)
    concepts = []
    for key, mentions in groups.items():
        entry = entry_for(lexicon, key, "condition")
        studied = any(m.end <= view.title_end or is_studied_mention(view, m) for m in mentions)
        where = provenance(view, mentions[0], 0.8)
        concepts.append(
            ConceptFact(
                where=where, name=entry.name, ids=dict(entry.ids), mentioned_only=not studied
            )
        )
    return concepts


INDICATION_GAP = 3  # "used for [congestive] heart failure": words between the cue and the condition


def is_studied_mention(view: StudyView, mention: Span) -> bool:
    """A condition named in a sentence about the study, not as another use of a drug ("a pill
    used for heart failure" in the sentence of an acne trial)."""
    if not {t.lower_ for t in mention.sent} & word_set("study_sentence_words"):
        return False
    return not any(
        0 <= mention.start - cue.end <= INDICATION_GAP
        for cue in view.sentence_terms(mention, "indication_cue")
    )


def assemble_interventions(view: StudyView, lexicon: Lexicon) -> list[InterventionFact]:
    groups, moved = drugs.merge_salt_forms(drugs.group_drug_mentions(view), lexicon)
    first_studied = drugs.pick_studied(view, groups, lexicon, {})
    dose_items = doses.drop_repeated_doses(
        [(moved.get(k, k), d) for k, d in doses.assemble_doses(view, first_studied)]
    )
    dose_counts: dict[str, int] = {}
    for key, _ in dose_items:
        dose_counts[key] = dose_counts.get(key, 0) + 1
    studied = drugs.pick_studied(view, groups, lexicon, dose_counts)
    interventions = []
    for key, mentions in groups.items():
        entry = entry_for(lexicon, key, "drug")
        role = drugs.decide_role(
            view, entry, mentions, studied=studied, dose_count=dose_counts.get(key, 0)
        )
        if role == "mentioned" and entry.is_class and entry.name in terms_of("umbrella_class"):
            # "antibiotics", "chemotherapy" named in passing are context, not drugs of the study
            continue
        its_doses = [d for k, d in dose_items if k == key]
        interventions.append(drugs.build_intervention(view, entry, mentions, role, its_doses))
    return interventions


def assemble_study(
    view: StudyView, design: DesignFact | None, interventions: list[InterventionFact]
) -> StudyFact:
    journal = study.find_journal(view)
    treatment = find_treatment_duration(interventions)
    return StudyFact(
        design=design.design if design else None,
        journal=journal.text if journal is not None else None,
        investigators=study.to_names(study.find_investigators(view)),
        country=study.find_country(view),
        follow_up=study.find_follow_up(view, treatment),
        treatment_duration=treatment,
    )


def find_treatment_duration(interventions: list[InterventionFact]) -> QuantityFact | None:
    """The duration of the first dose of a studied drug that has one."""
    for item in interventions:
        if item.role == "studied":
            for dose in item.doses:
                if dose.duration:
                    return dose.duration
    return None


def has_comparison(view: StudyView, interventions: list[InterventionFact]) -> bool:
    """The study compares arms: a comparator or placebo arm, or a result that sets one arm
    against another (an effect size, "a 38 percent reduction in deaths")."""
    return (
        any(i.role in {"comparator", "placebo"} for i in interventions)
        or any(arms.is_relative_change(view, p) for p in view.body_spans(PERCENTS))
        or bool(view.body_spans(EFFECTS))
    )


def assemble(view: StudyView, drug_lexicon: Lexicon, condition_lexicon: Lexicon) -> Assembly:
    """One study's facts, step by step in the order the steps need each other's facts: the
    drugs first (arms, groups and the treatment's length need them), then the harms (whose
    figures are no results), the results, and the groups (which are neither)."""
    interventions = assemble_interventions(view, drug_lexicon)
    total = population.find_total(view)
    total_span = total.count if total else None
    design = study.find_design(view, compared=has_comparison(view, interventions))
    single_patient = design is not None and design.design == "case_report"
    harms = adverse.assemble_adverse_events(view, single_patient=single_patient)
    counted = outcomes.assemble_count_outcomes(view, total_span, harms.values)
    total_record = population.to_total(view, total)
    age = population.find_age(view, single_patient=single_patient)
    arm_mentions = arms.find_arm_mentions(view, interventions, drug_lexicon)
    if single_patient:
        total_record = total_record or population.single_patient_total(view, design.span)
        age = age or population.find_patient_age(view)
    found_outcomes = outcomes.drop_repeated_outcomes(
        counted.outcomes
        + outcomes.assemble_percent_outcomes(view, counted.used, harms.values)
        + outcomes.assemble_effect_outcomes(view)
    )
    total_record, groups = population.lone_group_as_total(
        total_record,
        population.find_groups(
            view, total_span, results=counted.used | harms.values, interventions=interventions
        ),
    )
    return Assembly(
        study=assemble_study(view, design, interventions),
        conditions=assemble_conditions(view, condition_lexicon),
        population=PopulationFact(
            total=total_record,
            age=age,
            condition_duration=population.find_condition_duration(view),
            groups=groups,
        ),
        interventions=interventions,
        outcomes=arms.attribute_arms(view, found_outcomes, arm_mentions, interventions),
        adverse_events=arms.attribute_arms(view, harms.events, arm_mentions, interventions),
    )


def assemble_findings(
    view: StudyView, drug_lexicon: Lexicon, condition_lexicon: Lexicon
) -> Findings:
    """One study's Findings record: its facts (`assemble`), converted once (`to_findings`)."""
    return to_findings(assemble(view, drug_lexicon, condition_lexicon))
