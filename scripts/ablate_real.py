"""Ablation of the method changes for real news (issue 16): each change switched off alone, scored
on the real gold sets (plain and strict micro F1), next to the pipeline with everything on.

    .venv/bin/python scripts/ablate_real.py                 # real_dev and real_heldout
    .venv/bin/python scripts/ablate_real.py --sets real_dev --output benchmarks/results/ablation_real.md

A change is switched off by putting back the behaviour it replaced (the function it added answers
"nothing found"), in this process only; the shipped code has no switches. Held-out figures are
aggregates: read them as the judge of a change, never to pick which article to fix.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import records_for_golds
from evidence_miner.evaluate.score import score_all
from evidence_miner.extract import pipeline
from evidence_miner.extract.assemble import adverse, arms, doses, drugs, findings, outcomes, population, study
from evidence_miner.extract.components import concepts, counts, numbers, quantities
from evidence_miner.extract.components import findings as findings_component

REPO = Path(__file__).resolve().parents[1]
SETS = {name: REPO / path for name, path in json.loads((REPO / "eval" / "sets.json").read_text("utf-8"))["sets"].items()}
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"

Patch = tuple[object, str, object]


FIND_DENYING_VERB = adverse.find_denying_verb


def ORIGINAL_FIND_DENYING_VERB_NOT_ONLY(view, token, word):  # noqa: N802  (before "none reporting")
    return None if token.lower_ in ("no", "zero", "none") else FIND_DENYING_VERB(view, token, word)


def ORIGINAL_MERGE_LEADS(views, is_study=None):  # noqa: N802  (the behaviour merge_leads replaced)
    is_study = is_study or findings.has_study
    merged, carry = [], None
    for view in views:
        if carry is not None:
            view = findings.StudyView(view.doc, carry, view.end, view.title_end)
            carry = None
        if not is_study(view) and view is not views[-1]:
            carry = view.start
            continue
        merged.append(view)
    return merged


SHIPPED_CONFIG = pipeline.load_default_config


def pysbd_config():
    config = SHIPPED_CONFIG()
    names = list(config["nlp"]["pipeline"])
    names[names.index("em_sentences")] = "pysbd_sentencizer"
    config["nlp"]["pipeline"] = names
    config["components"]["pysbd_sentencizer"] = {"factory": "pysbd_sentencizer"}
    del config["components"]["em_sentences"]
    return config


ABLATIONS: dict[str, Callable[[], list[Patch]]] = {
    "count of studies reviewed/pooled names the design": lambda: [(study, "find_synthesis", lambda view: None)],
    "journal named after 'in' without a cue": lambda: [(study, "find_named_journal", lambda view: None)],
    "journal names that list fields": lambda: [(study, "with_listed_fields", lambda doc, run, stop: run)],
    "follow-up: 'followed ... for N'": lambda: [(study, "find_followed_for", lambda view: None)],
    "effects: no value after 'between' or a name": lambda: [(quantities, "names_no_value", lambda doc, term, value: False)],
    "outcomes: a single person is no result": lambda: [(outcomes, "is_single_case", lambda outcome: False)],
    "arms: a value measured against a comparator is not the comparator's": lambda: [(arms, "is_reference_arm", lambda view, arm, value: False)],
    "outcomes: the count a percentage is of is no result": lambda: [(outcomes, "is_percent_base", lambda view, count: False)],
    "design: a trial with a comparator arm is controlled (rct)": lambda: [(study, "find_compared_trial", lambda view: None)],
    "studies: 'a second, simultaneous trial' starts another study": lambda: [(findings, "find_ordinal_study_cues", lambda doc, taken: [])],
    "studies: a part a cue splits off is a study when it names a drug and its trial": lambda: [(findings, "has_cued_study", lambda view: False)],
    "numbers: 'six-month' reads as '6-month' does": lambda: [(numbers, "find_word_unit_number", lambda doc, i: None)],
    "numbers: '2.3 million' is one number (groups: no rounded subgroup)": lambda: [(numbers, "find_scaled_numeral", lambda doc, i: None)],
    "groups: a rounded figure ('4.1 million adults') is no subgroup": lambda: [(population, "is_rounded_figure", lambda count: False)],
    "counts: a dated year ('Oct. 4, 2019') counts no one": lambda: [(counts, "is_dated_year", lambda number: False)],
    "harms: 'did not experience side effects' is a zero count": lambda: [(adverse, "find_denying_verb", lambda view, token, word: None)],
    "harms: a rounded figure ('3.2 million people') is no harm's count": lambda: [(adverse, "is_rounded_count", lambda count: False)],
    "outcomes: a figure stated as a general fact ('85% of older adults develop worsening eyesight') is no result": lambda: [(outcomes, "is_general_fact", lambda view, value: False)],
    "arms: a relative change ('a 30 percent lower risk') goes to the drug as an effect size does": lambda: [(arms, "is_relative_change", lambda view, value: False)],
    "arms: a group named by its words ('the laser group') is an arm": lambda: [(arms, "find_named_group_mentions", lambda view, known: [])],
    "drugs: the drug named as what is compared with ('beats heparin', 'than heparin') is not the studied one": lambda: [(drugs, "is_compared", lambda view, mention: False)],
    "total: 'looked at 96 children' names the cohort when no enrolment word does": lambda: [(population, "has_weak_total_cue", lambda view, count: False)],
    "total: a yearly toll ('450,000 new cases ... annually') is no cohort": lambda: [(population, "is_yearly_burden", lambda count: False)],
    "studies: a closing part without a study joins the study before it": lambda: [(findings_component, "merge_leads", ORIGINAL_MERGE_LEADS)],
    "doses: what a product holds ('each tablet contains 250 mg') is no dose of the study": lambda: [(doses, "is_label_fact", lambda view, dose: False)],
    "drugs: a drug another study of the story gives is not mentioned in this one": lambda: [(findings_component, "drop_other_studies_drugs", lambda found: found)],
    "arms: a result without an arm takes the subgroup its sentence opens on ('Among men older than 50, ...')": lambda: [(arms, "subgroup_frame", lambda view, value: None)],
    "groups: a count of studies ('five clinical trials') is no group": lambda: [(population, "counts_studies", lambda count: False)],
    "total: with no total, a lone group that names no arm is the cohort": lambda: [(population, "lone_group_as_total", lambda total, groups: (total, groups))],
    "harms: 'none reporting serious or lasting side effects' is a zero count": lambda: [(adverse, "find_denying_verb", ORIGINAL_FIND_DENYING_VERB_NOT_ONLY)],
    "journal: a known name without head word after 'in' ('Nature Medicine', 'CMAJ')": lambda: [(study, "is_known_journal", lambda name: False)],
    "outcomes: most of the cohort counted again ('1,400 adults had lung tests') is no result": lambda: [(outcomes, "restates_cohort", lambda count, total: False)],
    "arms: a value takes the group it is 'of' ('8% of the open-surgery patients')": lambda: [(arms, "find_value_group_mentions", lambda view, known: [])],
    "drugs: cell and gene treatments named by their head ('injected stem cells', 'gene therapy')": lambda: [(concepts, "find_therapy_head_matches", lambda doc, matches: iter(()))],
    "outcomes: a drug named as a time ('infections after statin treatment') names no result": lambda: [(outcomes, "is_shielded", lambda view, span: False)],
    "design: a result that sets arms against each other ('a 38 percent reduction') makes the own trial controlled": lambda: [(findings, "has_comparison", lambda view, interventions: any(i.role in {"comparator", "placebo"} for i in interventions))],
    "design: only the story's own trial ('the trial', 'a new trial', a trial with its size) is controlled": lambda: [(study, "names_this_trial", lambda view, term: True)],
    "studies: 'In one study, ... In another, ...' are two studies": lambda: [(findings, "find_elliptical_study_cues", lambda doc: [])],
    "outcomes: a count after its outcome word and 'in' ('cleared in 12 of 20 patients') is its result": lambda: [(outcomes, "occurs_in", lambda view, term, count: False)],
    "groups: an arm's words end at their head ('58 received lower doses averaging 10 mg')": lambda: [(population, "up_to_arm_head", lambda words: words)],
    "journal: an organisation after a cue ('Source: National Stroke Association') is no journal": lambda: [(study, "names_organisation", lambda run: False)],
    "arms: a 'respectively' sentence without arms takes the order of the sentence before": lambda: [(arms, "respectively_arm", lambda view, value, values, known: None)],
    "arms: a value 'of those assigned to yoga' takes the arm's words": lambda: [(arms, "arm_words_after_those", lambda view, value: None)],
    "study classifier (textcat)": lambda: [(pipeline, "STUDY_MODEL_NAME", "no-such-model")],
    "sentence splitter em_sentences (off: pysbd)": lambda: [(pipeline, "load_default_config", pysbd_config)],
}


@contextmanager
def patched(patches: list[Patch]) -> Iterator[None]:
    saved = [(target, name, getattr(target, name)) for target, name, _ in patches]
    try:
        for target, name, value in patches:
            setattr(target, name, value)
        yield
    finally:
        for target, name, value in saved:
            setattr(target, name, value)


def micro_scores(folder: Path) -> tuple[float, float]:
    """Plain and strict micro F1 of a freshly built pipeline on one gold folder."""
    nlp = pipeline.build_pipeline()
    golds = find_gold_articles(folder)
    records = records_for_golds(nlp, golds, pipeline_version="ablation", fakehealth=FAKEHEALTH)
    return score_all(golds, records).micro().f1, score_all(golds, records, strict=True).micro().f1


def to_table(rows: list[tuple[str, dict[str, tuple[float, float]]]], sets: list[str]) -> str:
    head = "| pipeline | " + " | ".join(f"{s} plain | {s} strict" for s in sets) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(sets))]
    full = rows[0][1]
    for name, scores in rows:
        cells = []
        for s in sets:
            for k in (0, 1):
                delta = scores[s][k] - full[s][k]
                cells.append(f"{scores[s][k]:.3f}" + ("" if name == rows[0][0] else f" ({delta:+.3f})"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=["real_dev", "real_heldout"], choices=sorted(SETS))
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    args = parser.parse_args()
    rows = [("everything on", {s: micro_scores(SETS[s]) for s in args.sets})]
    for name, patches in ABLATIONS.items():
        with patched(patches()):
            rows.append((f"without: {name}", {s: micro_scores(SETS[s]) for s in args.sets}))
        print(rows[-1][0], {s: f"{p:.3f}/{q:.3f}" for s, (p, q) in rows[-1][1].items()}, flush=True)
    table = to_table(rows, args.sets)
    print(table)
    if args.output:
        intro = ("Each method change for real news switched off alone (scripts/ablate_real.py); micro F1, "
                 "plain and strict, with the change from the full pipeline in brackets. Held-out: aggregate only.\n\n")
        args.output.write_text("# Ablation on real news (FakeHealth gold)\n\n" + intro + table, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
