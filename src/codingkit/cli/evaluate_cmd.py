"""Commands ``evaluate`` and ``tune``: agreement with human coding."""

from __future__ import annotations

from pathlib import Path

import click

from ..coding.coder import SIMILARITY_OPTIONS
from ..coding.similarity import BACKENDS
from ..evaluation.cv import TUNE_MIN_POSITIVES
from .apply_cmd import bundled_or, check_learn_options, coder_description, learn
from .main import cli
from .options import plural, split_paths, split_values

_GOLD_HELP = ("Human coding: CSV files (source,turn,code | segment_id,code | "
              "source,start,end,code) or a folder of them, with an optional list of the "
              "turns read (source,turn) and splits.csv (source,split); or a REFI-QDA "
              "project (.qdpx) coded in NVivo, ATLAS.ti, MAXQDA or QualCoder. Repeatable.")


def _paths(ctx, param, values):
    return split_paths(values)


def _joined(ctx, param, values):
    """A repeatable option's values, each comma-separated or repeated, as one
    comma-separated string (``None`` when not given)."""
    if values and not split_values(values):
        if param.name == "by":
            raise click.UsageError("--by needs metadata columns, e.g. --by project,round")
        raise click.BadParameter("needs a value", param=param)
    return ",".join(split_values(values)) or None


def _read_gold(gold, split):
    from ..evaluation import read_human_coding

    human = read_human_coding(list(gold))
    names = [x.strip() for x in (split or "").split(",") if x.strip()]
    return human.select(names) if names else human


@cli.command("evaluate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--gold", "-g", multiple=True, required=True, type=click.Path(path_type=Path),
              callback=_paths, help=_GOLD_HELP)
@click.option("--pred", "-p", "pred_dir", type=click.Path(path_type=Path),
              help="Output folder of 'codingkit apply' (codings.csv, segments.csv). "
                   "Without it, PATHS are coded now.")
@click.option("--cv", "cv", type=int, default=None, metavar="K",
              help="K-fold cross-validation of learning from the human coding of PATHS "
                   "(transcripts kept whole; no segment is scored by a model that saw it).")
@click.option("--no-learn", is_flag=True,
              help="With --cv: evaluate the codebook alone on the same folds.")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="Codebook (.yaml or .qdc). Default: the bundled codebook.")
@click.option("--similarity", type=click.Choice(SIMILARITY_OPTIONS), default="tfidf",
              show_default=True, help="Similarity backend when coding PATHS.")
@click.option("--learn-from", "learn_from", multiple=True, type=click.Path(path_type=Path),
              callback=_paths,
              help="When coding PATHS: first learn from this human coding (CSV/folder/.qdpx).")
@click.option("--learn-transcripts", "learn_transcripts", multiple=True,
              type=click.Path(path_type=Path), metavar="PATH", callback=_paths,
              help="With --learn-from: the transcripts its human coding belongs to, when they "
                   "are not among PATHS (as in 'codingkit apply'). Repeatable.")
@click.option("--min-positives", type=click.IntRange(min=0), default=None, metavar="N",
              help="With --learn-from or --cv: segments a human must have coded with a code before "
                   "it is learned (default 30; fewer keep the codebook's coding).")
@click.option("--unit", type=click.Choice(["turn", "sentence", "paragraph"]), default="turn",
              show_default=True, help="Segment unit when coding PATHS.")
@click.option("--rules-only", is_flag=True,
              help="When coding PATHS with the default codebook: code with the codebook alone, "
                   "not with the coder learned from the gold interviews that comes with it "
                   "(as 'codingkit apply --rules-only').")
@click.option("--split", multiple=True, callback=_joined,
              help="Only evaluate the transcripts of these splits, comma-separated or "
                   "repeated (e.g. test, or dev,test).")
@click.option("--level", type=click.Choice(["theme", "code"]), default="theme",
              show_default=True, help="Count sub-codes as their theme, or compare codes as is.")
@click.option("--by", "by", metavar="COLUMNS", multiple=True, callback=_joined,
              help="Also compare the theme frequencies per group of these metadata "
                   "columns, comma-separated (e.g. project,round): the share of units each "
                   "coder coded with each theme, and how far codingkit's is off.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path),
              help="Write agreement.csv, agreement_summary.csv, disagreements.csv, "
                   "agreement_counts.csv and agreement.json (with --by also "
                   "frequencies_compared.csv) into this folder.")
def evaluate_command(paths, gold, pred_dir, cv, no_learn, codebook_path, similarity, learn_from,
                     learn_transcripts, min_positives, unit, rules_only, split, level, by,
                     out_dir):
    """Agreement of codingkit's coding with a human coder.

    Prints precision, recall, F1, Cohen's kappa and Krippendorff's alpha per
    code, with macro and micro averages, at the segment (or turn) level.

    \b
    Examples:
      codingkit evaluate --gold gold/ --pred results/ --split test
      codingkit evaluate transcripts/ --gold gold/ --split test --out agreement/
      codingkit evaluate transcripts/ --gold gold/ --split dev --cv 4
    """
    with _recording_unfair() as unfair:
        _evaluate(paths, gold, pred_dir, cv, no_learn, codebook_path, similarity, learn_from,
                  learn_transcripts, min_positives, unit, rules_only, split, level, by,
                  out_dir, unfair)


def _evaluate(paths, gold, pred_dir, cv, no_learn, codebook_path, similarity, learn_from,
              learn_transcripts, min_positives, unit, rules_only, split, level, by, out_dir,
              unfair):
    from ..errors import EvaluationError
    from ..evaluation import FREQUENCY_GROUPS, check_frequency_groups, evaluate

    check_learn_options(learn_from, learn_transcripts)
    keys = None
    if by is not None:
        keys = by.split(",")
    human = _read_gold(gold, split)
    shipped = None
    if pred_dir is not None:
        if paths or cv:
            raise EvaluationError("give either --pred or transcripts to code, not both",
                                  code="E630")
        _check_shared_out(out_dir, pred_dir=pred_dir)
        warn_if_pred_learned_from(pred_dir, human)
        ev = evaluate(human, pred_dir, level=level,  # ev.coding: the fingerprint measured
                      codebook=_pred_codebook(pred_dir, codebook_path))
        what = f"predictions in {pred_dir}"
    else:
        if not paths:
            raise EvaluationError("nothing to evaluate: give --pred RESULTS or the "
                                  "transcripts to code", code="E630")
        from .. import readers
        from ..codebook import load_codebook

        shared = _check_shared_out(out_dir, paths=paths)
        codebook = load_codebook(codebook_path)
        transcripts = readers.read_transcripts(list(paths))
        if keys is not None:  # checked before the slow part
            from ..tables import metadata_keys

            check_frequency_groups(keys, metadata_keys(
                [dict.fromkeys(FREQUENCY_GROUPS), *(t.metadata for t in transcripts)]))
        learner = None if min_positives is None else {"min_positives": min_positives}
        if cv:
            from ..coding.bundled import USER_WEIGHT, bundled_coder
            from ..evaluation.cv import cross_validate

            base = None if no_learn or rules_only else bundled_coder(
                codebook, unit=unit, similarity=similarity)
            res = cross_validate(transcripts, human, codebook=codebook, k=cv, unit=unit,
                                 similarity=similarity, learn=not no_learn, level=level,
                                 coder_options={"learner_options": learner},
                                 fit_options=None if base is None else
                                 {"base": base, "weight": USER_WEIGHT})
            ev = res.evaluation
            what = (f"{cv}-fold cross-validation ({'codebook alone' if no_learn else 'learning'}"
                    + (" on top of the gold of the coder bundled with the codebook"
                       if base is not None else "") + f", similarity {similarity})")
            if base is not None:  # the same turns, coded without the human's coding
                warn_if_learned_from(transcripts, human)
                shipped = evaluate(human, base.code(res.result.segment_list), level=level)
        else:
            from ..coding import Coder

            coder = Coder(codebook, unit=unit, similarity=similarity, learner_options=learner)
            if shared:
                # the evidence in disagreements.csv must not quote the (not
                # pseudonymised) --learn-transcripts, as in 'apply --pseudonymize'
                coder.set_params(quote_learned_from=False)
            if learn_from:
                learn(coder, transcripts, learn_from, learn_transcripts, gold=not rules_only)
                warn_if_evaluated_on_learned(coder, human)
            elif not rules_only:
                coder = bundled_or(coder)
                if coder.is_fitted() and coder.provenance_ == "bundled":
                    warn_if_learned_from(transcripts, human)
            ev = evaluate(human, coder.code(transcripts), level=level)
            kind = coder_description(coder)["kind"]
            what = f"codebook {codebook.id} {codebook.version}, similarity {similarity}" + (
                {"learned": ", learned", "bundled": ", the coder bundled with the codebook"}
                .get(kind, ""))
    # how the figures were made, for agreement.json
    ev.options.update({"evaluated": what, "split": split, "paths": [str(p) for p in paths],
                       "pred": str(pred_dir) if pred_dir is not None else None,
                       "cv": cv, "learn": None if pred_dir is not None else not no_learn,
                       "similarity": None if pred_dir is not None else similarity,
                       "unit": None if pred_dir is not None else unit,
                       "learn_from": [str(p) for p in learn_from],
                       "learn_transcripts": [str(p) for p in learn_transcripts],
                       "min_positives": min_positives, "by": keys,
                       # the files evaluate coded itself, so that a report can tell
                       # whether they are its run's interviews or others
                       "inputs_sha256": None if pred_dir is not None else
                       _evaluated_files(transcripts, human)})
    compared = errors = None
    if keys is not None:  # before anything is printed: E631 for a column --pred lacks
        compared, errors = ev.frequencies(by=keys), ev.frequency_errors(by=keys)
    n_fp = int((ev.disagreements["kind"] == "FP").sum())
    n_fn = int((ev.disagreements["kind"] == "FN").sum())
    units = int(ev.per_code["n_units"].max()) if len(ev.per_code) else 0
    click.echo(f"Agreement with human coding ({what}; {units} {ev.unit}s"
               + (f", split {split}" if split else "") + "):")
    click.echo(ev.table())
    click.echo(f"{plural(n_fp, 'false positive')}, {plural(n_fn, 'false negative')}.")
    ev.warnings = [w.record() for w in unfair]
    if shipped is not None:
        click.echo(good_enough(ev.per_code, ev.macro["alpha"], shipped.macro["alpha"],
                               fair=not unfair))
    if errors is not None:
        kind = "Theme" if level == "theme" else "Code"
        click.echo(f"\n{kind} frequencies, share of {ev.unit}s coded (all evaluated "
                   f"transcripts), and "
                   f"how far codingkit's share is off per {', '.join(dict.fromkeys(keys))} "
                   f"({int(errors['groups'].max()) if len(errors) else 0} groups; "
                   "percentage points):")
        click.echo(_frequency_table(errors))
    if out_dir is not None:
        from ..fileio import atomic_write_text
        from ..tables import frame_csv_text

        _names_only_if_shared(ev.options, out_dir)
        written = ev.write(out_dir)
        if compared is not None:
            p = Path(out_dir) / "frequencies_compared.csv"
            atomic_write_text(p, frame_csv_text(compared))
            written.append(p)
        click.echo(f"Wrote {', '.join(p.name for p in written)} to {out_dir}")


def _check_shared_out(out_dir, *, pred_dir=None, paths=()) -> bool:
    """Whether ``out_dir`` is inside a folder meant to be shared
    (pseudonymised results or copies); E808 when it is and the texts
    disagreements.csv would quote are not pseudonymised: ``--pred`` results
    that were not pseudonymised, or PATHS that are not all pseudonymised
    copies (codingkit codes the originals themselves there)."""
    from .. import readers
    from ..evaluation import check_agreement_location

    if out_dir is None:
        return False
    # before the coding, as Evaluation.write says it
    if pred_dir is not None:
        return check_agreement_location(out_dir, pred=pred_dir)
    return check_agreement_location(
        out_dir, paths=lambda: [f.path for f in readers.input_files(list(paths))])


def _names_only_if_shared(options: dict, out_dir) -> None:
    """The files of agreement.json's ``options`` by name only (not the folders
    they are in) when ``out_dir`` is inside a folder of pseudonymised results
    or copies, which is meant to be shared: a path carries the home folder
    and folder names, and manifest.json there records none (``pred`` keeps
    the results folder's name, ``evaluated`` says it)."""
    from ..pseudonymize import pseudonymized_results_folder

    if pseudonymized_results_folder(Path(out_dir) / "agreement.json") is None:
        return
    for key in ("gold", "paths", "learn_from", "learn_transcripts"):
        if isinstance(options.get(key), list):
            options[key] = [Path(str(p)).name for p in options[key]]
    if options.get("pred"):
        pred = Path(str(options["pred"]))
        name = pred.resolve().name or pred.name
        if isinstance(options.get("evaluated"), str):
            options["evaluated"] = options["evaluated"].replace(str(options["pred"]), name)
        options["pred"] = name


class _recording_unfair:
    """Within: every :class:`~codingkit.errors.UnfairTestWarning` issued is
    also kept (a list, the context's value), for agreement.json; warnings
    are shown as before."""

    def __enter__(self) -> list:
        import warnings

        from ..errors import UnfairTestWarning

        self.kept: list = []
        self.shown = warnings.showwarning

        def show(message, category, *args, **kw):
            if isinstance(message, UnfairTestWarning) and not any(
                    str(message) == str(k) for k in self.kept):
                self.kept.append(message)
            return self.shown(message, category, *args, **kw)

        warnings.showwarning = show
        return self.kept

    def __exit__(self, *exc) -> None:
        import warnings

        warnings.showwarning = self.shown


#: What the loop aims for after learning from a researcher's coding
#: (issue 13): macro alpha, and every theme at least.
GOAL_MACRO, GOAL_THEME = 0.80, 0.65


def good_enough(per_code, macro: float, before: float, *, fair: bool = True) -> str:
    """What a cross-validation of learning on top of the gold says to the
    researcher (``per_code``: its per-code table, ``macro`` its macro alpha;
    ``before``: the bundled coder's alone): the gain from their coding, and
    whether it reaches the goal. Not ``fair`` (the bundled coder learned
    from the turns evaluated): no verdict, the figures cannot tell."""
    low = [r.code for r in per_code.itertuples() if not r.alpha >= GOAL_THEME]
    lines = [f"Learning from your coding: macro alpha {macro:.2f} on the turns you coded, "
             f"cross-validated (the bundled coder without your coding: {before:.2f}, "
             f"{macro - before:+.2f})."]
    if not fair:
        lines.append("Whether that reaches codingkit's goal these figures cannot tell: "
                     "agreement on these turns is not a fair test (see the warning above); "
                     "cross-validate on interviews the bundled coder did not learn from.")
    elif macro >= GOAL_MACRO and not low:
        lines.append(f"Good enough by codingkit's goal (macro alpha >= {GOAL_MACRO:.2f}, every "
                     f"theme >= {GOAL_THEME:.2f}; two human coders agree at about 0.92).")
    else:
        lines.append(f"Not yet at codingkit's goal (macro alpha >= {GOAL_MACRO:.2f}, every theme "
                     f">= {GOAL_THEME:.2f}; two human coders agree at about 0.92)"
                     + (f"; below it: {', '.join(low)}" if low else "")
                     + ": code more turns ('codingkit suggest ... --model', after 'apply "
                       "--learn-from ... --save-model').")
    return "\n".join(lines)


def _pred_codebook(pred_dir: Path, codebook_path: Path | None):
    """The codebook of a results folder, so that ``--pred`` lists codes in
    codebook order as every other table does: ``--codebook`` when given,
    else the one its manifest.json names (when that file is unchanged);
    ``None`` (codes in alphabetical order) when neither is found."""
    from ..codebook import load_codebook
    from ..errors import ResultsFolderError
    from ..writers.readback import find_codebook, read_manifest

    if codebook_path is not None:
        return load_codebook(codebook_path)
    try:
        cb = read_manifest(pred_dir)["codebook"]  # checked against its schema
    except ResultsFolderError:
        return None  # evaluate refuses the folder itself
    from ..fileio import sha256_file

    path = find_codebook(cb, Path(pred_dir))  # the bundled one wherever codingkit is now
    if path is None or (cb.get("sha256") and sha256_file(path) != cb["sha256"]):
        return None
    if path.suffix.lower() == ".qdc":
        from ..refiqda import read_qdc

        return read_qdc(path)
    return load_codebook(path)


def _frequency_table(errors) -> str:
    """:meth:`Evaluation.frequency_errors` as a plain-text table (shares in %)."""
    from ..evaluation import text_table

    head = ["code", "human", "codingkit", "mean |diff|", "max |diff|"]
    return text_table([head] + [
        [r.code, f"{100 * r.human_share:.1f}%", f"{100 * r.codingkit_share:.1f}%",
         f"{100 * r.mean_abs_difference:.1f}", f"{100 * r.max_abs_difference:.1f}"]
        for r in errors.itertuples(index=False)])


@cli.command("tune")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--gold", "-g", multiple=True, required=True, type=click.Path(path_type=Path),
              callback=_paths, help=_GOLD_HELP)
@click.option("--out", "-o", "out_path", required=True, type=click.Path(path_type=Path),
              help="The tuned copy of the codebook (.yaml). The original is never written.")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="Codebook to tune (.yaml or .qdc). Default: the bundled codebook.")
@click.option("--cv", "cv", type=int, default=5, show_default=True, metavar="K",
              help="Folds of the cross-validation that estimates the tuned agreement.")
@click.option("--metric", type=click.Choice(["f1", "kappa", "alpha", "precision", "recall"]),
              default="f1", show_default=True, help="What the thresholds maximise.")
@click.option("--similarity", type=click.Choice(BACKENDS), default="tfidf",
              show_default=True, help="The backend the thresholds are for.")
@click.option("--unit", type=click.Choice(["turn", "sentence", "paragraph"]), default="turn",
              show_default=True)
@click.option("--split", multiple=True, callback=_joined,
              help="Only tune on the transcripts of these splits (e.g. dev), comma-separated "
                   "or repeated.")
@click.option("--min-positives", type=click.IntRange(min=0), default=TUNE_MIN_POSITIVES,
              show_default=True, metavar="N",
              help="A code the human coded in fewer segments keeps the codebook's threshold "
                   "(with a warning naming it).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def tune_command(paths, gold, out_path, codebook_path, cv, metric, similarity, unit, split,
                 min_positives, force):
    """Choose each code's similarity threshold from human coding.

    Thresholds maximise F1 (or --metric) of the codebook alone; the
    agreement they reach is estimated by cross-validation over whole
    transcripts. The thresholds are written to a copy of the codebook, which
    keeps the original's comments and layout; a code with fewer than
    --min-positives human-coded segments keeps its threshold.

    \b
    Example:
      codingkit tune gold/transcripts/ --gold gold/train2_coding.csv --out tuned.yaml
      codingkit apply transcripts/ --codebook tuned.yaml --out results/
    """
    from .. import readers
    from ..codebook import load_codebook
    from ..errors import EvaluationError
    from ..evaluation.cv import tune_thresholds, write_tuned_codebook

    codebook = load_codebook(codebook_path)
    if codebook.path is not None and out_path.resolve() == Path(codebook.path).resolve():
        raise EvaluationError("tune never overwrites the codebook it tunes; name another "
                              "file with --out", path=out_path, code="E622")
    if out_path.exists() and not force:
        raise EvaluationError("the output codebook exists; use --force to replace it",
                              path=out_path, code="E623")
    human = _read_gold(gold, split)
    transcripts = readers.read_transcripts(list(paths))
    res = tune_thresholds(transcripts, human, codebook=codebook, k=cv, metric=metric,
                          unit=unit, similarity=similarity, min_positives=min_positives)
    table = res.table.copy()
    for col in table.columns[4:]:
        table[col] = table[col].map(lambda v: f"{v:.2f}")
    table["threshold"] = [f"{t:.2f}" + (" (kept)" if c in res.kept else "")
                          for c, t in zip(table["code"], table["threshold"])]
    table["old_threshold"] = table["old_threshold"].map(
        lambda v: "–" if v is None or v != v else f"{v:.2f}")
    click.echo(f"Similarity thresholds ({similarity}) maximising {metric}; "
               f"{metric}_cv: {cv}-fold cross-validated estimate:")
    click.echo(table.to_string(index=False))
    macro = res.evaluation.macro
    click.echo(f"Cross-validated macro alpha {macro['alpha']:.2f}, kappa {macro['kappa']:.2f}, "
               f"F1 {macro['f1']:.2f}.")
    write_tuned_codebook(codebook, res.thresholds, out_path, force=force)
    click.echo(f"Wrote {out_path} (a copy of {codebook.path or codebook.id}; "
               f"{len(res.thresholds)} of {len(table)} thresholds tuned).")


def _evaluated_files(transcripts, human) -> list[str]:
    """The sha256 of the files whose transcripts the human coded (those evaluated)."""
    coded = set(human.sources)
    return sorted({t.sha256 for t in transcripts if t.sha256 and t.source in coded})


def warn_if_evaluated_on_learned(coder, human) -> None:
    """Warn when the human coding evaluated is (partly) the coding just
    learned from: agreement on it is not a test; ``--cv`` is."""
    import warnings

    from ..errors import UnfairTestWarning

    learned = set(coder.training_segment_ids_[coder.base_segments_:])
    if human.kind == "turn":
        keys = human.turns if human.turns is not None else human.codings
        ids = {f"{s}:{t}" for s, t in zip(keys["source"], keys["turn"])}
    else:
        ids = set()
    both = learned & ids
    if both:
        warnings.warn(UnfairTestWarning(
            f"{plural(len(both), 'turn')} evaluated {'was' if len(both) == 1 else 'were'} "
            "learned from (--learn-from): agreement on them is not a fair test; for the "
            "agreement on what you coded, give it as --gold alone with --cv K",
            kind="evaluated_learned", details={"turns": len(both), "of": len(ids)}))


def warn_if_pred_learned_from(pred_dir: Path, human=None) -> None:
    """As :func:`warn_if_learned_from`, for a results folder (``--pred``)
    that the bundled coder coded (its manifest.json says so)."""
    from ..errors import ResultsFolderError
    from ..writers.readback import read_manifest

    try:
        manifest = read_manifest(pred_dir)  # checked against its schema
        coder = manifest["options"]["coder"]["kind"]
        inputs = [(i["source"], i["sha256"]) for i in manifest["inputs"]]
    except (ResultsFolderError, KeyError, TypeError):
        return  # not ours, or older: evaluate's own checks speak
    if coder == "bundled":
        _warn_learned(_evaluated(inputs, human))


def warn_if_learned_from(transcripts, human=None) -> None:
    """Warn when the bundled coder learned from some of the transcripts
    evaluated — those of ``transcripts`` that ``human`` (the human coding,
    after ``--split``) codes, all of them without it: its agreement on them
    says little about new interviews."""
    _warn_learned(_evaluated([(t.source, t.sha256) for t in transcripts], human))


def _evaluated(sources: list[tuple[str, str]], human) -> list[tuple[str, str]]:
    """The ``(source, sha256)`` of ``sources`` that the human coding covers."""
    if human is None:
        return sources
    covered = set(human.sources)
    return [(source, sha) for source, sha in sources if source in covered]


def _warn_learned(sources: list[tuple[str, str]]) -> None:
    import warnings

    from ..coding.bundled import bundled_info
    from ..errors import UnfairTestWarning

    info = bundled_info()
    seen = {t["sha256"] for t in info["learned_from"]["transcripts"]} if info else set()
    known = [source for source, sha in sources if sha in seen]
    if known:
        warnings.warn(UnfairTestWarning(
            f"the coder bundled with the default codebook learned from {len(known)} of these "
            f"{len(sources)} transcripts (such as {known[0]!r}): agreement on them is not "
            "a fair test; evaluate on other interviews, or add --rules-only",
            kind="bundled_learned_from",
            details={"transcripts": len(known), "of": len(sources), "example": known[0]}))
