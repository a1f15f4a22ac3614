"""``codingkit apply``: read transcripts, code them, write the tables."""

from __future__ import annotations

from pathlib import Path

import click

from ..coding.coder import SIMILARITY_OPTIONS
from ..writers import FORMATS
from .main import cli
from .options import Phases, inputs_read, plural, split_paths, split_values
from .pseudonymize_cmd import _pseudo_options, apply_pseudonymization as _pseudonymize


@cli.command("apply")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the results (created; refused if not empty without --force).")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="Codebook (.yaml or .qdc). Default: the bundled innovationsupphandling codebook.")
@click.option("--unit", type=click.Choice(["turn", "sentence", "paragraph"]), default="turn",
              show_default=True, help="What one coded segment is.")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              help="CSV with file, project, round, role[, interviewer, ...]. "
                   "Default: manifest.csv in an input folder.")
@click.option("--speaker-pattern", metavar="REGEX",
              help="Regular expression for a speaker label at line start, with a named group "
                   "'speaker' (overrides automatic recognition).")
@click.option("--text-column", metavar="NAME", help="Survey files: the column with the answers.")
@click.option("--id-column", metavar="NAME", help="Survey files: the column with respondent ids.")
@click.option("--similarity", type=click.Choice(SIMILARITY_OPTIONS), default="tfidf",
              show_default=True,
              help="Similarity to the codebook's examples: TF-IDF, sentence embeddings "
                   "(pip install codingkit[semantic]) or none (rules only).")
@click.option("--learn-from", "learn_from", multiple=True, type=click.Path(path_type=Path),
              callback=lambda ctx, param, v: split_paths(v),
              help="Human coding (CSV, folder, a filled-in coding sheet .xlsx or a coded "
                   ".qdpx; see 'codingkit evaluate') to learn from before coding; its "
                   "transcripts are among PATHS or given with --learn-transcripts. With the "
                   "default codebook it is learned on top of the gold interviews, weighing "
                   "more. Repeatable: each sheet or project is a round, a later round's "
                   "coding of a turn counts.")
@click.option("--learn-transcripts", "learn_transcripts", multiple=True,
              type=click.Path(path_type=Path), metavar="PATH",
              callback=lambda ctx, param, v: split_paths(v),
              help="With --learn-from: the transcripts (files or folders) the human coding "
                   "belongs to, when they are not among PATHS, e.g. last round's interviews. "
                   "They are learned from, not coded. Repeatable.")
@click.option("--min-positives", type=click.IntRange(min=0), default=None, metavar="N",
              help="With --learn-from: segments a human must have coded with a code before "
                   "it is learned (default 30; fewer keep the codebook's coding).")
@click.option("--save-model", "save_model", type=click.Path(path_type=Path), metavar="FILE",
              help="Also save the coder (codebook, options, what --learn-from learned) to "
                   "FILE, for --model in later runs.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Code with a coder saved by --save-model (its codebook, unit, similarity "
                   "and learning) instead of learning again. Load only files you trust.")
@click.option("--rules-only", is_flag=True,
              help="Code with the codebook alone (its rules and its examples), not with the "
                   "coder learned from the gold interviews that comes with the default "
                   "codebook; with --learn-from: learn from that coding alone.")
@click.option("--no-sense-check", "no_sense_check", is_flag=True,
              help="Keep learned codings that rest on a theme's words alone (by default "
                   "a learned coding is dropped when, without the words the rules matched, "
                   "the turn no longer looks like the theme: 'risk för regn', 'dialog "
                   "hemma').")
@click.option("--no-topic-check", "no_topic_check", is_flag=True,
              help="Keep learned codings of turns about something else than the evaluated "
                   "work (by default the coder bundled with the default codebook drops a "
                   "learned coding of a turn it finds about private life or other matters: "
                   "'vi ska köpa hus, finansieringen är klar').")
@click.option("--code-interviewer", is_flag=True,
              help="Also code the interviewer's turns (default: respondents only).")
@click.option("--format", "formats", multiple=True, metavar="[csv|parquet|xlsx|qdpx]",
              callback=lambda ctx, param, v: split_values(v, FORMATS, option="--format"),
              help="Also write the tables as parquet or xlsx, or a REFI-QDA project (qdpx); "
                   "several comma-separated or repeated. The CSV tables are always written.")
@click.option("--by", multiple=True, default=("project,round",), show_default=True,
              callback=lambda ctx, param, v: split_values(v),
              help="Metadata columns the frequencies are grouped by, comma-separated or "
                   "repeated.")
@click.option("--csv-raw", is_flag=True,
              help="Write the CSV cells verbatim. By default a cell starting with = + - @ "
                   "(a formula to Excel) or ' gets a leading ' so that a spreadsheet shows "
                   "it as text.")
@click.option("--force", is_flag=True, help="Write into a non-empty output folder.")
@click.option("--strict", is_flag=True,
              help="A sub-folder or file that cannot be read is an error (default: skipped "
                   "with a warning).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              metavar="N", help="Code in N processes (0: one per core); the results are "
                                "the same as with one.")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Keep each file's coding in DIR and reuse it when the file and the coder "
                   "are unchanged: a rerun codes only new and changed files.")
@click.option("--pseudonymize", is_flag=True,
              help="Replace names, personnummer, phones, e-mails and addresses by pseudonyms "
                   "before coding, in the texts and in the file and folder names (needs "
                   "--key; see 'codingkit pseudonymize').")
@click.option("--key", "pseudo_key", type=click.Path(path_type=Path),
              help="With --pseudonymize: the key file, outside the results folder.")
@_pseudo_options
def apply_command(paths, out_dir, codebook_path, unit, manifest_path, speaker_pattern,
                  text_column, id_column, similarity, learn_from, learn_transcripts,
                  min_positives, save_model,
                  model_path, rules_only, no_sense_check, no_topic_check, code_interviewer,
                  formats, by, csv_raw, force, strict, quiet, jobs, cache_dir, pseudonymize,
                  pseudo_key, lists, keep, pseudonym_format):
    """Code transcripts with a codebook and write segments, codings and frequencies.

    PATHS are transcript files (.txt .md .docx .vtt .srt, survey .csv .xlsx)
    or folders (read recursively).

    \b
    Example:
      codingkit apply transcripts/ --out results/
      codingkit apply intervjuer/ --codebook min_kodbok.yaml --unit sentence \\
          --format parquet --out results/
      codingkit apply omg2/ --learn-from kodning_omg1.csv --learn-transcripts omg1/ \\
          --out results_omg2/
    """
    from ..fileio import terminate_as_interrupt
    from ..writers import results_folder

    formats = ("csv", *(f for f in dict.fromkeys(formats) if f != "csv"))
    by_keys = tuple(by)
    if model_path is not None:
        ctx = click.get_current_context()
        own = {"codebook_path": "--codebook", "unit": "--unit", "similarity": "--similarity",
               "learn_from": "--learn-from", "learn_transcripts": "--learn-transcripts",
               "min_positives": "--min-positives",
               "code_interviewer": "--code-interviewer", "rules_only": "--rules-only"}
        clash = [flag for name, flag in own.items()
                 if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
        if clash:
            raise click.UsageError(f"--model brings its own codebook, options and learning; "
                                   f"leave out {', '.join(clash)}")
    check_learn_options(learn_from, learn_transcripts)
    check_out_not_input(out_dir, paths)
    # the results folder is checked and locked before the slow part, written
    # beside --out and moved into place at the end (whole results or none);
    # SIGTERM cleans up as Ctrl-C does
    with terminate_as_interrupt(), results_folder(out_dir, force=force) as folder:
        summary, written = _apply(
            folder, paths, out_dir, codebook_path, unit, manifest_path, speaker_pattern,
            text_column, id_column, similarity, learn_from, learn_transcripts,
            min_positives, save_model, model_path, rules_only, no_sense_check, no_topic_check,
            code_interviewer, formats, by_keys, csv_raw, strict, quiet,
            (pseudonymize, pseudo_key, lists, keep, pseudonym_format), (jobs, cache_dir))
    click.echo(summary)
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {out_dir}")
    if save_model is not None:
        click.echo(f"Saved the coder to {save_model} (code with it later: --model {save_model})")
    if pseudonymize:
        click.echo(f"The key to the pseudonyms is in {pseudo_key}: keep it apart from the "
                   "results; 'codingkit depseudonymize' needs it to put the originals back.")
    if force:  # agreement figures kept in --out now measure another coding: say so
        from ..report.results import stale_agreement

        stale = stale_agreement(out_dir)
        if stale:
            from ..errors import one_line

            click.echo(f"Warning: {one_line(stale)}", err=True)


def _apply(folder, paths, out_dir, codebook_path, unit, manifest_path, speaker_pattern,
           text_column, id_column, similarity, learn_from, learn_transcripts,
           min_positives, save_model, model_path, rules_only, no_sense_check, no_topic_check,
           code_interviewer, formats, by_keys, csv_raw, strict, quiet, pseudo, run_options):
    """The run of ``apply`` inside its locked results folder (``pseudo``: the
    --pseudonymize options; ``run_options``: --jobs and --cache)."""
    from .. import readers
    from ..codebook import load_codebook
    from ..coding import Coder
    from ..pseudonymize import copies_options, renamed_sources
    from ..writers import WRITERS

    if model_path is not None:
        coder = Coder.load(model_path)
        codebook = coder._codebook()
    else:
        codebook = load_codebook(codebook_path)
        coder = Coder(codebook, unit=unit, code_interviewer=code_interviewer,
                      similarity=similarity, learner_options=None if min_positives is None
                      else {"min_positives": min_positives})
    bar = Phases(quiet)
    pseudonymize, pseudo_key, lists, keep, pseudonym_format = pseudo
    files = readers.input_files(list(paths), manifest=manifest_path,
                                speaker_pattern=speaker_pattern, text_column=text_column,
                                id_column=id_column, strict=strict)
    # pseudonymised copies (their folder's marker) code as a pseudonymised run;
    # copies mixed with originals are refused (E807), before anything is read
    copies = None if pseudonymize else copies_options([f.path for f in files],
                                                      manifest=manifest_path)
    check_shared_outputs(out_dir, cache_dir=run_options[1], save_model=save_model,
                         pseudonymized=pseudonymize or copies is not None,
                         learn_transcripts=learn_transcripts, coder=coder)
    two_pass = None
    if not (pseudonymize or learn_from) and not any(WRITERS[f].needs_text for f in formats):
        # each file read now to check it, and again when its part is coded:
        # memory does not grow with the corpus (benchmarks/RESULTS.md)
        from ..run import TwoPassInput

        two_pass = TwoPassInput(files, count=None if coder.unit == "sentence"
                                else lambda ts: _segments_to_code(coder, codebook, ts))
        transcripts = two_pass.read(progress=bar.counts("reading", "files")).transcripts
    else:
        transcripts = readers.read_files(files, progress=bar.counts("reading", "files"))
    bar.close()
    read = transcripts
    transcripts, pseudo_options = _pseudonymize(transcripts, pseudonymize, pseudo_key, out_dir,
                                                lists, keep, pseudonym_format, codebook)
    if copies is not None:
        pseudo_options = copies
    from ..tables import check_group_keys, warn_duplicate_sources, warn_unknown_groups

    check_group_keys((t.metadata for t in transcripts), by_keys)  # before the slow part
    warn_unknown_groups(transcripts, by_keys)
    warn_duplicate_sources(transcripts)
    if model_path is None and not (rules_only or learn_from):
        # loaded once the input is read and checked: a bad file is said at once
        coder = bundled_or(coder)
    if pseudonymize or copies is not None:
        # the evidence of a learned coding must not quote the (not
        # pseudonymised) interviews the coder learned from
        coder.set_params(quote_learned_from=False)
    if no_sense_check:
        coder.set_params(sense_check=False)
    if no_topic_check:
        coder.set_params(topic_check=False)
    learned_inputs = None
    if learn_from:
        # pseudonymised in memory (--pseudonymize): the coder is told, unless
        # --learn-transcripts (never pseudonymised) are learned from too
        # the human coding names the files as they are, the inputs have
        # their pseudonymised names (--pseudonymize): the coding is renamed
        learned_inputs = learn(coder, transcripts, learn_from, learn_transcripts,
                               gold=not rules_only, speaker_pattern=speaker_pattern,
                               pseudonymized=True if pseudonymize and not learn_transcripts
                               else None, renamed=renamed_sources(read, transcripts),
                               text_column=text_column, id_column=id_column)
    if not coder.is_fitted():
        coder.fit()  # on the codebook alone
    _warn_uncodable(coder)
    if save_model is not None:
        coder.save(save_model)

    jobs, cache_dir = run_options
    options = {"speaker_pattern": speaker_pattern,
               "text_column": text_column, "id_column": id_column,
               "manifest": str(manifest_path) if manifest_path else None,
               "learn_from": [str(p) for p in learn_from],
               "learn_transcripts": [str(p) for p in learn_transcripts],
               "min_positives": min_positives,
               "model": str(model_path) if model_path else None,
               "model_sha256": _sha256(model_path),
               "save_model": str(save_model) if save_model else None,
               "rules_only": rules_only,
               "coder": coder_description(coder),
               "learned_from": learned_inputs, **pseudo_options}
    writer, written = _code_and_write(
        coder, codebook, transcripts, folder, bar, formats=formats, by_keys=by_keys,
        csv_raw=csv_raw, jobs=jobs, cache_dir=cache_dir, options=options, two_pass=two_pass)
    how = coder_description(coder)
    by_whom = {"bundled": f" and the coder learned from its {how.get('interviews')} gold "
                          "interviews",
               "learned": " and what it learned from the human coding"}.get(how["kind"], "")
    if learned_inputs and learned_inputs["on_top_of"]:
        by_whom = (f" and what it learned from its {learned_inputs['on_top_of']['interviews']} "
                   f"gold interviews and {plural(learned_inputs['turns'], 'turn')} of your "
                   "coding")
    summary = (
        f"Coded {plural(writer.segments, 'segment')} from "
        f"{inputs_read(transcripts)} with codebook {codebook.id} "
        f"{codebook.version}{by_whom}: {plural(writer.codings, 'coding')} in "
        f"{plural(writer.coded_segments, 'segment')}, {plural(len(writer.themes), 'theme')}."
    )
    if copies is not None:
        summary += ("\nThe inputs are pseudonymised copies ('codingkit pseudonymize'): the "
                    "results are marked pseudonymised, and manifest.json records no path.")
    return summary, written


def _warn_uncodable(coder) -> None:
    """Warn about each theme this run cannot code (no rule, no example it
    can use, no human coding learned): its 0 % would read as "nobody raised it"."""
    from ..codebook import warn_uncodable_themes

    positives = getattr(coder.learner_, "positives_", None) or {}
    warn_uncodable_themes(coder._codebook(), similarity=coder.similarity != "none",
                          learned=[c for c, n in positives.items() if n > 0])


def _code_and_write(coder, codebook, transcripts, folder, bar, *, formats, by_keys, csv_raw,
                    jobs, cache_dir, options, two_pass=None):
    """Code the transcripts part by part (--jobs, --cache) and write each
    part's tables into ``folder`` as it comes; the writer (its counts) and
    the files written (``two_pass``: the transcripts are kept without their
    text and read again part by part)."""
    from ..run import CodingCache, code_parts
    from ..writers import ResultWriter

    # the cache's place was checked before reading (check_shared_outputs)
    cache = (CodingCache(cache_dir, coder, pseudonymized=options.get("pseudonymized") is True)
             if cache_dir is not None else None)
    try:
        if bar.on:
            bar.start("coding", two_pass.counted if two_pass is not None else
                      _segments_to_code(coder, codebook, transcripts), "segments")
        streamed = {} if two_pass is None else {"reread": two_pass.reread,
                                                "size": two_pass.size}
        # the place was checked before reading (check_shared_outputs): the
        # writer is told whether the texts are pseudonymised
        with ResultWriter(folder, coder.codebook_, transcripts, formats=formats, by=by_keys,
                          csv_raw=csv_raw,
                          columns=None if two_pass is None else two_pass.columns,
                          pseudonymized=options.get("pseudonymized") is True) as writer:
            for part in code_parts(coder, transcripts, jobs=jobs, cache=cache,
                                   progress=bar.update if bar.on else None, **streamed):
                writer.add(part)
            bar.close()
            if cache is not None:
                options = {**options, "cache": str(cache_dir),
                           "cached_files": cache.hits}
            written = writer.close(options=options, progress=bar.counts("writing", "files"))
    finally:
        bar.close()
    return writer, written

def _segments_to_code(coder, codebook, transcripts) -> int | None:
    """How many segments the coder will code (the coding bar's total): turns
    or paragraphs in the codebook's speaker roles; ``None`` for sentences
    (cutting sentences twice would cost as much as the coding)."""
    if coder.unit == "sentence":
        return None
    from ..segmenting import segment

    return len(coder._todo(segment(transcripts, coder.unit)))  # the segments code() codes


def check_shared_outputs(out_dir, *, cache_dir, save_model, pseudonymized: bool,
                         learn_transcripts, coder=None) -> None:
    """E808, before the reading, when the run would write texts that are not
    pseudonymised inside a folder meant to be shared (pseudonymised results
    or copies): the results (``--out``) or the cache (``--cache``: the coded
    texts) of a run that is not pseudonymised, or a coder (``--save-model``)
    holding texts it learned from that are not: those of such a run, of
    ``--learn-transcripts`` (never pseudonymised), or those the ``coder`` it
    starts from holds (a ``--model``). The checks, and messages, of
    ResultWriter, CodingCache and Coder.save, which check again as they
    write."""
    from ..coding.coder import check_coder_location
    from ..run import check_cache_location
    from ..writers import check_results_location

    if not pseudonymized:
        check_results_location(out_dir)  # as ResultWriter checks it, before the reading
        if cache_dir is not None:
            check_cache_location(cache_dir)
    if save_model is not None:
        check_coder_location(save_model, unless=lambda: pseudonymized and not learn_transcripts
                             and not getattr(coder, "holds_originals_", False))


def check_out_not_input(out_dir, paths) -> None:
    """E407 when the results folder is an input folder or holds one (a
    --out *inside* an input folder is fine: it is skipped when read)."""
    from ..errors import OutputError

    out = Path(out_dir).resolve()
    for p in paths:
        p = Path(p).resolve()
        if p == out or out in p.parents:
            raise OutputError(f"the results folder would hold the input {str(p)!r}; expected "
                              "a --out of its own (e.g. beside the transcripts)",
                              path=out_dir, code="E407")


def bundled_or(coder):
    """The learned coder that comes with ``coder``'s codebook (the default
    codebook has one), for the same options; else ``coder`` itself, with a
    warning when only the options stand in the way."""
    import warnings

    from ..coding.bundled import bundled_coder, bundled_info
    from ..errors import CodingkitWarning

    codebook = coder._codebook()
    found = bundled_coder(codebook, unit=coder.unit, similarity=coder.similarity,
                          code_interviewer=coder.code_interviewer)
    if found is not None:
        return found
    info = bundled_info(codebook.id)
    if coder.similarity == "none":  # rules only, as asked: nothing to say
        return coder
    if info is not None and info["codebook"] == {"id": codebook.id, "version": codebook.version}:
        opts = info["options"]
        warnings.warn(CodingkitWarning(
            f"the learned coder of codebook {codebook.id} codes {opts['unit']}s with "
            f"{opts['similarity']} similarity"
            + (", respondents only" if not opts["code_interviewer"] else "")
            + "; with these options the codebook alone codes (as with --rules-only)"))
    return coder


def coder_description(coder) -> dict:
    """What coded, for manifest.json and the summary line."""
    from ..coding.bundled import bundled_info, bundled_paths

    if coder.learner_ is None:
        return {"kind": "codebook"}
    info = bundled_info(coder.codebook_.id)
    path, _ = bundled_paths(coder.codebook_.id)
    if info is not None and coder.provenance_ == "bundled":
        return {"kind": "bundled", "file": path.name, "sha256": info["coder_sha256"],
                "built": info["built"], "interviews": info["learned_from"]["interviews"]}
    return {"kind": "learned", "segments": len(coder.training_segment_ids_)}


def learn(coder, transcripts, learn_from, learn_transcripts, *, gold: bool = True,
          pseudonymized: bool | None = None, renamed: dict[str, str] | None = None,
          **read_options) -> dict:
    """Fit ``coder`` on the human coding of ``learn_from`` (rounds: every
    sheet and project one, see :func:`codingkit.humancoding.read_coding_rounds`)
    and return what it learned from, for manifest.json. With a codebook that
    has a bundled coder (the default codebook), it learns on top of that
    coder's gold, the human coding weighing ``USER_WEIGHT``. ``pseudonymized``:
    :meth:`~codingkit.Coder.fit`'s (whether the texts learned from are).
    ``renamed``: the transcripts' names in the coding that ``transcripts``
    have under other names (original → pseudonymised)."""
    from ..coding.bundled import USER_WEIGHT, bundled_coder
    from ..errors import EvaluationError
    from ..fileio import sha256_file
    from ..humancoding import read_coding_rounds

    coded_by_hand = hand_coded_transcripts(transcripts, learn_transcripts, **read_options)
    rounds = [h.renamed(renamed) for h in read_coding_rounds(list(learn_from))]
    base = bundled_coder(coder._codebook(), unit=coder.unit, similarity=coder.similarity,
                         code_interviewer=coder.code_interviewer) if gold else None
    weight = USER_WEIGHT if base is not None else 1.0
    try:
        coder.fit(coded_by_hand, rounds, base=base, weight=weight,
                  pseudonymized=pseudonymized)
    except EvaluationError as err:
        if getattr(err, "sources_differ", False) and not learn_transcripts:
            err.message += "; or name them with --learn-transcripts"
        raise
    warn_sparse_coding(rounds, coded_by_hand)
    # what was learned from: the coding's files and the hand-coded
    # transcripts that are not among the inputs
    coded_sources = {s for h in rounds for s in h.sources}
    return {
        "files": [{"path": str(p), "sha256": sha256_file(p)} for h in rounds for p in h.paths],
        "transcripts": [{"path": str(t.path) if t.path else None, "source": t.source,
                         "sha256": t.sha256}
                        for t in coded_by_hand[len(transcripts):] if t.source in coded_sources],
        "turns": len(coder.training_segment_ids_) - coder.base_segments_,
        "weight": weight,
        "on_top_of": coder_description(base) if base is not None else None}


#: Below this share of a transcript's respondent turns carrying a code, a
#: turn coding without a list of the turns read is probably a list of the
#: relevant turns only (see :func:`warn_sparse_coding`).
SPARSE_CODING = 0.2


def warn_sparse_coding(rounds, transcripts) -> None:
    """Warn, once per file, when turn coding without a list of the turns
    read codes under :data:`SPARSE_CODING` of a transcript's respondent
    turns: every other respondent turn of it is then learned as about no
    theme, which is wrong if the coder only listed the turns that mattered."""
    import warnings

    from ..errors import CodingkitWarning
    from ..model import RESPONDENT

    respondent = {t.source: sum(turn.speaker_role == RESPONDENT for turn in t.turns)
                  for t in transcripts}
    for h in rounds:
        if h.kind != "turn" or h.turns is not None or h.codings.empty:
            continue
        coded = h.codings.groupby(h.codings["source"].astype(str))["turn"].nunique()
        sparse = [(src, int(k), respondent[src]) for src, k in coded.items()
                  if respondent.get(src, 0) >= 10 and k < SPARSE_CODING * respondent[src]]
        if sparse:
            src, k, n = sparse[0]
            more = f" (and {len(sparse) - 1} more transcripts)" if len(sparse) > 1 else ""
            warnings.warn(CodingkitWarning(
                f"codes {k} of the {n} respondent turns of {src}{more}; without a list of the "
                f"turns read, the other {n - k} are learned as about no theme (code every turn "
                f"you read, or give the list of turns read: source,turn)",
                path=h.paths[0] if h.paths else None), stacklevel=2)


def check_learn_options(learn_from, learn_transcripts) -> None:
    """--learn-transcripts only goes with --learn-from (apply and evaluate)."""
    if learn_transcripts and not learn_from:
        raise click.UsageError("--learn-transcripts names the transcripts of --learn-from's "
                               "human coding; give --learn-from too")


def hand_coded_transcripts(paths_read, learn_transcripts, **read_options):
    """The transcripts to learn from: those of PATHS (the human may have
    coded some of them) and those of ``--learn-transcripts``, read as PATHS
    are (``read_options``; a manifest.csv inside their folders is found),
    each source once; E632 when one name stands for two different texts."""
    from .. import readers
    from ..errors import EvaluationError

    out = list(paths_read)
    if not learn_transcripts:
        return out
    by_source = {t.source: t for t in out}
    for t in readers.read_transcripts(list(learn_transcripts), **read_options):
        other = by_source.get(t.source)
        if other is None:
            by_source[t.source] = t
            out.append(t)
        elif other.text != t.text:
            raise EvaluationError(
                f"two different transcripts are both named {t.source!r}, one among PATHS and "
                "one in --learn-transcripts; give the folders so that the names the human "
                "coding uses are unique", path=t.path or t.source, code="E632")
    return out


def _sha256(path):
    """The file's sha256, or None without a file."""
    from ..fileio import sha256_file

    return sha256_file(path) if path is not None else None
