"""Rebuild models/em_textcat_study: does a news article report a study's results?

Trained on the screening labels of the real-news sample (corpus/real/screening/*.tsv,
corpus/real/screening-extra/*.tsv and corpus/real/agreement/screening.tsv: every article the
annotators read, labelled drug_study, other_study or no_study) with the article texts read from FakeHealth. Only articles of the
`dev` split train; the `heldout` split's screened articles are scored once, in aggregate, into
metrics.json. A spaCy `textcat` (bag of words and bigrams, exclusive classes STUDY / NO_STUDY)
over evidence-miner's own tokenizer; seconds to train on one core. The fictional dev corpus
(corpus/dev, labelled by its gold) trains too; corpus/heldout is scored, never trained on.

Usage: .venv/bin/python scripts/train_study_classifier.py [--output models/em_textcat_study]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

import spacy
from spacy.training import Example

from evidence_miner.evaluate.fakehealth import read_real_articles, to_page
from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import pages_for_golds
from evidence_miner.extract.pipeline import load_default_config

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "corpus" / "real"
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"
SEED = 16
EPOCHS = 12
LABELS = ("STUDY", "NO_STUDY")


def read_labels() -> dict[str, tuple[str, str]]:
    """news_id -> (split, label) of every screened article; the first annotator's call wins."""
    labels: dict[str, tuple[str, str]] = {}
    files = [*sorted((REAL / "screening").glob("stream-*.tsv")), *sorted((REAL / "screening-extra").glob("stream-*.tsv")),
             REAL / "agreement" / "screening.tsv"]  # fmt: skip
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                label = "NO_STUDY" if row["category"] == "no_study" else "STUDY"
                labels.setdefault(row["news_id"], (row["split"], label))
    return labels


def fictional_examples(nlp, folder: Path) -> list[Example]:
    """The fictional corpus's articles, labelled by their gold (no study: `expect_records` 0)."""
    golds = find_gold_articles(folder)
    examples = []
    for gold, page in zip(golds, pages_for_golds(golds)):
        label = "STUDY" if gold.studies else "NO_STUDY"
        cats = {name: float(name == label) for name in LABELS}
        examples.append(Example.from_dict(nlp.make_doc(page.text), {"cats": cats}))
    return examples


def make_nlp() -> spacy.language.Language:
    """A blank pipeline with evidence-miner's tokenizer and an untrained bag-of-words textcat."""
    config = load_default_config()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": config["nlp"]["tokenizer"]}})
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
        "no_output_layer": False, "length": 262144}})  # fmt: skip
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def to_examples(nlp, texts: dict[str, str], labels: dict[str, tuple[str, str]], split: str) -> list[Example]:
    examples = []
    for news_id, (where, label) in sorted(labels.items()):
        if where == split and texts.get(news_id, "").strip():
            cats = {name: float(name == label) for name in LABELS}
            examples.append(Example.from_dict(nlp.make_doc(texts[news_id]), {"cats": cats}))
    return examples


def train(nlp, examples: list[Example]) -> None:
    random.seed(SEED)
    spacy.util.fix_random_seed(SEED)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(EPOCHS):
        random.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=8):
            nlp.update(batch, sgd=optimizer, drop=0.2)


def score(nlp, examples: list[Example], threshold: float = 0.5) -> dict:
    tp = fp = fn = tn = 0
    for example in examples:
        predicted = nlp(example.reference.text).cats["STUDY"] >= threshold
        actual = example.reference.cats["STUDY"] == 1.0
        tp, fp = tp + (predicted and actual), fp + (predicted and not actual)
        fn, tn = fn + (not predicted and actual), tn + (not predicted and not actual)
    accuracy = (tp + tn) / max(1, tp + fp + fn + tn)
    return {"articles": len(examples), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "accuracy": round(accuracy, 3),
            "no_study_recall": round(tn / max(1, tn + fp), 3), "study_recall": round(tp / max(1, tp + fn), 3)}  # fmt: skip


README_HEAD = """# em_textcat_study

evidence-miner's study/no-study classifier: a spaCy `textcat` (bag of words and bigrams,
exclusive classes `STUDY` / `NO_STUDY`) over evidence-miner's own tokenizer
(`evidence_miner.scispacy_tokenizer.v2`, so the `evidence-miner` package must be installed).
The default pipeline sources it before `em_findings`; an article it scores `STUDY` at or above
`[components.em_findings] study_threshold` (0.5) gives a record even where the rules found no
design, effect size or stated cohort (see `docs/study-classifier.md`).

## Data

* Labels: every real article the annotators screened while drawing the real-news sample
  (`corpus/real/screening/`, `corpus/real/screening-extra/`, `corpus/real/agreement/screening.tsv`):
  drug_study and other_study are `STUDY`, no_study (policy, prices, tips, features citing old
  studies, page fragments) is `NO_STUDY`. Only the articles of the `dev` split train; the
  `heldout` split is scored once, in aggregate. The fictional dev corpus (`corpus/dev`) trains
  too; `corpus/heldout` is scored.
* Texts: the FakeHealth data set (`../shared/data/fakehealth/`), read at training time; no
  article text is stored in the model folder beyond hashed n-gram weights.
* Rebuild: `.venv/bin/python scripts/train_study_classifier.py` (about 15 s on one core; fixed
  seed). `metrics.json` holds the held-out figures.

## Held-out figures (metrics.json)

Real held-out screened articles: accuracy and the recall of each class at threshold 0.5, next to
the majority baseline (always `STUDY`) of the same articles.
"""


def to_readme(metrics: dict) -> str:
    """The model's README: what it is, its data, and the held-out table from `metrics`."""
    rows = ["| set | articles | accuracy | majority baseline | study recall | no-study recall |", "|---|---|---|---|---|---|"]
    for label, key in (("real held-out (screening)", "heldout"), ("corpus/heldout (fictional)", "fictional_heldout")):
        m = metrics[key]
        majority = (m["tp"] + m["fn"]) / max(1, m["articles"])
        rows.append(f"| {label} | {m['articles']} | {m['accuracy']:.3f} | {majority:.3f} | {m['study_recall']:.3f} | {m['no_study_recall']:.3f} |")
    return README_HEAD + "\n" + "\n".join(rows) + "\n"


def without_article_strings(trained):
    """A fresh pipeline holding the trained weights: the bag-of-words model reads hashed
    features, so the vocabulary's strings (every word of the training articles, which are the
    publishers' text) are left out of the shipped model."""
    shipped = make_nlp()
    shipped.get_pipe("textcat").from_bytes(trained.get_pipe("textcat").to_bytes(exclude=["vocab"]), exclude=["vocab"])
    return shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "models" / "em_textcat_study")
    parser.add_argument("--fakehealth", type=Path, default=FAKEHEALTH)
    args = parser.parse_args()
    labels = read_labels()
    texts = {i: to_page(a).text for i, a in read_real_articles(args.fakehealth, labels).items()}
    nlp = make_nlp()
    training = to_examples(nlp, texts, labels, "dev") + fictional_examples(nlp, REPO / "corpus" / "dev")
    train(nlp, training)
    metrics = {"trained_on": len(training), "heldout": score(nlp, to_examples(nlp, texts, labels, "heldout")),
               "fictional_heldout": score(nlp, fictional_examples(nlp, REPO / "corpus" / "heldout")),
               "train": score(nlp, training)}  # fmt: skip
    if args.output.exists():
        shutil.rmtree(args.output)
    nlp = without_article_strings(nlp)
    nlp.meta.update({"name": "em_textcat_study", "version": "1.0.0",
                     "description": "Does a health news article report a study's results? (evidence-miner)"})  # fmt: skip
    nlp.to_disk(args.output)
    (args.output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", "utf-8")
    (args.output / "README.md").write_text(to_readme(metrics), "utf-8")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
