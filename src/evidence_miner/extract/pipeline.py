"""Build the spaCy pipeline and run it over pages: Page -> Article."""

from __future__ import annotations

import gc
import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.metadata import EntryPoints
from pathlib import Path

import catalogue
import scispacy.abbreviation  # noqa: F401  (registers abbreviation_detector)
import scispacy.custom_sentence_segmenter  # noqa: F401  (registers pysbd_sentencizer)
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from evidence_miner.errors import ExtractionError
from evidence_miner.extract import factories  # noqa: F401  (registers em_* factories)
from evidence_miner.extract import tokenizer  # noqa: F401  (registers the tokenizer)
from evidence_miner.lang import DEFAULT_LANGUAGE
from evidence_miner.records import Article, Findings, Page

log = logging.getLogger(__name__)

# scispacy's abbreviation detector runs a Matcher that has no patterns on documents without
# abbreviations, and spaCy warns (W036) on every such document; that is expected here.
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)

OWN_COMPONENTS = [
    "em_numbers",
    "em_terms",
    "em_drugs",
    "em_conditions",
    "em_quantities",
    "em_counts",
    "em_negation",
    "em_findings",
]


def load_default_config() -> spacy.util.Config:
    """default.cfg as written: its ${evidence_miner.language} references are filled when the
    pipeline is built, so setting config["evidence_miner"]["language"] changes every component's."""
    text = resources.files("evidence_miner.extract").joinpath("default.cfg").read_text("utf-8")
    return spacy.util.Config().from_str(text, interpolate=False)


NER_MODEL_NAME = "em_ner_bc5cdr"
STUDY_MODEL_NAME = "em_textcat_study"
# What each shipped model adds to the records, and how to rebuild it (for the EM450 warning).
SHIPPED_MODELS = {
    NER_MODEL_NAME: (
        "extract.ner_model",
        "the drugs and diseases no lexicon lists",
        "scripts/train_ner.py",
    ),
    STUDY_MODEL_NAME: (
        "extract.study_model",
        "the records of study reports the rules miss",
        "scripts/train_study_classifier.py",
    ),
}
UNKNOWN_MODEL = ("its extract setting", "what it finds", "its script under scripts/")
_warned_missing: set[str] = set()


def find_model(setting: str, name: str) -> Path | None:
    """ "auto": the shipped model NAME (see find_shipped_model); "none": no model; else a path."""
    if setting == "none":
        return None
    if setting == "auto":
        return find_shipped_model(name)
    path = Path(setting)
    if not (path / "config.cfg").is_file():
        raise ExtractionError(
            f"[EM431] Model folder {setting!r} has no config.cfg. Give a spaCy model folder, "
            f'"auto" or "none" (rebuild {name} with its script under scripts/).'
        )
    return path


def find_shipped_model(name: str) -> Path | None:
    """The model folder NAME in the installed package (a wheel carries models/ there, see
    setup.py), else in the checkout's models/ (an editable install or PYTHONPATH=src); None,
    with a warning once per process, when neither has it."""
    for folder in shipped_model_dirs():
        if (folder / name / "config.cfg").is_file():
            return folder / name
    warn_missing_model(name)
    return None


def shipped_model_dirs() -> list[Path]:
    """Where shipped models live: the package's models/, then the checkout's when this module
    runs from one (src/evidence_miner/extract/ under a folder with pyproject.toml)."""
    dirs = [Path(str(resources.files("evidence_miner") / "models"))]
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file():
        dirs.append(checkout / "models")
    return dirs


def warn_missing_model(name: str) -> None:
    if name in _warned_missing:
        return
    _warned_missing.add(name)
    setting, adds, script = SHIPPED_MODELS.get(name, UNKNOWN_MODEL)
    looked = " and ".join(str(folder / name) for folder in shipped_model_dirs())
    log.warning(
        "[EM450] The shipped model %s was not found (looked in %s), so records differ from a full "
        "install: they lack %s. Reinstall evidence-miner from the repository (pip install . or "
        "pip install -e .; both carry models/), rebuild the model with %s, or set %s to a model "
        'folder, or to "none" to run without it.',
        name,
        looked,
        adds,
        script,
        setting,
        extra={"stage": "extract"},
    )


def find_ner_model(setting: str) -> Path | None:
    return find_model(setting, NER_MODEL_NAME)


def add_sourced(nlp: Language, path: Path, *, before: str) -> Language:
    """Add a trained model's components to the pipeline, before `before`: each is made from the
    model's config.cfg and reads its weights from the model folder (add_trained_component). The
    model is not loaded as a pipeline of its own to take its components from (spacy.load and
    add_pipe(source=...)): that built a second vocab, resolved the model's whole config and
    copied its strings over, a tenth of a second per model for the same components."""
    config = spacy.util.load_config(path / "config.cfg", interpolate=True)
    for name in config["nlp"]["pipeline"]:
        if name not in config["nlp"]["disabled"] and not nlp.has_pipe(name):
            add_trained_component(nlp, path, name, config["components"][name], before=before)
    log.info("model %s added", path)
    return nlp


def add_trained_component(
    nlp: Language, path: Path, name: str, settings: dict, *, before: str
) -> None:
    """The component `name` of the model at `path` (its config block `settings`), with the
    weights of path/name, as Language.from_disk reads them (the pipeline's own vocab kept)."""
    config = {key: value for key, value in settings.items() if key != "factory"}
    component = nlp.add_pipe(settings["factory"], name=name, before=before, config=config)
    component.from_disk(path / name, exclude=["vocab"])


def add_ner(nlp: Language, path: Path) -> Language:
    """Source the trained tok2vec and ner into the pipeline, before the concept finders, and let
    em_ner_focus run them only on the sentences where an entity can reach a record."""
    nlp = add_sourced(nlp, path, before="em_drugs")
    if nlp.has_pipe("tok2vec") and nlp.has_pipe("ner"):
        nlp.add_pipe("em_ner_focus", before="em_drugs", config={"language": language_of(nlp)})
        nlp.disable_pipe("tok2vec")
        nlp.disable_pipe("ner")
    return nlp


def language_of(nlp: Language) -> str:
    """The language pack the pipeline's config names ([evidence_miner] language of
    default.cfg), else the default pack."""
    return nlp.config.get("evidence_miner", {}).get("language", DEFAULT_LANGUAGE)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while the pipeline's million long-lived objects (lexicons,
    vocab, model weights) are made: Python's collector would walk them again and again as they
    grow (a third of the build's time). Not frozen afterwards (gc.freeze): a pipeline dropped
    later (tests build many) is a cycle the collector must still be able to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class GroupedEntryPoints:
    """The installed packages' entry points, each group selected once: catalogue (spaCy's
    registries, srsly's msgpack decoders) selects a group from all of them on every registry
    lookup, 150 times while the default pipeline is built (30 ms of its 0.3 s)."""

    def __init__(self, entry_points: EntryPoints) -> None:
        self.entry_points = entry_points
        self.groups: dict[str, EntryPoints] = {}

    def select(self, **params: str) -> EntryPoints:
        if set(params) != {"group"}:
            return self.entry_points.select(**params)
        group = params["group"]
        if group not in self.groups:
            self.groups[group] = self.entry_points.select(group=group)
        return self.groups[group]


@contextmanager
def grouped_entry_points() -> Iterator[None]:
    """catalogue reads GroupedEntryPoints in this block (its entry points, read once when it was
    imported, do not change while a pipeline is built)."""
    available = catalogue.AVAILABLE_ENTRY_POINTS
    # a plain dict (importlib.metadata before 3.10), or a build already in this block (a thread)
    if not hasattr(available, "select") or isinstance(available, GroupedEntryPoints):
        yield
        return
    catalogue.AVAILABLE_ENTRY_POINTS = GroupedEntryPoints(available)
    try:
        yield
    finally:
        catalogue.AVAILABLE_ENTRY_POINTS = available


def build_pipeline(
    model: str = "default",
    *,
    ner_model: str = "auto",
    study_model: str = "auto",
    language: str = DEFAULT_LANGUAGE,
) -> Language:
    """ "default" builds evidence-miner's pipeline from default.cfg (plus the project's NER
    model, see find_ner_model); any other value is a spaCy package name or path (e.g.
    en_core_sci_sm, en_ner_bc5cdr_md) to which evidence-miner's components are added.
    `language` names the language pack (or its folder) every evidence-miner component reads."""
    with paused_gc(), grouped_entry_points():
        return make_pipeline(model, ner_model=ner_model, study_model=study_model, language=language)


def make_pipeline(model: str, *, ner_model: str, study_model: str, language: str) -> Language:
    if model == "default":
        config = load_default_config()
        config["evidence_miner"]["language"] = language
        nlp = spacy.blank("en", config=config)
        path = find_ner_model(ner_model)
        nlp = add_ner(nlp, path) if path is not None else nlp
        study = find_model(study_model, STUDY_MODEL_NAME)
        return add_sourced(nlp, study, before="em_findings") if study is not None else nlp
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ExtractionError(
            f"[EM430] Cannot load the spaCy model {model!r}: {exc}. Install the model package, "
            'give a path to a model folder, or use extract.model = "default".'
        ) from exc
    return add_own_components(nlp, language)


def add_own_components(nlp: Language, language: str = DEFAULT_LANGUAGE) -> Language:
    """Give a loaded pipeline sentences, abbreviations and evidence-miner's components, each
    reading the language pack `language`."""
    pack = {"language": language}
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("em_sentences", first=True, config=pack)
    if not nlp.has_pipe("abbreviation_detector"):
        nlp.add_pipe("abbreviation_detector")
    for name in OWN_COMPONENTS:
        if not nlp.has_pipe(name):
            nlp.add_pipe(name, config=pack)
    return nlp


def with_page_metadata(findings: Findings, page: Page) -> Findings:
    """The page's own metadata fills what the text does not say (journal, DOI)."""
    update = {}
    if findings.study.journal is None and page.journal:
        update["journal"] = page.journal
    if findings.study.doi is None and page.doi:
        update["doi"] = page.doi
    if not update:
        return findings
    return findings.model_copy(update={"study": findings.study.model_copy(update=update)})


def to_article(page: Page, doc: Doc) -> Article:
    findings = [
        with_page_metadata(Findings.model_validate(i), page) for i in doc._.em_findings or []
    ]
    return Article(page=page, findings=findings, no_study_reason=doc._.em_no_study_reason)


def extract_article(nlp: Language, page: Page) -> Article:
    return to_article(page, nlp(page.text))


def extract_articles(
    nlp: Language, pages: Iterable[Page], *, batch_size: int = 16
) -> Iterator[Article]:
    """Articles in input order, with nlp.pipe batching."""
    pairs = ((page.text, page) for page in pages)
    for doc, page in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield to_article(page, doc)
