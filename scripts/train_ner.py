"""Rebuild evidence-miner's chemical/disease NER model (models/em_ner_bc5cdr) from BC5CDR.

One command: convert the PubTator train and dev splits to DocBins with our scispacy tokenizer,
train tok2vec + ner with spaCy, ship the best checkpoint, and score it on the PubTator test
split (exact character spans per type, micro average) with its speed, into metrics.json.

Example:
    nice -n 10 .venv/bin/python scripts/train_ner.py --docs docs/ner-model.md
    .venv/bin/python scripts/train_ner.py --max-docs 20 --max-epochs 1 --output /tmp/m
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
BC5CDR_FILES = {
    "train": "CDR_TrainingSet.PubTator.txt",
    "dev": "CDR_DevelopmentSet.PubTator.txt",
    "test": "CDR_TestSet.PubTator.txt",
}
log = logging.getLogger("train_ner")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; paths default to the repository layout."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="folder holding bc5cdr/pubtator/ (default: ../shared/data from the repo)",
    )
    ap.add_argument(
        "--output",
        type=Path,
        default=REPO / "models" / "em_ner_bc5cdr",
        help="where the shipped model goes (replaced if it exists)",
    )
    ap.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="DocBins, config and checkpoints (default: training/ner, or OUTPUT.work "
        "when --output is given)",
    )
    ap.add_argument("--config", type=Path, default=HERE / "ner" / "config.cfg")
    ap.add_argument(
        "--max-docs", type=int, default=None, help="use only the first N docs per split"
    )
    ap.add_argument("--max-epochs", type=int, default=None, help="override [training] max_epochs")
    ap.add_argument(
        "--patience", type=int, default=None, help="override [training] patience (steps)"
    )
    ap.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--tokenizer",
        default="evidence_miner.scispacy_tokenizer.v1",
        help="registered tokenizer for conversion and the model (default: ours)",
    )
    ap.add_argument(
        "--holdout-docs",
        type=int,
        default=100,
        help="first N dev docs kept out of training for checkpoint selection",
    )
    ap.add_argument(
        "--no-fold-dev",
        dest="fold_dev",
        action="store_false",
        help="train on train only and select on the whole dev split",
    )
    ap.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="also rewrite the generated metrics block in this Markdown file",
    )
    return ap.parse_args(argv)


def limit_threads(threads: int) -> None:
    """Pin BLAS/OpenMP to `threads` before numpy is imported (and again via threadpoolctl)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)


def split_dev(dev: list, *, holdout: int, fold: bool) -> tuple[list, list]:
    """(docs added to training, docs used for checkpoint selection)."""
    if not fold:
        return [], dev
    return dev[holdout:], dev[:holdout]


def convert_splits(args: argparse.Namespace, work: Path) -> tuple[dict, list]:
    """Write train.spacy and dev.spacy; return conversion counts and the test documents."""
    from ner.convert import make_blank_nlp, to_docbin
    from ner.pubtator import read_pubtator

    folder = args.data_dir / "bc5cdr" / "pubtator"
    splits = {k: read_pubtator(folder / f, max_docs=args.max_docs) for k, f in BC5CDR_FILES.items()}
    extra, select = split_dev(splits["dev"], holdout=args.holdout_docs, fold=args.fold_dev)
    nlp = make_blank_nlp(args.tokenizer)
    counts = {
        "train": dict(to_docbin(nlp, splits["train"] + extra, work / "train.spacy")),
        "dev": dict(to_docbin(nlp, select, work / "dev.spacy")),
    }
    counts["train"]["from_dev_split"] = len(extra)
    return counts, splits["test"]


def train_model(args: argparse.Namespace, work: Path) -> Path:
    """Run spaCy training; return the path of the best checkpoint."""
    from spacy.cli.train import train

    overrides = {
        "paths.train": str(work / "train.spacy"),
        "paths.dev": str(work / "dev.spacy"),
        "system.seed": args.seed,
        "nlp.tokenizer.@tokenizers": args.tokenizer,
    }
    if args.max_epochs is not None:
        overrides["training.max_epochs"] = args.max_epochs
    if args.patience is not None:
        overrides["training.patience"] = args.patience
    shutil.copy(args.config, work / "config.cfg")
    train(work / "config.cfg", work / "checkpoints", use_gpu=-1, overrides=overrides)
    return work / "checkpoints" / "model-best"


def check_output(output: Path) -> None:
    """Refuse an --output folder that holds something other than a spaCy model."""
    if output.is_dir() and any(output.iterdir()) and not (output / "meta.json").exists():
        raise SystemExit(
            f"[NER03] {output} exists and is not a spaCy model: choose another --output."
        )


def ship_model(best: Path, output: Path) -> None:
    """Copy the best checkpoint to `output` without training-only settings or files."""
    import spacy
    from spacy.util import load_config

    nlp = spacy.load(best)
    nlp.meta.update(
        {
            "name": "em_ner_bc5cdr",
            "version": "0.1.0",
            "license": "Apache-2.0",
            "description": "CHEMICAL/DISEASE NER trained on BC5CDR (CPU, no vectors)",
            "sources": [
                {
                    "name": "BioCreative V CDR corpus (PubTator release)",
                    "url": "https://biocreative.bioinformatics.udel.edu/",
                    "license": "public domain (NCBI)",
                }
            ],
        }
    )
    nlp.meta.pop("performance", None)
    if output.exists():
        shutil.rmtree(output)
    nlp.to_disk(output)
    config = load_config(output / "config.cfg", interpolate=False)
    for key in config["paths"]:
        config["paths"][key] = None
    config.to_disk(output / "config.cfg")


def evaluate_model(output: Path, test_docs: list) -> dict:
    """Load the shipped model afresh; score it on the test split and time it."""
    import spacy
    from ner.evaluate import score_docs, time_pipeline

    nlp = spacy.load(output)
    docs, speed = time_pipeline(nlp, [d.text for d in test_docs])
    return {"test": score_docs(docs, test_docs), "speed": speed}


def folder_bytes(path: Path) -> int:
    """Total size of the files under `path`."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def collect_metrics(args: argparse.Namespace, counts: dict, scores: dict, seconds: float) -> dict:
    """The metrics.json payload."""
    import spacy

    return {
        "model": "em_ner_bc5cdr",
        "data": "BC5CDR PubTator (CDR.Corpus.v010516)",
        "evaluation": "test split, exact character-span match per type; micro over both types",
        "test": scores["test"],
        "speed": {**scores["speed"], "threads": args.threads, "device": "cpu"},
        "conversion": counts,
        "training": {
            "fold_dev": args.fold_dev,
            "holdout_docs": args.holdout_docs,
            "max_docs": args.max_docs,
            "max_epochs": args.max_epochs,
            "seed": args.seed,
            "tokenizer": args.tokenizer,
            "seconds": round(seconds),
        },
        "model_bytes": folder_bytes(args.output),
        "spacy_version": spacy.__version__,
    }


def write_reports(args: argparse.Namespace, metrics: dict) -> None:
    """metrics.json and README.md in the model folder; the metrics block of --docs."""
    from ner.report import render_metrics, render_readme, replace_block

    (args.output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (args.output / "README.md").write_text(render_readme(metrics))
    if args.docs:
        args.docs.write_text(replace_block(args.docs.read_text(), render_metrics(metrics)))


def main(argv: list[str] | None = None) -> int:
    """Convert, train, ship, evaluate, report."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("spacy").propagate = False  # spaCy logs through its own handler
    check_output(args.output)
    limit_threads(args.threads)
    sys.path.insert(0, str(HERE))
    work = args.work_dir or (
        REPO / "training" / "ner"
        if args.output == parse_args([]).output
        else args.output.with_name(args.output.name + ".work")
    )
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts, test_docs = convert_splits(args, work)
    ship_model(train_model(args, work), args.output)
    seconds = time.perf_counter() - started
    metrics = collect_metrics(args, counts, evaluate_model(args.output, test_docs), seconds)
    write_reports(args, metrics)
    log.info(
        "test micro F1 %.2f; model in %s", metrics["test"]["exact"]["micro"]["f1"], args.output
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
