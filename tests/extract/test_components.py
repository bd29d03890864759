"""The extraction components on sentences written for these tests (not from any corpus article)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_miner.extract.extensions import COUNTS, DOSES, DURATIONS, EFFECTS, NUMBERS
from evidence_miner.extract.pipeline import extract_article
from evidence_miner.records import Page


def findings_of(nlp, text: str):
    article = extract_article(nlp, Page(url="file:///t.txt", text=text))
    return article.findings


def test_numbers_find_words_separators_and_hyphenated_units(nlp) -> None:
    doc = nlp("Nineteen patients and 1,580 adults took a 2.4-mg dose; twenty-two withdrew.")
    found = [(s.text, s._.em_value, s._.em_unit) for s in doc.spans[NUMBERS]]
    assert ("Nineteen", 19, None) in found
    assert ("1,580", 1580, None) in found
    assert ("2.4-mg", 2.4, "mg") in found
    assert ("twenty-two", 22, None) in found


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Each received 2 g/kg monthly.", (2, None, None, "g/kg")),
        ("Doses rose from 1.5 to 2 mg.", (None, 1.5, 2, "mg")),
        ("Carboplatin was dosed at AUC 5.", (5, None, None, "AUC")),
        ("Paclitaxel 175 mg/m² was given.", (175, None, None, "mg/m²")),
        ("They took a 0.25 mg tablet.", (0.25, None, None, "mg")),
    ],
)
def test_quantities_find_doses(nlp, text: str, expected: tuple) -> None:
    doc = nlp(text)
    doses = doc.spans[DOSES]
    assert [(d._.em_value, d._.em_low, d._.em_high, d._.em_unit) for d in doses] == [expected]


def test_quantities_find_effect_with_interval_and_p(nlp) -> None:
    doc = nlp("The hazard ratio for death was 0.74 (95% CI, 0.61 to 0.89; P = .002).")
    effects = doc.spans[EFFECTS]
    assert len(effects) == 1
    effect = effects[0]
    assert (effect.kb_id_, effect._.em_value, effect._.em_low, effect._.em_high, effect._.em_p) == ("HR", 0.74, 0.61, 0.89, 0.002)


def test_quantities_or_as_a_conjunction_is_no_effect(nlp) -> None:
    doc = nlp("Patients took 5 or 10 mg or nothing at all.")
    assert not doc.spans[EFFECTS]


@pytest.mark.parametrize(
    "text,value,of,label",
    [
        ("Only three of 11 patients with lupus nephritis responded.", 3, 11, "lupus nephritis"),
        ("All six with psoriatic arthritis improved.", 6, 6, "psoriatic arthritis"),
        ("The only participant who smoked relapsed.", 1, 1, "smoked"),
    ],
)
def test_counts_find_denominators_and_labels(nlp, text: str, value: int, of: int, label: str) -> None:
    doc = nlp(text)
    counts = doc.spans[COUNTS]
    assert [(c._.em_value, c._.em_of, c._.em_label) for c in counts] == [(value, of, label)]


def test_counts_skip_numbers_inside_doses_and_durations(nlp) -> None:
    doc = nlp("Over 12 weeks, 40 patients took 20 mg.")
    counts = doc.spans[COUNTS]
    assert [c._.em_value for c in counts] == [40]


def test_findings_split_regimens_by_arm(nlp) -> None:
    text = (
        "Rituximab for vasculitis\n\n"
        "In a retrospective study of 18 patients, participants received rituximab (375 mg/m2) "
        "weekly (11 patients) or every 2 weeks (7 patients) for a median of 4 weeks.\n"
    )
    [findings] = findings_of(nlp, text)
    [rituximab] = [i for i in findings.interventions if i.name == "rituximab"]
    assert {(d.value, d.frequency, d.group_n) for d in rituximab.doses} == {(375, "weekly", 11), (375, "every 2 weeks", 7)}
    assert findings.population.total.value == 18
    assert sorted(g.n for g in findings.population.groups) == [7, 11]


def test_findings_from_to_dose_change_keeps_drug_and_frequency(nlp) -> None:
    text = (
        "Methotrexate tapering study\n\n"
        "In a prospective cohort of 52 adults with rheumatoid arthritis, 30 of 52 patients were able "
        "to lower their methotrexate dose from 20 mg weekly before the study to 10 mg at one year.\n"
    )
    [findings] = findings_of(nlp, text)
    [mtx] = [i for i in findings.interventions if i.name == "methotrexate"]
    assert {(d.value, d.when, d.frequency) for d in mtx.doses} == {(20, "before", "weekly"), (10, "after", "weekly")}


def test_findings_design_prefers_meta_analysis_over_trials_it_pools(nlp) -> None:
    text = "Aspirin review\n\nA meta-analysis of 12 randomized trials involving 9,400 adults found that aspirin lowered risk (RR 0.82; 95% CI, 0.70-0.96).\n"
    [findings] = findings_of(nlp, text)
    assert findings.study.design == "meta_analysis"
    assert findings.population.total.value == 9400
    assert findings.outcomes[0].effect.type == "RR"


def test_findings_journal_and_investigators_without_outside_expert(nlp) -> None:
    text = (
        "Statin trial\n\n"
        "The randomized trial of 240 adults was published in JAMA Network Open. "
        "Dr. Amelia Hart of Lakeside University led the study. "
        '"It is a solid result," said Dr. Omar Reyes, a cardiologist who was not involved in the study.\n'
    )
    [findings] = findings_of(nlp, text)
    assert findings.study.journal == "JAMA Network Open"
    assert findings.study.investigators == ["Amelia Hart"]


def test_findings_story_without_a_study_gives_none(nlp) -> None:
    text = (
        "Lawmakers weigh insulin price cap\n\n"
        "A bill in the state senate would cap insulin at $35 a month. "
        "Supporters say one in four patients rations the drug.\n"
    )
    article = extract_article(nlp, Page(url="file:///p.txt", text=text))
    assert article.findings == [] and article.no_study_reason


def test_findings_no_serious_adverse_events_is_a_zero_count(nlp) -> None:
    text = "Trial\n\nIn a randomized trial of 90 adults given apixaban, there were no serious adverse events.\n"
    [findings] = findings_of(nlp, text)
    assert [(e.count, e.serious) for e in findings.adverse_events] == [(0, True)]


@pytest.mark.parametrize(
    "sentence,sizes",
    [
        ("In the randomized trial, 400 adults were assigned to apixaban (n = 201) or placebo (n = 199).", [199, 201]),
        ("Of the 1,200 participants in the randomized trial, 602 received metformin and 598 received placebo.", [598, 602]),
        ("The randomized trial enrolled 300 adults; the metformin group included 152 patients and the placebo group 148.", [148, 152]),
        ("In the randomized trial of 240 adults, patients were split into two arms: 121 who received aspirin and 119 who received placebo.", [119, 121]),
    ],
)
def test_findings_arm_sizes_in_common_phrasings(nlp, sentence: str, sizes: list[int]) -> None:
    [findings] = findings_of(nlp, "Trial news\n\n" + sentence + "\n")
    assert sorted(g.n for g in findings.population.groups) == sizes


@pytest.mark.parametrize(
    "sentence,total",
    [
        ("The randomized trial included 1,240 patients with asthma.", 1240),
        ("A total of 812 patients took part in the randomized trial.", 812),
        ("The randomized trial, involving nearly 3,000 people, ran for two years.", 3000),
        ("Of 5,000 patients screened for the randomized trial, 1,200 were enrolled.", 1200),
    ],
)
def test_findings_total_in_common_phrasings(nlp, sentence: str, total: int) -> None:
    [findings] = findings_of(nlp, "Trial news\n\n" + sentence + "\n")
    assert findings.population.total.value == total


def test_findings_adverse_event_list_with_percents(nlp) -> None:
    text = ("Trial news\n\nIn the randomized trial of 300 adults given sertraline, the most common side effects "
            "were nausea (12%), diarrhea (8%) and headache (5%). Three patients discontinued because of rash.\n")
    [findings] = findings_of(nlp, text)
    events = {(e.name, e.count, e.percent, e.led_to_discontinuation) for e in findings.adverse_events}
    assert events == {("nausea", None, 12, None), ("diarrhea", None, 8, None), ("headache", None, 5, None), ("rash", 3, None, True)}


def test_findings_words_of_two_term_kinds_keep_their_own_values(nlp) -> None:
    """"mice" is a design word (animal) and a population noun: neither value may leak into the other."""
    text = "Mouse study\n\nIn an experiment, 40 mice received lithium chloride 40 mg/kg daily; 12 mice died.\n"
    [findings] = findings_of(nlp, text)
    assert findings.study.design == "animal"
    assert findings.population.total.value == 40


@pytest.mark.parametrize(
    "text,negated",
    [
        ("Patients did not develop nausea during treatment.", {"nausea"}),
        ("There was no serious infection in either group.", {"infection"}),
        # a cue far from the event, or in another clause, negates nothing
        ("Pain did not improve with the drug, but nausea was common.", set()),
        ("Nobody expected it; vomiting occurred in 12 patients.", set()),
        ("Rates of rash did not differ between the groups versus placebo.", set()),
    ],
)
def test_negation_marks_only_nearby_targets(nlp, text: str, negated: set[str]) -> None:
    from evidence_miner.extract.components.negation import index_scopes, scopes_around
    from evidence_miner.extract.extensions import NEGATED

    def negation_scopes_of(doc, span):
        return scopes_around(index_scopes(doc.spans.get(NEGATED, [])), span)
    from evidence_miner.extract.components.terms import TERMS

    doc = nlp(text)
    events = [s for s in doc.spans[TERMS] if s.label_ == "adverse_event"]
    assert events, "the test sentences must name an adverse event the term list knows"
    assert {e.text for e in events if negation_scopes_of(doc, e)} == negated


def test_negated_outcome_has_no_direction(nlp) -> None:
    findings = findings_of(
        nlp,
        "Arthritis trial\n\nIn the randomized trial, 210 adults received methotrexate or placebo. "
        "Methotrexate did not improve fatigue scores (mean difference, -0.4; 95% CI, -1.1 to 0.3).",
    )
    directions = [o.direction for f in findings for o in f.outcomes if o.effect is not None]
    assert directions and "improved" not in directions


@pytest.mark.parametrize("minus", ["-", "\u2212"])
def test_negative_effect_values_and_intervals(nlp, minus: str) -> None:
    doc = nlp(f"Scores fell (mean difference, {minus}0.4; 95% CI, {minus}1.1 to 0.3).")
    effects = [(e.kb_id_, e._.em_value, e._.em_low, e._.em_high) for e in doc.spans[EFFECTS]]
    assert effects == [("MD", -0.4, -1.1, 0.3)]


def test_negative_numbers_are_never_counts_or_doses(nlp) -> None:
    doc = nlp("Weight changed by -12 patients and -5 mg in the group of 40 patients.")
    assert all(c._.em_value >= 0 for c in doc.spans[COUNTS])
    assert not doc.spans[DOSES]


@pytest.mark.parametrize(
    "text,expected",
    [
        # a combination the lexicon knows (Entresto) and one it does not: one intervention each
        ("All took sacubitril/valsartan daily.", {"sacubitril/valsartan"}),
        ("Patients received bevacizumab/irinotecan every two weeks.", {"bevacizumab/irinotecan"}),
        # a hyphenated word with one drug in it is no combination
        ("Lithium-induced tremor was rare.", set()),
    ],
)
def test_drugs_fixed_dose_combinations_are_one_mention(nlp, text: str, expected: set[str]) -> None:
    from evidence_miner.extract.extensions import DRUGS

    doc = nlp(text)
    found = {d.text for d in doc.spans[DRUGS] if "/" in d.text or "-" in d.text}
    assert found == expected


def test_drug_names_as_targets_or_measurements_are_no_interventions(nlp) -> None:
    findings = findings_of(
        nlp,
        "Trial of sertraline\n\nIn the randomized trial, 300 adults took sertraline 50 mg daily. "
        "The drug acts on serotonin and norepinephrine, and serotonin levels were measured. "
        "Strains resistant to tetracycline were rare.",
    )
    names = {i.name for f in findings for i in f.interventions}
    assert "sertraline" in names
    assert not names & {"serotonin", "norepinephrine", "tetracycline"}


def test_a_placebo_gets_no_amount(nlp) -> None:
    findings = findings_of(
        nlp,
        "Infusion trial\n\nIn the randomized trial, 40 adults received infliximab or placebo. "
        "Cohorts got 2 mg/kg or matching placebo, then 6 mg/kg or placebo.",
    )
    doses = {(i.name, d.value) for f in findings for i in f.interventions for d in i.doses}
    assert doses == {("infliximab", 2.0), ("infliximab", 6.0)}


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Parents were telephoned 10 days after the visit.", (10, "day")),
        ("Patients injected dupilumab 300 mg once weekly for 16 weeks.", (16, "week")),
        ("At Week 12, scores had improved; at Week 36 they had not.", (36, "week")),
        ("The drug was infused over 30 minutes.", None),
    ],
)
def test_follow_up_from_contacts_treatment_length_and_assessment_weeks(nlp, sentence: str, expected) -> None:
    from evidence_miner.normalise.article import normalise_article

    text = f"Eczema trial\n\nIn the randomized trial, 120 adults received dupilumab 300 mg or placebo. {sentence}"
    article = extract_article(nlp, Page(url="file:///t.txt", text=text))
    records = normalise_article(article, pipeline_version="test")
    follow_up = records[0].study.follow_up
    assert (None if follow_up is None else (follow_up.value, follow_up.unit)) == expected


@pytest.mark.parametrize(
    "sentences,expected",
    [
        # a set broken down by a trait: its parts are subgroups
        ("Of the 640 patients who had used the drug, 400 had taken it for a year and 240 had not.", {640, 400, 240}),
        # results in a breakdown are outcomes, not subgroups (the set broken down is one)
        ("Of the 640 patients, 400 improved and 240 had no response.", {640}),
        # one size for every arm
        ("That left 1,200 patients in each group.", {1200}),
        # group nouns and definite references
        ("They matched 300 cases with 900 controls. Among the 150 without diabetes, risk was lower.", {300, 900, 150}),
        # a source population larger than the cohort is no subgroup
        ("Of 50,000 adults aged 40 or older, 2,400 were included.", set()),
    ],
)
def test_groups_from_breakdowns_arms_and_group_nouns(nlp, sentences: str, expected: set[int]) -> None:
    text = (
        "Cohort study\n\nIn the cohort study, 2,400 adults took naproxen or ibuprofen; the researchers "
        f"compared the two drugs. {sentences}"
    )
    groups = {g.n for f in findings_of(nlp, text) for g in f.population.groups}
    assert expected <= groups
    assert not groups - expected - {2400}


def test_plural_effect_terms_with_parallel_values(nlp) -> None:
    doc = nlp("Across the strata, adjusted ORs were 1.09 (95% CI, 0.94-1.26), 1.27 (95% CI, 1.06-1.52) and 1.46 (95% CI, 1.20-1.78).")
    assert [(e.kb_id_, e._.em_value) for e in doc.spans[EFFECTS]] == [("OR", 1.09), ("OR", 1.27), ("OR", 1.46)]


def test_rates_per_person_years_are_no_counts(nlp) -> None:
    doc = nlp("There were 12.1 events per 1,000 person-years among 4,000 users.")
    assert [c._.em_value for c in doc.spans[COUNTS]] == [4000]


@pytest.mark.parametrize(
    "text,design",
    [
        ("Because this was not a randomized trial, the team used claims data from 9,000 adults.", "retrospective"),
        ("Unlike an earlier randomized trial, the prospective, single-arm study enrolled 80 adults.", "prospective_cohort"),
        ("The researchers ran a single round of blood tests in 1,000 adults.", "cross_sectional"),
    ],
)
def test_design_skips_negated_and_other_studies_designs(nlp, text: str, design: str) -> None:
    findings = findings_of(nlp, f"Heart study\n\n{text} Those on aspirin had fewer strokes (odds ratio, 0.7; 95% CI, 0.5 to 0.9).")
    assert [f.study.design for f in findings] == [design]


def test_a_roundup_with_two_source_lines_gives_two_records(nlp) -> None:
    text = (
        "This week in cardiology\n\n"
        "In a randomized trial of 300 adults, colchicine cut strokes (hazard ratio, 0.71; 95% CI, 0.55 to 0.92).\n\n"
        "Source: Stroke Research Letters.\n\n"
        "In a retrospective study of 5,000 adults, users of apixaban had fewer bleeds than users of warfarin "
        "(hazard ratio, 0.62; 95% CI, 0.50 to 0.77).\n\n"
        "Source: Thrombosis Reports."
    )
    findings = findings_of(nlp, text)
    assert [(f.study.design, f.population.total.value) for f in findings] == [("rct", 300), ("retrospective", 5000)]


def test_broad_classes_named_in_passing_are_left_out(nlp) -> None:
    findings = findings_of(
        nlp,
        "Sinusitis trial\n\nIn the randomized trial, 200 adults took amoxicillin 500 mg or placebo. "
        "Doctors often prescribe antibiotics for colds, the authors noted.",
    )
    names = {i.name for f in findings for i in f.interventions}
    assert "amoxicillin" in names and "antibiotics" not in names


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The most common side effects were constipation (18 patients) and muscle cramps (11 patients).",
         [("constipation", 18, None), ("muscle cramps", 11, None)]),
        ("Serious adverse events were similar, at 4% in each group.",
         [("serious adverse events", None, 4.0), ("serious adverse events", None, 4.0)]),
        ("No opportunistic infections were reported.", [("opportunistic infections", 0, None)]),
    ],
)
def test_adverse_events_in_brackets_each_arm_and_none(nlp, sentence: str, expected: list) -> None:
    text = f"Migraine trial\n\nIn the randomized trial, 600 adults received erenumab 70 mg or placebo. {sentence}"
    events = [(e.name, e.count, e.percent) for f in findings_of(nlp, text) for e in f.adverse_events]
    assert events == expected


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("A total of 412 patients were in the dupilumab arm and 409 in the placebo arm.", {412, 409}),
        ("Among 310 children younger than 12, results were similar.", {310}),
        ("Forty-two patients received the low dose.", {42}),
        # a result in an arm is no group size
        ("Nausea occurred in 61 patients in the dupilumab arm.", set()),
    ],
)
def test_groups_named_by_arm_phrases(nlp, sentence: str, expected: set[int]) -> None:
    text = f"Asthma trial\n\nIn the randomized trial, 900 adults were enrolled. {sentence}"
    assert {g.n for f in findings_of(nlp, text) for g in f.population.groups} == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Doses were 50 and 100 mg.", [(50, None, None), (100, None, None)]),
        ("Doses were between 50 and 100 mg.", [(None, 50, 100)]),
        ("Cohorts got 3, 6 or 12 mg/kg.", [(3, None, None), (6, None, None), (12, None, None)]),
        ("Doses rose from 1.5 to 2 mg.", [(None, 1.5, 2)]),
    ],
)
def test_listed_doses_share_their_unit(nlp, text: str, expected: list) -> None:
    doc = nlp(text)
    assert [(d._.em_value, d._.em_low, d._.em_high) for d in doc.spans[DOSES]] == expected


def test_combination_strengths_are_two_doses(nlp) -> None:
    doc = nlp("Patients took amlodipine/benazepril 10 mg/20 mg daily.")
    assert [(d._.em_value, d._.em_unit) for d in doc.spans[DOSES]] == [(10, "mg"), (20, "mg")]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The 52 rats were divided into groups of 10, 14, 14 and 14.", [10, 14, 14, 14]),
        ("Forty-eight mice were split into four groups of 12.", [12, 12, 12, 12]),
    ],
)
def test_equal_groups_of_animals(nlp, sentence: str, expected: list[int]) -> None:
    text = f"Sepsis in rats\n\nIn the animal study, the researchers gave metformin 100 mg/kg. {sentence}"
    assert sorted(g.n for f in findings_of(nlp, text) for g in f.population.groups) == sorted(expected)


def test_a_value_with_its_own_interval_inherits_the_effect_type(nlp) -> None:
    doc = nlp("The hazard ratio was 1.41 (95% CI, 1.17 to 1.70). Among the others, the estimate was 1.11 (95% CI, 0.93 to 1.33).")
    assert [(e.kb_id_, e._.em_value, e._.em_low) for e in doc.spans[EFFECTS]] == [("HR", 1.41, 1.17), ("HR", 1.11, 0.93)]


@pytest.mark.parametrize(
    "text,design",
    [
        ("In a crossover trial, 60 adults took the drug and placebo in random order.", "rct"),
        ("Doctors described a 70-year-old woman who developed hepatitis after starting aspirin.", "case_report"),
        ("The team followed 9,874 adults for a median of 8 years.", "prospective_cohort"),
        ("Researchers surveyed 2,000 nurses about their use of aspirin.", "cross_sectional"),
    ],
)
def test_design_from_weaker_cues(nlp, text: str, design: str) -> None:
    findings = findings_of(nlp, f"Drug study\n\n{text} Aspirin users had fewer strokes (hazard ratio, 0.8; 95% CI, 0.7 to 0.9).")
    assert [f.study.design for f in findings] == [design]


def test_weak_design_cues_alone_make_no_study(nlp) -> None:
    text = "Five sleep tips\n\nWe surveyed our readers and followed up on their questions. Try melatonin 1 mg before bed."
    assert findings_of(nlp, text) == []


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Events were counted over a median of 3.1 years.", (3.1, "year", "median")),
        ("At the 6-month visit, scores were lower.", (6, "month", None)),
        ("Patients were followed until death or 5 years.", (5, "year", None)),
    ],
)
def test_follow_up_from_observation_periods(nlp, sentence: str, expected: tuple) -> None:
    from evidence_miner.normalise.article import normalise_article

    text = f"Asthma trial\n\nIn the randomized trial, 300 adults received dupilumab or placebo. {sentence}"
    follow_up = normalise_article(extract_article(nlp, Page(url="file:///t.txt", text=text)), pipeline_version="t")[0].study.follow_up
    assert (follow_up.value, follow_up.unit, follow_up.stat) == expected


def test_conditions_the_harm_list_lacks_count_where_harms_are_named(nlp) -> None:
    text = "Migraine trial\n\nIn the randomized trial, 600 adults received erenumab 70 mg or placebo. Adverse events included gout in 4 patients and psoriasis in 2."
    events = [(e.name, e.count) for f in findings_of(nlp, text) for e in f.adverse_events]
    assert events == [("gout", 4), ("psoriasis", 2)]


def test_a_bracketed_percent_closes_its_count(nlp) -> None:
    text = ("Flu trial\n\nIn the randomized trial, 10,000 residents got a high-dose or standard vaccine. "
            "Hospitalization occurred in 287 residents of high-dose homes (5.6%) and 339 residents of standard-dose homes (6.8%).")
    outcomes = [(o.count, o.percent) for f in findings_of(nlp, text) for o in f.outcomes]
    assert outcomes == [(287, 5.6), (339, 6.8)]


def test_a_harm_named_after_the_copula(nlp) -> None:
    text = ("Autism trial\n\nIn the randomized trial, 200 children received bumetanide or placebo. The most common side "
            "effect was increased urination, reported by 30% of children on the drug and 5% on placebo.")
    events = [(e.name, e.percent) for f in findings_of(nlp, text) for e in f.adverse_events]
    assert events == [("increased urination", 30.0), ("increased urination", 5.0)]


def test_no_deaths_is_a_zero_count_harm(nlp) -> None:
    text = "Iron trial\n\nIn the randomized trial, 824 women received iron infusions or tablets. There were no maternal deaths."
    assert [(e.name, e.count) for f in findings_of(nlp, text) for e in f.adverse_events] == [("maternal deaths", 0)]


def test_stacked_source_lines_give_each_report_its_journal(nlp) -> None:
    text = (
        "Two heart studies\n\n"
        "In a randomized trial, 300 adults took colchicine or placebo, and strokes fell (hazard ratio, 0.71; 95% CI, 0.55 to 0.92).\n\n"
        "The second study used a national registry. Of the 5,000 adults in it, 1,200 took apixaban; "
        "bleeding was less common (hazard ratio, 0.62; 95% CI, 0.50 to 0.77).\n\n"
        "Source: Stroke Research Letters, March 2025.\n"
        "Source: Thrombosis Reports, March 2025."
    )
    findings = findings_of(nlp, text)
    assert [(f.study.design, f.study.journal, f.population.total.value) for f in findings] == [
        ("rct", "Stroke Research Letters", 300), ("retrospective", "Thrombosis Reports", 5000)]


@pytest.mark.parametrize("dash", ["\u2013", "\u2014"])
def test_intervals_written_with_en_and_em_dashes(nlp, dash: str) -> None:
    doc = nlp(f"The odds ratio was 2.71 (95% CI, 1.92{dash}3.80).")
    assert [(e._.em_value, e._.em_low, e._.em_high) for e in doc.spans[EFFECTS]] == [(2.71, 1.92, 3.8)]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Another 38 remained at 5 mg and 17 at 2.5 mg.", {38, 17}),
        ("Only 5 of the 12 mice that received cisplatin survived.", {12}),
    ],
)
def test_groups_at_dose_levels_and_relative_clauses(nlp, sentence: str, expected: set[int]) -> None:
    text = f"Titration study\n\nIn the prospective cohort study, 900 adults took vericiguat. {sentence}"
    assert {g.n for f in findings_of(nlp, text) for g in f.population.groups} == expected


def test_a_harm_named_before_an_apposition(nlp) -> None:
    text = ("TB study\n\nIn the retrospective study, 3,000 adults took rifapentine or rifampin. Flu-like reactions, the "
            "best-known side effect of rifapentine, occurred in 3.1% of the rifapentine group and 1.2% of the rifampin group.")
    events = [(e.name, e.percent) for f in findings_of(nlp, text) for e in f.adverse_events]
    assert events == [("flu-like reactions", 3.1), ("flu-like reactions", 1.2)]


def test_drugs_grant_numbers_in_a_funding_sentence_are_no_drugs(nlp) -> None:
    text = (
        "Statin trial\n\n"
        "In a randomized trial of 300 adults, rosuvastatin lowered LDL cholesterol by 40% (P<0.001). "
        "The study was supported by NIH grants HL098102 and TR001082.\n"
    )
    [findings] = findings_of(nlp, text)
    names = [i.name for i in findings.interventions]
    assert "rosuvastatin" in names and not any(n.startswith(("hl0", "tr0")) for n in names)


@pytest.mark.parametrize(
    "text,design",
    [
        ("Patients got drug X or a placebo for 12 weeks; drug X cut pain by 30%.", "rct"),
        ("In a phase 3 trial, drug X cut pain by 30% (hazard ratio, 0.7).", "rct"),
        ("In a case-control study, people taking drug X had 30% less pain than those given a placebo.", "case_control"),
        ("A retrospective chart review found drug X users had 30% less pain (hazard ratio, 0.7).", "retrospective"),
    ],
)
def test_design_controlled_trial_cues_name_an_rct_only_where_no_stronger_word_does(nlp, text: str, design: str) -> None:
    findings = findings_of(nlp, f"Pain study\n\n{text} The trial enrolled 200 adults.")
    assert [f.study.design for f in findings] == [design]


@pytest.mark.parametrize(
    "sentence,value",
    [
        ("The randomized trial enrolled 300 adults over age 50; their mean age was 63.", 63),
        ("The randomized trial enrolled 300 adults over age 50.", None),
        ("The randomized trial enrolled 300 children, who were followed until age 4.", None),
    ],
)
def test_age_lone_threshold_is_no_cohort_age(nlp, sentence: str, value: float | None) -> None:
    [findings] = findings_of(nlp, f"Vitamin D trial\n\n{sentence} Vitamin D cut falls by 20% (hazard ratio, 0.8).")
    age = findings.population.age
    assert (age.value if age else None) == value


def test_findings_press_release_label_text_is_no_result(nlp) -> None:
    text = (
        "Drug X succeeds in heart trial\n\n"
        "In a randomized trial of 2,000 adults, drug X cut heart attacks by 20% (hazard ratio, 0.80).\n\n"
        "Important U.S. Safety Information\n\n"
        "The most common adverse reactions were nausea (4.2%) and back pain (3.1%).\n\n"
        "Forward-Looking Statements\n\n"
        "This release contains statements about 12 future trials.\n"
    )
    [findings] = findings_of(nlp, text)
    assert findings.adverse_events == []
    assert [o.effect.value for o in findings.outcomes if o.effect] == [0.8]


@pytest.mark.parametrize(
    "sentence,journal",
    [
        ("The study was published online Oct. 1 in The Lancet.", "The Lancet"),
        ("The research, published today (Thursday) in The Lancet Oncology, is the largest yet.", "The Lancet Oncology"),
        ("It is scheduled for the July 7 issue of the Journal of Alzheimer's Disease.", "Journal of Alzheimer's Disease"),
        ("The paper came out online Jan. 9 in the journal JACC: Basic to Translational Science.", "JACC: Basic to Translational Science"),
    ],
)
def test_journal_after_dates_parentheses_and_inside_names(nlp, sentence: str, journal: str) -> None:
    [findings] = findings_of(nlp, f"Drug trial\n\nIn a randomized trial of 300 adults, apixaban cut strokes by 21% (hazard ratio, 0.79). {sentence}\n")
    assert findings.study.journal == journal


@pytest.mark.parametrize(
    "sentence,counts",
    [
        ("About 22,000 new cases are diagnosed each year in the U.S.", []),
        ("The disease kills 11,000 people a year.", []),
        ("After a year, 12 patients had relapsed.", [12]),
    ],
)
def test_outcomes_a_diseases_yearly_toll_is_background(nlp, sentence: str, counts: list[int]) -> None:
    text = f"Drug trial\n\nIn a randomized trial of 300 adults, drug X cut relapses by 21% (hazard ratio, 0.79). {sentence}\n"
    [findings] = findings_of(nlp, text)
    assert [o.count for o in findings.outcomes if o.count is not None] == counts


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The 12-week, phase 2 clinical trial was run at 33 sites.", (12, "week")),
        ("Families used the drug as needed over a 48-week period.", (48, "week")),
        ("Relapse was rarer during the study (80 weeks) on the drug.", (80, "week")),
    ],
)
def test_follow_up_length_of_the_study(nlp, sentence: str, expected: tuple) -> None:
    text = f"Drug trial\n\nIn a randomized trial of 300 adults, drug X cut relapses by 21% (hazard ratio, 0.79). {sentence}\n"
    [findings] = findings_of(nlp, text)
    follow_up = findings.study.follow_up  # the unit is read from its text by normalise
    assert (follow_up.value, expected[1] in follow_up.text) == (expected[0], True)


@pytest.mark.parametrize(
    "text",
    [
        "No difference emerged between Groups 2 and 3 in heart attacks.",
        "There was little difference between the two drugs.",
        "Patients were treated at MD Anderson between June 2017 and May 2018.",
    ],
)
def test_effect_words_before_what_is_compared_or_a_name_take_no_value(nlp, text: str) -> None:
    doc = nlp(text)
    assert [e.text for e in doc.spans[EFFECTS]] == []


def test_effect_word_with_its_value_is_still_an_effect(nlp) -> None:
    doc = nlp("The mean difference was 2.4 points.")
    assert [(e.kb_id_, e._.em_value) for e in doc.spans[EFFECTS]] == [("MD", 2.4)]


@pytest.mark.parametrize("token", ["twenty-two", "Nineteen", "half", "dozen", "two-thirds", "mg", "22", "one-year-old", "per-protocol"])
def test_is_number_token_reads_the_part_before_a_hyphen_once_per_text(token: str) -> None:
    from evidence_miner.extract.components.numbers import is_number_token
    from evidence_miner.numbers import is_number_word

    lower = token.lower()
    assert is_number_token(lower) == is_number_word(lower.split("-")[0])
    hits = is_number_token.cache_info().hits
    assert is_number_token(lower) == is_number_word(lower.split("-")[0])
    assert is_number_token.cache_info().hits == hits + 1


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 6: "six", 12: "twelve", 18: "eighteen", 24: "twenty-four", 52: "fifty-two"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(NUMBER_WORDS)), st.sampled_from(["day", "week", "month", "year"]), st.booleans())
def test_spelled_hyphenated_durations_read_as_their_digit_forms(nlp, value: int, unit: str, capital: bool) -> None:
    """ "six-month" is the duration "6-month" is: the same value and unit."""
    word = NUMBER_WORDS[value].capitalize() if capital else NUMBER_WORDS[value]
    doc = nlp(f"{word}-{unit} results were similar to {value}-{unit} results.")
    found = [(d._.em_value, d._.em_unit) for d in doc.spans[DURATIONS]]
    assert found == [(value, unit), (value, unit)]


@pytest.mark.parametrize("word", ["one-third", "two-fold", "half-life", "one-sided"])
def test_hyphenated_number_words_without_a_unit_are_no_durations(nlp, word: str) -> None:
    assert list(nlp(f"The {word} estimate held.").spans[DURATIONS]) == []


def test_a_cue_with_modifiers_starts_another_study(nlp) -> None:
    text = (
        "Asthma drug trials\n\n"
        "In a randomized trial, 400 adults took dupilumab 300 mg or placebo. "
        "Attacks fell 40% (hazard ratio, 0.6; 95% CI, 0.5 to 0.8).\n\n"
        "In a second, simultaneous trial, 200 adults took tezepelumab or placebo, and the trial found fewer attacks.\n\n"
        "A separate trial, now underway, will examine mepolizumab in children."
    )
    findings = findings_of(nlp, text)
    assert [sorted(i.name for i in f.interventions if i.role == "studied") for f in findings] == [["dupilumab"], ["tezepelumab"]]


def test_in_one_study_then_in_another_are_two_studies(nlp) -> None:
    text = (
        "Migraine shots hold up\n\n"
        "A monthly shot eases migraine, two reports say. In one study, erenumab beat a placebo in 300 adults. "
        "In another, erenumab did as well as daily topiramate tablets. Both appear in a neurology journal."
    )
    findings = findings_of(nlp, text)
    assert [sorted(i.name for i in f.interventions) for f in findings] == [
        ["erenumab", "placebo"],
        ["erenumab", "topiramate"],
    ]


def test_a_part_the_second_trial_opens_is_no_study_of_its_own(nlp) -> None:
    text = (
        "Colitis drug\n\n"
        "A new report of two trials finds that tofacitinib 10 mg brought remission (odds ratio, 2.1; 95% CI, 1.4 to 3.0).\n\n"
        "In the second trial, remission came with tofacitinib, and the trial saw more infections."
    )
    assert len(findings_of(nlp, text)) == 1


def test_a_trial_with_a_comparator_arm_is_controlled(nlp) -> None:
    text = (
        "Melanoma drug\n\n"
        "People on tirzepatide lost 14 percent more weight than people on semaglutide, "
        "according to the trial of 751 adults."
    )
    findings = findings_of(nlp, text)
    assert [f.study.design for f in findings] == ["rct"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.decimals(min_value="0.1", max_value="999", places=1), st.sampled_from([("thousand", 10**3), ("million", 10**6), ("billion", 10**9)]))
def test_digits_with_a_scale_word_are_one_number(nlp, digits, scale) -> None:
    word, factor = scale
    doc = nlp(f"It affects about {digits} {word} people worldwide.")
    assert [(n.text, n._.em_value) for n in doc.spans[NUMBERS]] == [(f"{digits} {word}", pytest.approx(float(digits) * factor))]


@pytest.mark.parametrize("dateline", ["DENVER, Oct. 4, 2019 - heart patients", "Since March 2018 patients"])
def test_a_dated_year_counts_no_one(nlp, dateline: str) -> None:
    doc = nlp(f"{dateline} given the drug had fewer strokes.")
    assert [c.text for c in doc.spans[COUNTS]] == []


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("The 4.1 million adults taking statins in Norway often mention sore muscles.", []),
        ("The trial compared the vaccine group (1.2 million children) with the placebo group (1.1 million children).", [1_100_000, 1_200_000]),
    ],
)
def test_a_rounded_population_figure_is_no_subgroup_but_a_named_arm_keeps_it(nlp, sentence: str, expected: list) -> None:
    text = f"Statin trial\n\nIn the randomized trial, adults took rosuvastatin or placebo; strokes fell 30% (hazard ratio, 0.7; 95% CI, 0.6 to 0.8). {sentence}"
    [findings] = findings_of(nlp, text)
    assert sorted(g.n for g in findings.population.groups) == expected


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Those on the tablets did not experience notable skin-related side effects.", [("notable skin-related side effects", 0)]),
        ("The drug did not cause any side effects.", [("side effects", 0)]),
        ("No new safety issues were observed.", [("new safety issues", 0)]),
        ("Patients did not have to stop for side effects.", []),
        ("The doctors did not report whether side effects occurred.", []),
        ("The pill causes few side effects and is taken by some 3.2 million people in Europe.", []),
        ("The tablets were well tolerated, with none reporting serious or lasting side effects.", [("serious or lasting side effects", 0)]),
        ("With none having side effects or pain, the doctors were pleased.", [("side effects", 0)]),
    ],
)
def test_harms_denied_by_a_verb_are_zero_counts_and_rounded_figures_are_no_counts(nlp, sentence: str, expected: list) -> None:
    text = f"Statin trial\n\nIn the randomized trial, 300 adults took rosuvastatin or placebo; strokes fell 30% (hazard ratio, 0.7; 95% CI, 0.6 to 0.8). {sentence}"
    [findings] = findings_of(nlp, text)
    assert [(e.name, e.count) for e in findings.adverse_events] == expected


@pytest.mark.parametrize(
    "sentence,kept",
    [
        ("Up to 85% of older adults develop worsening eyesight.", False),
        ("About 30 percent of all gut tumours carry the marker.", False),
        ("About 30 percent of patients had a response.", True),
        ("The study found that 30 percent of patients are free of nausea.", True),
        ("About 30 percent of patients on rosuvastatin have fewer strokes.", True),
        ("High cholesterol levels after statin treatment are common in about 30 percent of adults.", False),
    ],
)
def test_a_figure_stated_as_a_general_fact_is_no_result(nlp, sentence: str, kept: bool) -> None:
    text = f"Statin trial\n\nIn the randomized trial, 300 adults took rosuvastatin or placebo; strokes fell (hazard ratio, 0.7; 95% CI, 0.6 to 0.8). {sentence}"
    [findings] = findings_of(nlp, text)
    assert (30.0 in {o.percent for o in findings.outcomes} or 85.0 in {o.percent for o in findings.outcomes}) == kept


def test_the_drug_a_headline_and_story_compare_with_is_not_the_studied_one(nlp) -> None:
    text = (
        "Newer Blood Thinner Beats Heparin, Researchers Say\n\n"
        "Edoxaban prevented more clots than heparin did in adults leaving hospital, a study of 4,200 patients found. "
        "Edoxaban also caused less bleeding than heparin. "
        "Edoxaban gave a 25 percent relative reduction in clots when compared to heparin."
    )
    [findings] = findings_of(nlp, text)
    roles = {i.name: i.role for i in findings.interventions if i.name in ("edoxaban", "heparin")}
    assert roles == {"edoxaban": "studied", "heparin": "comparator"}


def test_assigned_randomly_is_randomized(nlp) -> None:
    text = "Knee study\n\nThe clinic enrolled 210 adults with knee pain. Knees were assigned randomly to triamcinolone or saline. Pain eased more with triamcinolone (mean difference, 1.1; 95% CI, 0.3 to 1.9)."
    assert [f.study.design for f in findings_of(nlp, text)] == ["rct"]


@pytest.mark.parametrize(
    "text,total",
    [
        ("Zinc may shorten colds. Colds are common. They spread in winter. Schools see many. Parents worry. Coughs linger too. "
         "The clinical trial looked at 96 children with an average age of 7. Sick days fell 20% (odds ratio, 0.8; 95% CI, 0.7 to 0.9).", 96),
        ("The study looked at 1,126,400 adults in a claims database. It matched 1,108 cases with 11,080 controls, for 12,188 patients in the analysis. Odds rose (odds ratio, 2.0; 95% CI, 1.5 to 2.6).", 12188),
    ],
)
def test_a_weak_total_cue_names_the_cohort_only_when_no_enrolment_word_does(nlp, text: str, total: int) -> None:
    [findings] = findings_of(nlp, f"Drug study\n\n{text}")
    assert findings.population.total.value == total


@pytest.mark.parametrize(
    "sentence",
    [
        "The phase 2 study ran in 41 partner hospitals and included adults with back pain.",
        "Roughly 450,000 new cases of the disease are found around the world annually.",
    ],
)
def test_places_and_a_yearly_toll_are_no_cohort(nlp, sentence: str) -> None:
    text = f"Statin study\n\n{sentence} Muscle pain fell (odds ratio, 0.6; 95% CI, 0.4 to 0.9)."
    assert [f.population.total for f in findings_of(nlp, text)] == [None]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(NUMBER_WORDS)), st.sampled_from([("a half", 0.5), ("a quarter", 0.25)]), st.booleans())
def test_a_whole_number_and_a_fraction_are_one_value(nlp, whole: int, fraction, spelled: bool) -> None:
    words, part = fraction
    number = NUMBER_WORDS[whole] if spelled else str(whole)
    doc = nlp(f"Patients were followed for {number} and {words} years.")
    assert [(d._.em_value, d._.em_unit) for d in doc.spans[DURATIONS]] == [(whole + part, "years")]


def test_a_chemical_with_a_growth_factor_stem_is_a_drug(nlp) -> None:
    text = "Heart drug\n\nThe phase 1 trial tested cimaglermin in 40 heart failure patients. Heart function improved in 12 of 40 patients."
    [findings] = findings_of(nlp, text)
    assert "cimaglermin" in {i.name for i in findings.interventions}


def test_a_closing_part_without_a_study_goes_on_about_the_study_before(nlp) -> None:
    text = (
        "Colitis drug\n\n"
        "In a randomized trial, 600 adults took tofacitinib 10 mg or placebo. "
        "Remission came in 19% on the drug and 8% on placebo (odds ratio, 2.1; 95% CI, 1.4 to 3.0).\n\n"
        "In the second trial, remission came with tofacitinib again. "
        "The paper was published March 12 in the New England Journal of Medicine."
    )
    [findings] = findings_of(nlp, text)
    assert findings.study.journal == "New England Journal of Medicine"


@pytest.mark.parametrize(
    "sentence,kept",
    [
        ("Each capsule of the store brand contains 98 milligrams of metformin.", False),
        ("A dose of baby aspirin is typically 81 mg.", False),
        ("The patients took 700 mg of metformin every eight hours.", True),
    ],
)
def test_what_a_product_holds_is_no_dose_of_the_study(nlp, sentence: str, kept: bool) -> None:
    text = f"Liver study\n\nIn the trial, 32 hepatitis C patients took metformin. Liver enzymes did not change (mean difference, 0.2; 95% CI, -1.0 to 1.4). {sentence}"
    [findings] = findings_of(nlp, text)
    values = {d.value for i in findings.interventions for d in i.doses}
    assert bool(values & {98.0, 81.0, 700.0}) == kept


@pytest.mark.parametrize("phrase", ["tyrosine kinase", "a PIK3CA gene", "PIK3CA mutations"])
def test_a_drug_word_before_a_kinase_gene_or_mutation_is_a_target(nlp, phrase: str) -> None:
    text = f"Cancer drug\n\nIn the randomized trial, 300 adults with {phrase} took osimertinib or placebo. Tumours shrank (hazard ratio, 0.5; 95% CI, 0.4 to 0.7)."
    [findings] = findings_of(nlp, text)
    assert {i.name for i in findings.interventions} == {"osimertinib", "placebo"}


def test_a_drug_another_study_of_the_story_gives_is_not_mentioned_in_this_one(nlp) -> None:
    text = (
        "Two melanoma drugs\n\n"
        "In a randomized trial of 512 patients, those given olaparib were 40 percent less likely to relapse than those given a placebo "
        "(hazard ratio, 0.60; 95% CI, 0.45 to 0.80). Doctors called the results encouraging.\n\n"
        "In a separate study, 380 patients treated with niraparib lived longer (hazard ratio, 0.70; 95% CI, 0.55 to 0.89). "
        "Unlike olaparib, niraparib is taken once a day."
    )
    first, second = findings_of(nlp, text)
    assert "olaparib" not in {i.name for i in second.interventions}
    assert "olaparib" in {i.name for i in first.interventions if i.role == "studied"}


def test_a_count_of_studies_is_no_group(nlp) -> None:
    text = (
        "Aspirin and cancer\n\n"
        "The team pooled data on 3,400 people. "
        "They described an analysis of five clinical trials comparing a nightly dose of 10 milligrams of melatonin to a placebo in the prevention of delirium. "
        "Delirium fell (hazard ratio, 0.79; 95% CI, 0.68 to 0.92)."
    )
    [findings] = findings_of(nlp, text)
    assert 5 not in {g.n for g in findings.population.groups}


def test_a_verb_before_a_line_break_names_no_arm(nlp) -> None:
    article = extract_article(nlp, Page(url="file:///t.txt", text="Headline\n\npatients 19 received \n"))
    assert article.no_study_reason or article.findings is not None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=1, max_value=99), min_size=2, max_size=4, unique=True), st.sampled_from(["percent", "per cent"]))
def test_numbers_listed_before_a_percent_word_are_percentages(nlp, values: list[int], word: str) -> None:
    listed = ", ".join(str(v) for v in values[:-1]) + f" and {values[-1]} {word}"
    doc = nlp(f"Rates were {listed}, respectively.")
    assert sorted(p._.em_value for p in doc.spans["em_percents"]) == sorted(values)
