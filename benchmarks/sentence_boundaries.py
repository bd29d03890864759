"""Sentence splitters compared: boundary F1 and speed on one core (issue 19).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/sentence_boundaries.py [--output FILE]
       [--sets genia_dev,ewt_dev,...] [--splitters pysbd,sentencizer,em_sentences] [--errors SET]

Scores the sentence starts each splitter finds: precision, recall and F1 of the character offset
of each sentence's first non-space character, the document's first sentence left out (every
splitter finds it). Sets:

- genia_dev, genia_test: GENIA treebank (../shared/data/genia-ud), one document per PubMed id
  (consecutive sentences with the same id in *_per_sentence.pmids), sentences joined with a
  space; the treebank has no raw text, so each sentence's tokens are joined with a space except
  before , . ; : ) ] and after ( [ (-LRB-, -RSB- etc. read as brackets); this restores ordinary
  spacing around punctuation (GENIA tokens are whole words).
- ewt_dev, ewt_test: UD English EWT (../shared/data/ud-english-ewt), one document per
  `# newdoc`, the `# text` of its sentences joined with a space (web text: many sentences end
  without punctuation, so recall is low for every splitter).
- corpus_dev, corpus_heldout, fakehealth_dev, fakehealth_heldout: the hand-written boundary gold
  in eval/sentences/ (corpus.jsonl: corpus/ .txt articles; fakehealth.jsonl: FakeHealth
  `title + "\\n\\n" + text` by news_id); each record's text_sha256 is checked.

Speed: the splitter component alone on documents tokenized beforehand (scispaCy's tokenizer, as
the pipeline uses it), best of --repeat runs, in characters per second on one core; the tokenizer
alone is given for scale. Errors (--errors SET, dev sets only) list missed and extra starts.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import scispacy.custom_sentence_segmenter  # noqa: E402,F401  (registers pysbd_sentencizer)
import spacy  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from evidence_miner.extract import factories  # noqa: E402,F401  (registers em_* factories)
from evidence_miner.extract import tokenizer  # noqa: E402,F401  (registers the tokenizer)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
GOLD = REPO / "eval" / "sentences"
NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]"}
NO_SPACE_AFTER = {"(", "["}
BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


@dataclass
class Document:
    id: str
    text: str
    starts: list[int]


def read_conllu(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    """(comment lines, token forms) of each sentence."""
    comments: list[str] = []
    forms: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                if forms:
                    yield comments, forms
                comments, forms = [], []
            elif line.startswith("#"):
                comments.append(line)
            else:
                cols = line.split("\t")
                if cols[0].isdigit():
                    forms.append(cols[1])
    if forms:
        yield comments, forms


def join_tokens(forms: list[str]) -> str:
    forms = [BRACKETS.get(form, form) for form in forms]
    out = ""
    for i, form in enumerate(forms):
        glue = i == 0 or form in NO_SPACE_BEFORE or forms[i - 1] in NO_SPACE_AFTER
        out += form if glue else " " + form
    return out


def join_sentences(doc_id: str, sentences: list[str]) -> Document:
    text, starts = "", []
    for sentence in sentences:
        text += " " if text else ""
        starts.append(len(text))
        text += sentence
    return Document(doc_id, text, starts)


def load_genia(split: str) -> list[Document]:
    folder = DATA / "genia-ud"
    pmids = (folder / f"genia-{split}_per_sentence.pmids").read_text().split()
    conllu = read_conllu(folder / f"genia-{split}.conllu.gz")
    sentences = [join_tokens(forms) for _, forms in conllu]
    assert len(pmids) == len(sentences), (split, len(pmids), len(sentences))
    docs: list[tuple[str, list[str]]] = []
    for pmid, sentence in zip(pmids, sentences):
        if not docs or docs[-1][0] != pmid:
            docs.append((pmid, []))
        docs[-1][1].append(sentence)
    return [join_sentences(pmid, sents) for pmid, sents in docs]


def load_ewt(split: str) -> list[Document]:
    docs: list[tuple[str, list[str]]] = []
    for comments, _ in read_conllu(DATA / "ud-english-ewt" / f"en_ewt-ud-{split}.conllu.gz"):
        newdoc = [c.split("=", 1)[1].strip() for c in comments if c.startswith("# newdoc")]
        text = next(c.split("=", 1)[1].strip() for c in comments if c.startswith("# text"))
        if newdoc or not docs:
            docs.append((newdoc[0] if newdoc else "doc", []))
        docs[-1][1].append(text)
    return [join_sentences(doc_id, sents) for doc_id, sents in docs]


def fakehealth_texts() -> dict[str, str]:
    with gzip.open(DATA / "fakehealth" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = (json.loads(line) for line in lines)
        return {r["news_id"]: f"{r['title']}\n\n{r['text']}" for r in rows}


def load_gold(name: str, split: str) -> list[Document]:
    path = GOLD / f"{name}.jsonl"
    if not path.is_file():
        return []
    texts = fakehealth_texts() if name == "fakehealth" else None
    docs = []
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != split:
            continue
        text = texts[row["id"]] if texts is not None else (REPO / row["id"]).read_text("utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["text_sha256"]:
            raise SystemExit(f"{name} {row['id']}: text changed since the gold was written")
        docs.append(Document(row["id"], text, row["starts"]))
    return docs


SETS: dict[str, Callable[[], list[Document]]] = {
    "genia_dev": lambda: load_genia("dev"),
    "genia_test": lambda: load_genia("test"),
    "ewt_dev": lambda: load_ewt("dev"),
    "ewt_test": lambda: load_ewt("test"),
    "corpus_dev": lambda: load_gold("corpus", "dev"),
    "corpus_heldout": lambda: load_gold("corpus", "heldout"),
    "fakehealth_dev": lambda: load_gold("fakehealth", "dev"),
    "fakehealth_heldout": lambda: load_gold("fakehealth", "heldout"),
}


def make_tokenizer_nlp() -> Language:
    tokenizer = {"@tokenizers": "evidence_miner.scispacy_tokenizer.v2"}
    return spacy.blank("en", config={"nlp": {"tokenizer": tokenizer}})


def make_splitters(nlp: Language) -> dict[str, Callable[[Doc], Doc]]:
    """Each candidate as a component of `nlp` (sharing its vocab and tokenizer)."""
    return {
        "pysbd": nlp.add_pipe("pysbd_sentencizer", name="c_pysbd"),
        "sentencizer": nlp.add_pipe("sentencizer", name="c_sentencizer"),
        "em_sentences": nlp.add_pipe("em_sentences", name="c_em_sentences"),
    }


def sentence_starts(doc: Doc) -> list[int]:
    """Offset of the first non-space character of each sentence."""
    starts = []
    for sent in doc.sents:
        token = next((t for t in sent if not t.is_space), None)
        if token is not None:
            starts.append(token.idx + len(token.text) - len(token.text.lstrip()))
    return starts


def first_char(text: str) -> int:
    return len(text) - len(text.lstrip())


def score(gold: list[Document], predicted: list[list[int]]) -> dict:
    tp = fp = fn = 0
    for doc, starts in zip(gold, predicted):
        first = first_char(doc.text)
        g = {s for s in doc.starts if s != first}
        p = {s for s in starts if s != first}
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def time_component(
    component: Callable[[Doc], Doc], nlp: Language, texts: list[str], repeat: int
) -> float:
    """Best time of the component alone on fresh documents (spaCy's sentencizer keeps starts
    that are already set)."""
    best = float("inf")
    for _ in range(repeat):
        docs = [nlp.make_doc(text) for text in texts]
        started = time.perf_counter()
        for doc in docs:
            component(doc)
        best = min(best, time.perf_counter() - started)
    return best


def time_tokenizer(nlp: Language, texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            nlp.make_doc(text)
        best = min(best, time.perf_counter() - started)
    return best


def context(text: str, offset: int, width: int = 50) -> str:
    left, right = text[max(0, offset - width) : offset], text[offset : offset + width]
    return (left + " ‖ " + right).replace("\n", "⏎")


def print_errors(name: str, gold: list[Document], predicted: list[list[int]]) -> None:
    for doc, starts in zip(gold, predicted):
        first = first_char(doc.text)
        for offset in sorted(set(doc.starts) - set(starts) - {first}):
            print(f"{name}\t{doc.id}\tmissed\t{context(doc.text, offset)}")
        for offset in sorted(set(starts) - set(doc.starts) - {first}):
            print(f"{name}\t{doc.id}\textra\t{context(doc.text, offset)}")


def run_set(name: str, docs: list[Document], nlp: Language, splitters: dict, repeat: int) -> dict:
    texts = [d.text for d in docs]
    chars = sum(len(d.text) for d in docs)
    result = {"docs": len(docs), "sentences": sum(len(d.starts) for d in docs), "chars": chars,
              "tokenizer_cps": chars / time_tokenizer(nlp, texts, repeat), "splitters": {}}
    for label, component in splitters.items():
        predicted = [sentence_starts(component(nlp.make_doc(text))) for text in texts]
        seconds = time_component(component, nlp, texts, repeat)
        result["splitters"][label] = {**score(docs, predicted), "cps": chars / seconds}
    return result


def to_markdown(results: dict[str, dict], labels: list[str]) -> str:
    head = "| set | docs | sentences | " + " | ".join(f"{s} F1 (P/R)" for s in labels) + " |"
    rows = [head, "|" + "---|" * (3 + len(labels))]
    for name, r in results.items():
        scores = (r["splitters"][x] for x in labels)
        cells = [f"{s['f1']:.4f} ({s['p']:.3f}/{s['r']:.3f})" for s in scores]
        rows.append(f"| {name} | {r['docs']} | {r['sentences']} | " + " | ".join(cells) + " |")
    return "\n".join(rows + ["", *speed_table(results, labels)]) + "\n"


def speed_table(results: dict[str, dict], labels: list[str]) -> list[str]:
    """Characters per second of each splitter per set and over all sets (total characters / total
    seconds), and the speed-up over pysbd when pysbd was measured."""
    rows = ["Speed: characters per second on one core, the splitter alone on tokenized documents "
            "(the tokenizer alone for scale):", "",
            "| set | tokenizer | " + " | ".join(labels) + " |", "|" + "---|" * (2 + len(labels))]
    for name, r in results.items():
        cells = [f"{r['splitters'][x]['cps']:,.0f}" for x in labels]
        rows.append(f"| {name} | {r['tokenizer_cps']:,.0f} | " + " | ".join(cells) + " |")
    chars = sum(r["chars"] for r in results.values())
    runs = results.values()
    seconds = {x: sum(r["chars"] / r["splitters"][x]["cps"] for r in runs) for x in labels}
    total = {x: chars / seconds[x] for x in labels}
    tokenizer = chars / sum(r["chars"] / r["tokenizer_cps"] for r in results.values())
    cells = [f"{total[x]:,.0f}" for x in labels]
    rows.append(f"| all sets | {tokenizer:,.0f} | " + " | ".join(cells) + " |")
    if "pysbd" in total:
        ratios = [f"{x} {total[x] / total['pysbd']:.1f}x" for x in labels if x != "pysbd"]
        rows += ["", f"Over all sets, speed relative to pysbd: {', '.join(ratios)}; "
                 f"the tokenizer alone {tokenizer / total['pysbd']:.1f}x."]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--splitters", default="pysbd,sentencizer,em_sentences")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--errors", help="print the missed and extra starts of this (dev) set")
    args = parser.parse_args()
    nlp = make_tokenizer_nlp()
    splitters = {k: v for k, v in make_splitters(nlp).items() if k in args.splitters.split(",")}
    if args.errors:
        if "dev" not in args.errors:
            raise SystemExit("errors are looked at on dev sets only")
        docs = SETS[args.errors]()
        for label, component in splitters.items():
            found = [sentence_starts(component(nlp.make_doc(d.text))) for d in docs]
            print_errors(label, docs, found)
        return
    results = {}
    for name in args.sets.split(","):
        docs = SETS[name]()
        if docs:
            results[name] = run_set(name, docs, nlp, splitters, args.repeat)
    report = to_markdown(results, list(splitters))
    print(report)
    if args.output:
        args.output.write_text(HEADER.format(platform=platform_line()) + report, encoding="utf-8")


def platform_line() -> str:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{python}, {platform.machine()}, spaCy {spacy.__version__}"


HEADER = """# Sentence boundaries: F1 and speed

Written by `benchmarks/sentence_boundaries.py --output benchmarks/results/sentence_boundaries.md`
({platform}); see the script's docstring for the sets. Boundary F1: precision and recall of sentence
starts (the character offset of each sentence's first non-space character), the first sentence
left out. Candidates, each after scispaCy's tokenizer (`evidence_miner.scispacy_tokenizer.v2`):

- `pysbd`: scispaCy's `pysbd_sentencizer` (the pipeline's splitter until issue 19);
- `sentencizer`: spaCy's rule `sentencizer` (punctuation only);
- `em_sentences`: evidence-miner's rule splitter (`extract/components/sentences.py`, word lists in
  `lang/en/sentences.toml`), asking pysbd only about unsure periods (the default config).

`genia_*` and `ewt_*` are public treebanks (dev: looked at while writing the rules; test: not);
`corpus_*` and `fakehealth_*` are the hand-made gold of `eval/sentences/` (errors looked at on the
dev split only; heldout is reported in aggregate only).

"""



if __name__ == "__main__":
    main()
