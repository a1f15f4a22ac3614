"""The :class:`Coder`: apply a codebook to transcripts and explain each coding.

How a segment's score for a code is made
----------------------------------------
Up to three parts are computed for every segment × code:

*rule* ``r``
    The highest score of the code's matching rules (:mod:`.rules`; a rule's
    ``weight``, times the RapidFuzz similarity/100 for a fuzzy match).
    Exclusions of the code veto every rule (and the similarity part).
*similarity* ``s``
    The similarity to the code's reference texts
    (:mod:`.similarity`; negative examples already lower it), with the
    code's ``threshold`` ``t`` (codebook; default per backend,
    :data:`SIMILARITY_THRESHOLDS`). It is put on the rule scale by the
    piecewise-linear map ``part(s, t)``: 0 at 0, 0.5 at ``t``, 1 at 1.
*learned* ``l``
    After :meth:`Coder.fit` on human coding, for every code the human
    used: the probability of the per-code model (:mod:`.learned`; it sees
    the segment's words, the interviewer's question before it, its
    nearest human-coded segments and, weakly, the rule and similarity
    scores), mapped by ``part(l, t_l)`` with the threshold ``t_l`` the
    model chose under cross-validation.

The combined score is::

    codebook part:            c = max(r', part(s, t))     r' = max(r, 0.5) if a rule matched
    without a learned model:  score = c
    with a learned model:     score = combine(mode, part(l, t_l), c⁺)

with ``c⁺`` the codebook part of the code or, if higher, of a sub-code
whose rule matched. The code is applied when the score is at least 0.5, so
a rule match codes by itself unless a learned model says otherwise. Each
learned code gets the ``mode`` (:data:`codingkit.coding.learned.MODES`)
whose decisions agreed best with the human coder under the inner
cross-validation of :meth:`Coder.fit`:

``blend``     ``(L + c⁺) / 2`` (preferred on ties): rules still code, the
              learned model adds segments where it and the similarity agree
``codebook``  ``c``: the learned model is not used for this code
``or``        ``max(L, c⁺)``: either codes
``learned``   ``L``: the learned model decides alone (it also sees the rule
              and similarity scores among its features)

A code with fewer than ``min_positives`` (default 30) human-coded segments
always gets ``codebook``: so little coding cannot show that the model does
better; :meth:`Coder.fit` warns which codes these are. A sub-code coded by
similarity alone needs its parent coded too, and with a learned model a
sub-code is only kept when its (learned) parent is coded.

The stages of :meth:`Coder.code`, each in its own module: segments
(:mod:`codingkit.segmenting`) → rule scores (:mod:`.rules`) and similarity
scores (:mod:`.similarity`), sharing one tokenisation → the learned
model's features (:mod:`.features`) and scores (:mod:`.learned`) →
combination (:mod:`.combination`) → codings with their evidence (here).
Everything they use is set by :meth:`Coder.fit`, never while coding. How
the defaults were chosen, with the figures, is in ``benchmarks/RESULTS.md``.

Each coding's ``method`` says which part decided (``rule``, ``fuzzy``,
``similarity``, ``combined`` when rule and similarity both did, or
``learned``) and its ``evidence`` names every part that contributed:
``"rule: term(RFI) → 'RFI' | similarity 0.31; nearest example 0.31: '…'"``;
a learned coding also names the nearest segment the human coded with the
code: ``"learned 0.91 (threshold 0.34, learned) | nearest human-coded 0.62
(syd/02_upphandlare_omg1.txt:14): '…' | …"``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .combination import combine_parts, part
from .features import (  # noqa: F401 - re-exported
    MIN_CONTENT_WORDS,
    adjacent_answers,
    content_words,
    preceding_questions,
)
from .similarity import BACKENDS, DEFAULT_BACKGROUND, _short
from .topic import MIN_OFF_TOPIC, MIN_WORDS as TOPIC_MIN_WORDS, TOPIC_MIN, TopicCheck, \
    topic_features
from ..model import (
    INTERVIEWER,
    RESPONDENT,
    Codebook,
    Coding,
    CodingResult,
    Segment,
    Transcript,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..humancoding import HumanCoding

#: Segments are analysed in batches of this size (spaCy's tokenizer.pipe).
BATCH_SIZE = 256

#: Segments combined at a time (their segment × code arrays are the transient).
COMBINE_CHUNK = 4096

#: Segments scored at a time by :meth:`Coder.code` (their feature matrices
#: are the transient; a multiple of :data:`COMBINE_CHUNK`).
SCORE_CHUNK = COMBINE_CHUNK

#: Similarity options of :class:`Coder` (``"none"``: rules only).
SIMILARITY_OPTIONS = (*BACKENDS, "none")

#: Rule scores of training texts by codebook content and text, kept for the
#: process's next fit (:meth:`Coder._fit_rule_scores`); at most
#: ``_FIT_RULE_ROWS_MAX`` texts per codebook (about 10 MB).
_FIT_RULE_ROWS: dict[str, dict[str, "np.ndarray"]] = {}
_FIT_RULE_ROWS_MAX = 50_000

#: Default similarity threshold per backend, for codes without a
#: ``threshold`` in the codebook. Chosen on the development split of the
#: gold standard (``gold/``): with the default codebook's rules, lower
#: thresholds add more false than true positives there. ``codingkit tune``
#: finds per-code values for your own codebook and data.
SIMILARITY_THRESHOLDS = {"tfidf": 0.2, "semantic": 0.62}

#: The sense check (:meth:`Coder._sense_scores`): a learned coding whose
#: score stays under :data:`SENSE_CONFIDENT` is dropped when, with the words
#: the code's rules matched masked, the learned score falls below
#: ``SENSE_MASKED`` × the code's threshold: the coding rested on the word
#: alone, not on what the turn is about ("risk för regn på matchen").
#: Chosen on ``heldout4``–``heldout6`` (see ``benchmarks/RESULTS.md``).
SENSE_MASKED = 0.5
SENSE_CONFIDENT = 0.6

#: What a file written by :meth:`Coder.save` says it is.
SAVED_FORMAT = "codingkit-coder/2"

#: The first bytes of a saved coder (a zlib-compressed pickle follows).
_MAGIC = b"codingkit-coder\n"

#: Weight of a codebook example among the training rows of the learned
#: model (a human-coded segment weighs 1); the learner option
#: ``seed_weight`` overrides it.
SEED_WEIGHT = 0.5


#: The rule matchers coders built in this process, by all that builds one:
#: the codebook's path and its codes' ids, rules and exclusions, the Swedish
#: analyser, the registered rule kinds and the regex time limit (by
#: identity; kept beside the matcher so that no identity is reused). Building
#: the default codebook's matcher takes about 0.1 s, and every coder built
#: again for it (each ``apply`` in a process, each copy of the bundled coder)
#: built it again. A matcher's state after building is never changed; its
#: caches of word forms only remember answers, so coders share it.
_MATCHERS: dict[tuple, tuple[Any, tuple]] = {}
_MATCHERS_KEPT = 4


def _shared_rule_matcher(codebook: Codebook):
    """The :class:`~codingkit.coding.rules.RuleMatcher` of ``codebook``, shared
    with the coders of this process that built one from the same rules."""
    from ..patterns import time_limit
    from ..rulekinds import RULE_KINDS
    from ..swedish import get_analyzer
    from .rules import RuleMatcher

    analyzer = get_analyzer()
    kinds = tuple(RULE_KINDS.items())
    key = (codebook.path, tuple((c.id, c.codable, c.rules, c.exclusions) for c in codebook),
           id(analyzer), tuple((name, id(kind)) for name, kind in kinds), time_limit(0))
    try:
        kept = _MATCHERS.get(key)
    except TypeError:  # a rule holding a value that cannot be hashed: a matcher of its own
        return RuleMatcher(codebook, analyzer=analyzer)
    if kept is not None:
        return kept[0]
    matcher = RuleMatcher(codebook, analyzer=analyzer)
    while len(_MATCHERS) >= _MATCHERS_KEPT:
        _MATCHERS.pop(next(iter(_MATCHERS), None), None)
    _MATCHERS[key] = (matcher, (analyzer, kinds))
    return matcher


def _rounded(X):
    """``X`` at float32 precision (what a saved coder keeps), as float64."""
    import numpy as np

    return X.astype(np.float32).astype(np.float64)


class Coder:
    """Apply a codebook to Swedish transcripts.

    Parameters
    ----------
    codebook:
        The codebook; ``None`` loads the default codebook
        (``innovationsupphandling``).
    unit:
        The segment unit when transcripts are given: ``"turn"``,
        ``"sentence"`` or ``"paragraph"``.
    code_interviewer:
        Also code the interviewer's turns. By default only respondents'
        turns are coded (an interviewer's question is not evidence of a
        theme); every turn is still output as a segment.
    similarity:
        ``"tfidf"`` (default), ``"semantic"`` (sentence embeddings; needs
        ``pip install codingkit[semantic]``) or ``"none"`` (rules only).
    cache_dir:
        Folder of the embedding cache of the semantic backend (default:
        ``~/.cache/codingkit``, or ``$CODINGKIT_CACHE``).
    learner_options:
        Keyword arguments for :class:`~codingkit.coding.learned.LearnedModel`:
        ``C``, ``inner_folds``, ``metric``, and the features it sees:
        ``question_weight`` (the interviewer's question before a segment),
        ``neighbours``/``neighbour_weight`` (similarity to the human-coded
        segments of each code), ``rule_weight``, ``seed_weight`` (the
        codebook's examples), ``context_weight`` (the answers before and
        after), ``min_positives`` (human-coded segments a code needs before
        it is learned), ``modes`` (the combinations allowed). Defaults:
        :data:`codingkit.coding.learned.DEFAULTS`.
    quote_learned_from:
        Quote, in the evidence of a learned coding, the nearest human-coded
        segment the coder learned from (default). ``False`` names only its
        similarity: ``codingkit apply --pseudonymize`` sets it, since the
        interviews learned from are not pseudonymised. Transcripts read
        from pseudonymised copies (``codingkit pseudonymize``) are coded as
        with ``False``, whatever it is.
    sense_check:
        Drop a learned coding that rests on the code's words alone (default;
        see :meth:`_sense_scores`): ``codingkit apply --no-sense-check``
        sets ``False``, and a coder saved then keeps it.
    topic_check:
        Drop a learned coding of a turn that is about something else than
        the evaluated work (default; see :mod:`.topic`), when the coder
        learned such a check (:meth:`fit`'s ``off_topic``; the coder bundled
        with the default codebook has one): ``codingkit apply
        --no-topic-check`` sets ``False``.

    Attributes
    ----------
    codebook_:
        The codebook the coder was fitted on (set by :meth:`fit`).
    topic_check_:
        The learned :class:`~codingkit.coding.topic.TopicCheck`, or ``None``
        (set by :meth:`fit`).
    provenance_:
        Where the fitted state comes from: ``"codebook"`` (:meth:`fit` on
        the codebook alone), ``"learned"`` (:meth:`fit` learned from human
        coding), ``"bundled"`` (the coder that comes with the default
        codebook, :func:`codingkit.coding.bundled.bundled_coder`). Kept by
        :meth:`save` and :meth:`load`.
    holds_originals_:
        Whether the coder holds texts of interviews that are not
        pseudonymised (set by :meth:`fit`, kept by :meth:`save`): the texts
        it learned from (``training_texts_``, its topic check's turns, the
        learned model's ``neighbour_texts_``), unless every one came from
        pseudonymised texts (:meth:`fit`'s ``pseudonymized``) or from its
        ``base`` that holds none. ``False`` on the codebook alone and for
        the bundled coder (learned from fictional gold interviews). Such a
        coder is not saved inside a folder meant to be shared
        (:func:`check_coder_location`, E808). A coder saved before this was
        kept counts as holding them when it learned from human coding.

    Examples
    --------
    >>> import codingkit as ck
    >>> coder = ck.Coder()                                  # default codebook
    >>> result = coder.code(ck.read_transcripts("transcripts/"))   # doctest: +SKIP
    >>> result.codings.head()                               # doctest: +SKIP

    Learning from human coding first:

    >>> coder = ck.Coder().fit(ck.read_transcripts("transcripts/"),
    ...                        "gold/syd_coding.csv")       # doctest: +SKIP
    """

    def __init__(
        self,
        codebook: Codebook | None = None,
        *,
        unit: str = "turn",
        code_interviewer: bool = False,
        similarity: str = "tfidf",
        cache_dir: str | os.PathLike[str] | None = None,
        learner_options: dict[str, Any] | None = None,
        quote_learned_from: bool = True,
        sense_check: bool = True,
        topic_check: bool = True,
    ) -> None:
        if similarity not in SIMILARITY_OPTIONS:
            from ..errors import CodingkitError

            raise CodingkitError(f"unknown similarity {similarity!r}; expected one of "
                                 f"{', '.join(SIMILARITY_OPTIONS)}", code="E702")
        self.codebook = codebook
        self.unit = unit
        self.code_interviewer = code_interviewer
        self.similarity = similarity
        self.cache_dir = cache_dir
        self.learner_options = learner_options
        self.quote_learned_from = quote_learned_from
        self.sense_check = sense_check
        self.topic_check = topic_check

    #: Attributes rebuilt on demand, left out of a saved coder.
    _DERIVED = ("rule_matcher_", "_pairs_cache", "_default_codebook")

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in self._DERIVED}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        # coders saved before these were kept (the same format, codingkit-coder/2)
        self.__dict__.setdefault("quote_learned_from", True)
        self.__dict__.setdefault("sense_check", True)
        self.__dict__.setdefault("topic_check", True)
        if "codebook_" in state:
            self.__dict__.setdefault("topic_check_", None)
            self.__dict__.setdefault("provenance_", "learned" if state.get("learner_")
                                     else "codebook")
            # what it learned from is not known: texts of interviews as given
            self.__dict__.setdefault("holds_originals_", self.provenance_ == "learned")
        learner = state.get("learner_")
        if learner is not None and getattr(learner, "neighbour_vectors_", 0) is None:
            # a saved coder keeps the human-coded texts, not their vectors
            # (the larger part of the file): the same vectors again, from
            # the cache of an earlier load of this file if there is one
            from .vectorcache import cached_vectors

            learner.neighbour_vectors_ = cached_vectors(
                learner.neighbour_texts_,
                lambda: self.feature_similarity_.transform(learner.neighbour_texts_))

    # -- saving ------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the coder — codebook, options and what :meth:`fit` learned — to a file.

        Learning from many human-coded interviews takes a while (about 11 s
        for 44 interviews with TF-IDF, 27 s with the semantic backend);
        a saved coder codes new interviews at once: ``Coder.load(path)``
        or ``codingkit apply --model FILE``. The file is written atomically.

        The file is a Python pickle: **load only files you or your team
        wrote**, as loading a pickle can run code. It is meant for the
        same codingkit version (loading warns otherwise).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        PseudonymError
            E808 when ``path`` is inside a folder of pseudonymised results
            or copies (meant to be shared) and the coder holds texts that
            are not pseudonymised (:attr:`holds_originals_`,
            :func:`check_coder_location`).
        """
        import pickle
        import zlib

        from .. import __version__
        from ..fileio import atomic_write_bytes

        self.check_fitted("saving it")
        check_coder_location(path, unless=lambda: not self.holds_originals_)
        cb = self.codebook_
        payload = {"format": SAVED_FORMAT, "codingkit": __version__,
                   "codebook": {"id": cb.id, "version": cb.version}, "coder": self}
        atomic_write_bytes(path, _MAGIC + zlib.compress(
            pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 6))
        return Path(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, codebook: Codebook | None = None
             ) -> "Coder":
        """A coder saved with :meth:`save` (only load files you trust).

        Parameters
        ----------
        path:
            The file.
        codebook:
            If given, the coder must have been fitted for this codebook
            (the same id and version).

        Raises
        ------
        EvaluationError
            If the file is missing or is not a coder saved by codingkit
            (E613), was saved in another format by another codingkit
            version, or for another codebook or codebook version (E614).
        """
        import pickle
        import warnings

        from .. import __version__
        from ..errors import CodingkitWarning, EvaluationError

        from ..errors import InputError
        from ..readers.limits import open_regular

        path = Path(path)
        try:
            # a named pipe named x.ckm would block the run: E111
            with open_regular(path, "a coder saved by codingkit (.ckm)") as fh:
                data = fh.read()
        except InputError as exc:
            if exc.code != "E101":
                raise
            raise EvaluationError(f"cannot read the saved coder: {exc.message}",
                                  path=path, code="E613") from None
        except OSError as exc:
            raise EvaluationError(f"cannot read the saved coder: {exc.strerror or exc}",
                                  path=path, code="E613") from None
        try:
            import hashlib

            from .vectorcache import loading

            if data.startswith(_MAGIC):
                import zlib

                data = zlib.decompress(data[len(_MAGIC):])
            with loading(hashlib.sha256(data).hexdigest()):
                payload = pickle.loads(data) if data[:1] == b"\x80" else None
        except Exception:  # noqa: BLE001 - any unpickling failure means "not ours"
            payload = None
        fmt = payload.get("format") if isinstance(payload, dict) else None
        if isinstance(fmt, str) and fmt.startswith("codingkit-coder/") and fmt != SAVED_FORMAT:
            raise EvaluationError(
                f"a coder saved by codingkit {payload.get('codingkit')} in format {fmt}; this "
                f"codingkit reads {SAVED_FORMAT}: learn again (--learn-from … --save-model)",
                path=path, code="E614")
        if not (fmt == SAVED_FORMAT and isinstance(payload.get("coder"), cls)):
            raise EvaluationError("not a coder saved by codingkit (expected a file written "
                                  "by Coder.save or 'codingkit apply --save-model')",
                                  path=path, code="E613")
        saved_cb = payload["coder"].codebook_
        if codebook is not None and (saved_cb.id, saved_cb.version) != (codebook.id,
                                                                        codebook.version):
            raise EvaluationError(
                f"a coder fitted for codebook {saved_cb.id} {saved_cb.version}, not "
                f"{codebook.id} {codebook.version}: fit it again for this codebook",
                path=path, code="E614")
        if payload.get("codingkit") != __version__:
            warnings.warn(CodingkitWarning(
                f"saved by codingkit {payload.get('codingkit')}, loaded by {__version__}; "
                f"if coding fails or looks odd, learn again", path=path), stacklevel=2)
        return payload["coder"]

    # -- set-up ------------------------------------------------------------
    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """The parameters given to ``__init__`` (as scikit-learn's estimators).

        >>> Coder(unit="sentence").get_params()["unit"]
        'sentence'
        """
        return {name: getattr(self, name) for name in
                ("codebook", "unit", "code_interviewer", "similarity", "cache_dir",
                 "learner_options", "quote_learned_from", "sense_check", "topic_check")}

    def set_params(self, **params: Any) -> "Coder":
        """Set parameters (as scikit-learn's estimators); fit again afterwards."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise TypeError(f"Coder has no parameter {name!r}; expected one of "
                                f"{', '.join(valid)}")
            setattr(self, name, value)
        return self

    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has run (an unfitted coder fits itself on its
        codebook alone when it first codes)."""
        return hasattr(self, "codebook_")

    def check_fitted(self, what: str = "this") -> None:
        """Raise :class:`NotFittedError` unless :meth:`fit` has run."""
        if not self.is_fitted():
            from ..errors import NotFittedError

            raise NotFittedError(f"the coder is not fitted yet: call fit() before {what} "
                                 f"(fit() alone uses the codebook; fit(transcripts, human) "
                                 f"learns from human coding)")

    def _codebook(self) -> Codebook:
        """The fitted codebook, or before fitting the one it will fit on."""
        cb = self.__dict__.get("codebook_")
        if cb is None:
            cb = self.codebook
        if cb is None:
            cb = self.__dict__.get("_default_codebook")
        if cb is None:
            from ..codebook import load_codebook

            cb = self._default_codebook = load_codebook()
        return cb

    def _rule_matcher(self):
        matcher = getattr(self, "rule_matcher_", None)
        if matcher is None:
            matcher = _shared_rule_matcher(self._codebook())
            self.rule_matcher_ = matcher
        return matcher

    def forget_words(self, keep: int | None = None) -> None:
        """Empty the caches of word forms (the rule matchers', the
        similarity models' and the Swedish analyser's) once they hold more
        than ``keep`` entries (default :data:`codingkit.swedish.WORDS_KEPT`):
        :func:`codingkit.run.code_parts` calls it between parts, so that
        memory does not grow with every new word of a corpus. The codings
        stay the same."""
        from ..swedish import get_analyzer

        for part in (getattr(self, "rule_matcher_", None),
                     getattr(self, "similarity_", None),
                     getattr(self, "feature_similarity_", None)):
            if part is not None:
                part.forget_words(keep)
        get_analyzer().forget_words(keep)

    def _in_scope(self, segment: Segment, code_scope: Sequence[str]) -> bool:
        if self.code_interviewer:
            return True
        return segment.speaker_role in code_scope

    def _segments(self, data) -> tuple[list[Segment], list[Transcript]]:
        segments, transcripts, _ = self._segments_tokens(data, keep_tokens=False)
        return segments, transcripts

    def _segments_tokens(self, data, keep_tokens: bool = True
                         ) -> tuple[list[Segment], list[Transcript], list]:
        """The segments of ``data``, its transcripts, and each segment's
        :class:`~.tokens.Tokens` where cutting made them (else ``None``)."""
        from ..segmenting import segment_with_tokens

        if isinstance(data, (Transcript, Segment)):
            data = [data]
        items = list(data)
        transcripts = [x for x in items if isinstance(x, Transcript)]
        if transcripts:
            segments, tokens = segment_with_tokens(transcripts, self.unit,
                                                   keep_tokens=keep_tokens)
            return segments, transcripts, tokens
        segments = [x for x in items if isinstance(x, Segment)]
        return segments, transcripts, [None] * len(segments)

    def _todo(self, segments: Sequence[Segment]) -> list[Segment]:
        """The segments some code may apply to."""
        codebook = self._codebook()
        if self.code_interviewer:
            wanted = {INTERVIEWER, RESPONDENT}
        else:
            wanted = {r for c in codebook for r in c.scope}
        return [s for s in segments if s.speaker_role in wanted]

    def _new_similarity(self):
        from .similarity import SimilarityModel

        # with similarity "none", the learned model still uses TF-IDF features
        backend = "tfidf" if self.similarity == "none" else self.similarity
        return SimilarityModel(backend=backend, cache_dir=self.cache_dir,
                               background=DEFAULT_BACKGROUND)

    def _rule_scores(self, texts: Sequence[str], progress=None
                     ) -> tuple["np.ndarray", list[list]]:
        """Rule scores (n × codes, codebook order; −1 where an exclusion
        matched) and the hits of each text (:meth:`_rule_pass`)."""
        R, hits_all, _, docs = self._rule_pass(texts, progress)
        for _ in docs:
            pass
        return R, hits_all

    def _fit_rule_scores(self, texts: Sequence[str]) -> "np.ndarray":
        """:meth:`_rule_scores` of training texts, remembered in this process
        by codebook and text (:data:`_FIT_RULE_ROWS`): fits on top of the
        same gold (``evaluate --cv``'s folds, ``--learn-from`` rounds) score
        its turns once."""
        import dataclasses
        import hashlib

        import numpy as np

        # by the codebook's whole content (a tuned codebook keeps its file's sha256)
        cb = dataclasses.replace(self._codebook(), path=None, sha256=None)
        key = hashlib.sha256(repr(cb).encode("utf-8")).hexdigest()
        if len(_FIT_RULE_ROWS) > 4:
            _FIT_RULE_ROWS.clear()
        rows = _FIT_RULE_ROWS.setdefault(key, {})
        new = list(dict.fromkeys(t for t in texts if t not in rows))
        if len(rows) + len(new) > _FIT_RULE_ROWS_MAX:
            rows.clear()  # this call's texts are then all new
            new = list(dict.fromkeys(texts))
        for t, r in zip(new, self._rule_scores(new)[0] if new else ()):
            rows[t] = r
        width = len(self._codebook().codes)
        return np.array([rows[t] for t in texts]).reshape(len(texts), width)

    def _rule_pass(self, texts: Sequence[str], progress=None,
                   tokens: "Sequence | None" = None):
        """Rule scores and hits (as :meth:`_rule_scores`) and the number of
        content words of each text (:func:`.features.content_words`), filled
        while the returned generator of the texts' :class:`~.tokens.Tokens`
        is consumed. ``tokens``: each text's tokens if already made (else
        ``None``); the others are tokenised here, each text once."""
        import numpy as np

        from .tokens import Tokens

        codebook = self._codebook()
        col = {cid: j for j, cid in enumerate(codebook.codes)}
        R = np.zeros((len(texts), len(col)))
        content = np.zeros(len(texts), dtype=np.int32)
        hits_all: list[list] = []
        matcher = self._rule_matcher()
        tokenizer = matcher.analyzer.nlp.tokenizer
        words: dict = {}

        def docs():
            for b in range(0, len(texts), BATCH_SIZE):
                batch = list(texts[b : b + BATCH_SIZE])
                made = list(tokens[b : b + BATCH_SIZE]) if tokens is not None else [None] * len(batch)
                missing = [t for t, m in zip(batch, made) if m is None]
                new = iter(tokenizer.pipe(missing, batch_size=BATCH_SIZE))
                batch_docs = [m if m is not None else Tokens.of(next(new)) for m in made]
                for k, doc in enumerate(batch_docs):
                    content[b + k] = content_words(doc, words)
                for k, (hits, excluded) in enumerate(
                        matcher.match_with_exclusions(batch, batch_docs)):
                    hits_all.append(hits)
                    row = R[b + k]
                    for h in hits:
                        j = col[h.code]
                        if h.score > row[j]:
                            row[j] = h.score
                    for code in excluded:  # an exclusion matched: −1
                        row[col[code]] = -1.0
                if progress is not None:
                    progress(len(batch))
                yield from batch_docs

        return R, hits_all, content, docs()

    # -- learning ----------------------------------------------------------
    def fit(
        self,
        data: Transcript | Iterable[Transcript] | Iterable[Segment] | None = None,
        human: "HumanCoding | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Any"
        = None,
        *,
        min_overlap: float = 0.5,
        rules_tuned_on: Iterable[str] = (),
        base: "Coder | None" = None,
        weight: float = 1.0,
        off_topic: Iterable[str | tuple[str, int]] = (),
        pseudonymized: bool | None = None,
    ) -> "Coder":
        """Fit the coder: on its codebook alone, or learning from human coding.

        Everything the coder uses when coding is set here — the codebook's
        rules, the similarity model's vocabulary and weights (from the
        codebook's references and a fixed background corpus, see
        :class:`~codingkit.coding.similarity.Background`), and the learned
        models — never by :meth:`code`. A transcript is therefore coded
        the same whether it is coded alone or with others.

        ``coder.fit()`` fits on the codebook alone (what :meth:`code` does
        by itself on an unfitted coder); ``coder.fit(transcripts, human)``
        learns from human coding of them.

        Parameters
        ----------
        data:
            The transcripts (or segments) the human coded. Without
            ``human``: not used (give ``None``).
        human:
            Human coding: a :class:`~codingkit.evaluation.HumanCoding`, CSV
            files or a folder (see :func:`codingkit.evaluation.read_human_coding`),
            or a table with ``segment_id, code``. ``None``: no learning.
        min_overlap:
            For span coding: see :func:`codingkit.evaluation.align_human_coding`.
        rules_tuned_on:
            Sources (transcripts) the codebook's rules were written or tuned
            against. Their segments still train the model, but each code's
            threshold and combination mode are chosen on the other
            transcripts, where the rules show how far they carry over to
            new interviews (when those hold at least 2 of the code's
            positives).
        base:
            A coder fitted on human coding (e.g. the coder bundled with the
            default codebook, :func:`codingkit.coding.bundled.bundled_coder`)
            whose training segments are learned from as well: the segments
            it kept (their texts, questions and coding) join the new human
            coding, so the new coder learns on top of what ``base`` learned.
            A segment coded in both counts as the new coding says.
        weight:
            Weight of each segment of ``human`` among the training rows
            (a segment of ``base`` keeps its weight, 1 for human coding).
            Above 1 the new coding counts as the more relevant, also when
            each code's threshold and combination mode are chosen. How the
            command line's weight was chosen is in ``benchmarks/RESULTS.md``.

        off_topic:
            Segment ids (``"<source>:<turn>"``, or ``(source, turn)`` pairs
            as :attr:`HumanCoding.off_topic
            <codingkit.evaluation.HumanCoding.off_topic>` gives them) of turns
            the human read and marked as about something else than the
            evaluated work — a theme's words about private life, other
            work, anything else ("vi har fått lånelöfte, finansieringen är klar" about buying a
            house). The turns ``human`` marks so (a coding sheet's
            ``om_annat``, a marks CSV) are added. With at least
            :data:`.topic.MIN_OFF_TOPIC` of them (counting ``base``'s), the
            coder learns a topic check (:mod:`.topic`) from them and from
            every turn coded with some code, and drops a learned coding of a
            turn it finds about something else. Without them the coder
            learns the check again from ``base``'s turns about something
            else (if it has a check), but for those the new coding codes
            with a code or reads with its marks stated (a coding sheet with
            ``om_annat``). A turn coded with some code is about the work,
            whatever it is marked.
        pseudonymized:
            Whether the texts of ``data`` are pseudonymised, recorded in
            :attr:`holds_originals_` (with what ``base`` holds), which
            decides whether the coder may be saved inside a folder meant to
            be shared. ``None`` (default): they are when every transcript
            learned from was read from a pseudonymised copy (``codingkit
            pseudonymize``); segments without their transcripts are not.
            ``True`` for transcripts pseudonymised in memory
            (:func:`~codingkit.pseudonymize.pseudonymize_for_apply`).

        ``human`` may also be a list of :class:`~codingkit.evaluation.HumanCoding`
        (rounds of coding, of any shapes): each is aligned on its own, and
        where two code the same segment the later one counts.

        Returns
        -------
        Coder
            ``self``, with a learned model for every code the human used.
            Segments of transcripts the human did not code are not used.

        Raises
        ------
        EvaluationError
            If the human coding does not fall on these segments (E606) or
            uses no code of the codebook (E609); if ``base`` keeps no
            training texts or was fitted for another codebook (E616); if a
            turn of ``off_topic`` is not among the turns the human read (E617).
        """
        import numpy as np
        import pandas as pd

        from ..errors import EvaluationError, LittleHumanCodingWarning
        from ..humancoding import HumanCoding, _source_of, read_human_coding, unknown_codes
        from .learned import LearnedModel

        import warnings

        codebook = self._codebook()
        for name in ("rule_matcher_", "_pairs_cache"):
            self.__dict__.pop(name, None)  # compiled again for this codebook
        if human is None:
            if data is not None:
                raise TypeError("Coder.fit(data) without human coding: give the human "
                                "coding as well, or call fit() to fit on the codebook alone")
            self.similarity_ = (self._new_similarity().fit(codebook)
                                if self.similarity != "none" else None)
            self.feature_similarity_ = None
            self.learner_ = None
            self.topic_check_ = None
            self.training_segment_ids_ = []
            self.codebook_ = codebook
            self.provenance_ = "codebook"
            self.holds_originals_ = False  # the codebook's texts only
            self._rule_matcher()
            return self
        segments, transcripts = self._segments(data)
        rounds = (list(human) if isinstance(human, (list, tuple)) and human
                  and all(isinstance(h, HumanCoding) for h in human) else [human])
        for k, h in enumerate(rounds):
            if isinstance(h, pd.DataFrame):
                rounds[k] = HumanCoding("segment", h[["segment_id", "code"]].astype(str))
            elif not isinstance(h, HumanCoding):
                rounds[k] = read_human_coding(h)
        # each round aligned on its own; a later round's reading of a segment counts
        by_id: dict[str, Segment] = {}
        labels: dict[str, set[str]] = {}
        marked: dict[str, bool] = {}  # turns a round marks as about something else, or not
        for h in rounds:
            train_h, aligned = self._aligned(segments, h, min_overlap)
            unknown_codes(h, codebook)
            known = h.marked_turns()  # the turns whose marking this round states
            if known:
                off = set(h.off_topic)
                for s in train_h:  # a later round's reading counts here too
                    if (s.source, s.turn) in known:
                        marked[s.segment_id] = (s.source, s.turn) in off
            coded: dict[str, set[str]] = {s.segment_id: set() for s in train_h}
            for sid, code in zip(aligned["segment_id"], aligned["code"]):
                coded[sid].add(code)
            for s in train_h:
                by_id[s.segment_id] = s
                labels[s.segment_id] = coded[s.segment_id]
        train = [s for s in segments if s.segment_id in by_id]
        # segment ids, or (source, turn) pairs as HumanCoding.off_topic gives them
        off_topic = list(dict.fromkeys(f"{x[0]}:{int(x[1])}" if isinstance(x, tuple) else str(x)
                                       for x in off_topic))
        unread = [sid for sid in off_topic if sid not in by_id]
        if unread:
            raise EvaluationError(
                f"{len(unread)} turn(s) marked as about something else are not among the "
                f"turns the human coding read, e.g. {unread[0]!r}: give the segment ids "
                f"('<source>:<turn>') of turns of the transcripts learned from", code="E617")
        given = set(off_topic)
        off_topic += [sid for sid, m in marked.items() if m and sid not in given]
        prior = self._base_rows(base, codebook, set(by_id))
        used = set().union(*labels.values(), *prior["codes"])
        codes = [c for c in codebook.codes if c in used]
        if not codes:
            raise EvaluationError(f"the human coding uses no code of codebook "
                                  f"{codebook.id}", code="E609")
        cidx = {c: j for j, c in enumerate(codes)}
        Y = np.zeros((len(prior["texts"]) + len(train), len(codes)), dtype=bool)
        for i, have in enumerate(prior["codes"]):
            Y[i, [cidx[c] for c in have if c in cidx]] = True
        for i, s in enumerate(train, start=len(prior["texts"])):
            Y[i, [cidx[c] for c in labels[s.segment_id] if c in cidx]] = True
        ids = prior["ids"] + [s.segment_id for s in train]
        questions = prior["questions"] + preceding_questions(segments, train)
        before, after = adjacent_answers(segments, train)
        context = (prior["before"] + before, prior["after"] + after)
        human_weights = np.r_[prior["weights"], np.full(len(train), float(weight))]
        rules_tuned_on = set(rules_tuned_on) | set(prior["tuned"])

        # the learned model's text features: vocabulary and IDF from the
        # codebook's references and the training segments (the human-coded
        # segments act as references through the neighbour features)
        texts = prior["texts"] + [s.text for s in train]
        sources = [_source_of(sid) for sid in ids]
        sim = self._new_similarity()
        # each training text tokenised once, for both similarity models
        tokens = self._fit_tokens(texts)
        sim.fit(codebook, texts=texts, docs=tokens)

        learner = LearnedModel(**{"seed_weight": SEED_WEIGHT, **(self.learner_options or {})})
        # seed rows: the codebook's examples (positive for the code and its
        # ancestors) and negative examples
        # the codebook's own similarity, as without learning (the codebook
        # part of the combination, and what a code with too little human
        # coding keeps)
        cb_sim = self._new_similarity().fit(codebook) if self.similarity != "none" else None
        seed_texts, seed_y, seed_self, base_self = [], [], [], []
        ref_index = {(r.code, r.text, r.kind): k for k, r in enumerate(sim.references_)}
        base_index = ({(r.code, r.text, r.kind): k for k, r in enumerate(cb_sim.references_)}
                      if cb_sim is not None else {})
        for code in codebook if learner.seed_weight > 0 else ():
            for kind, texts_k in (("example", code.examples), ("negative", code.negative_examples)):
                for t in texts_k:
                    y = np.zeros(len(codes), dtype=bool)
                    if kind == "example":
                        anc = code.id
                        while anc is not None:
                            if anc in cidx:
                                y[cidx[anc]] = True
                            anc = codebook[anc].parent
                    seed_texts.append(t)
                    seed_y.append(y)
                    seed_self.append(ref_index.get((code.id, t, kind), -1))
                    base_self.append(base_index.get((code.id, t, kind), -1))
        all_texts = texts + seed_texts
        R = self._fit_rule_scores(all_texts)
        self_index = [-1] * len(texts) + seed_self
        groups = sources + [""] * len(seed_texts)
        tokens += self._fit_tokens(seed_texts)
        V = sim.transform(all_texts, lemma_rows=[sim.lemma_features(t) for t in tokens])
        S = sim.score(vectors=V, use_human=False, self_index=self_index)
        if learner.neighbours:  # the human-coded segments are the references
            learner.neighbour_vectors_ = _rounded(V[: len(texts)])
            learner.neighbour_labels_ = Y
            learner.neighbour_ids_ = ids
            learner.neighbour_texts_ = texts
        # each training segment is compared with the other transcripts'
        # segments only, as a new transcript will be
        X = self._features(learner, sim, all_texts, R, V, S,
                           lambda: questions + [""] * len(seed_texts),
                           lambda: tuple(a + [""] * len(seed_texts) for a in context),
                           groups=groups, ref_groups=groups[: len(texts)])
        Yall = np.vstack([Y, np.array(seed_y, dtype=bool).reshape(-1, len(codes))])
        is_seed = np.r_[np.zeros(len(texts), bool), np.ones(len(seed_texts), bool)]
        weights = np.r_[human_weights, np.full(len(seed_texts), float(learner.seed_weight))]
        S_base = (cb_sim.score(all_texts, self_index=[-1] * len(texts) + base_self,
                               docs=tokens)
                  if cb_sim is not None else None)
        del tokens
        _, c_plus, _ = self._codebook_parts(R, S_base)
        code_ids = list(codebook.codes)
        cb_part = c_plus[:, [code_ids.index(c) for c in codes]]
        tuned = rules_tuned_on
        choose_on = np.array([g not in tuned for g in groups], dtype=bool) if tuned else None
        learner.fit(X, Yall, codes, groups=groups, sample_weight=weights, is_seed=is_seed,
                    codebook_part=cb_part, choose_on=choose_on)
        few = learner.codebook_kept_
        if few:
            counts = ", ".join(f"{c} ({learner.positives_[c]})" for c in few)
            warnings.warn(LittleHumanCodingWarning(
                f"too little human coding to learn {counts}: "
                f"{'these codes keep' if len(few) > 1 else 'this code keeps'} the codebook's "
                f"coding; learning a code needs {learner.min_positives} segments coded with "
                f"it (code more interviews, or lower min_positives / --min-positives)"),
                stacklevel=2)
        self.similarity_ = cb_sim
        self.feature_similarity_ = sim
        self.learner_ = learner
        # base's turns about something else that this coding says otherwise of:
        # coded with a code, or read by a round that states its marks
        restated = (set(marked) | set(off_topic)
                    | {sid for sid, codes in labels.items() if codes})
        self.topic_check_ = self._fit_topic_check(base, sim, V[: len(texts)], ids, texts,
                                                  questions, Y, set(off_topic), restated)
        self.training_segment_ids_ = ids
        # what it learned from, kept so that a later fit can learn on top of it (base=)
        self.training_texts_ = texts
        self.training_questions_ = questions
        self.training_context_ = context if learner.context_weight else None
        self.training_codes_ = [[c for c, y in zip(codes, row) if y] for row in Y.tolist()]
        self.training_weights_ = human_weights.tolist()
        self.rules_tuned_on_ = sorted(tuned)
        self.base_segments_ = len(prior["ids"])  # the first rows: base's
        self.codebook_ = codebook
        self.provenance_ = "learned"
        self.holds_originals_ = (
            (base is not None and base.__dict__.get("holds_originals_", True))
            or (bool(train) and not _learned_pseudonymized(train, transcripts, pseudonymized)))
        return self

    @staticmethod
    def _fit_topic_check(base: "Coder | None", sim, V, ids: Sequence[str],
                         texts: Sequence[str], questions: Sequence[str], Y: "np.ndarray",
                         off_topic: set[str], replaced: set[str] = frozenset()):
        """The topic check of a fit (:mod:`.topic`), learned with the new
        coder's TF-IDF (``sim``; ``V``: the vectors of ``texts``) from the
        training turns coded with some code and the turns about something
        else: those of ``off_topic`` coded with none, and ``base``'s but for
        the turns the new coding says otherwise of (``replaced``: coded with
        a code, marked anew, or read by a round that states its marks).
        ``None`` when there are none, or too few (then with a warning)."""
        import warnings

        import numpy as np
        from scipy import sparse

        from ..errors import LittleHumanCodingWarning

        kept = getattr(base, "topic_check_", None) if base is not None else None
        if not off_topic and kept is None:
            return None
        coded = Y.any(axis=1)
        new = [k for k, sid in enumerate(ids) if sid in off_topic and not coded[k]]
        else_ids = [ids[k] for k in new]
        else_texts = [texts[k] for k in new]
        else_questions = [questions[k] for k in new]
        if kept is not None:  # base's turns about something else, less those read anew
            kept_ids = getattr(kept, "else_ids_", None) or [""] * len(kept.else_texts_)
            keep = [k for k, sid in enumerate(kept_ids) if sid not in replaced]
            else_ids = [kept_ids[k] for k in keep] + else_ids
            else_texts = [kept.else_texts_[k] for k in keep] + else_texts
            else_questions = [kept.else_questions_[k] for k in keep] + else_questions
        if len(else_texts) < MIN_OFF_TOPIC:
            warnings.warn(LittleHumanCodingWarning(
                f"too few turns marked as about something else to learn a topic check "
                f"({len(else_texts)}; it needs {MIN_OFF_TOPIC}): the coder has none"),
                stacklevel=3)
            return None
        about = np.flatnonzero(coded)
        X = sparse.vstack([
            topic_features(sim, [texts[k] for k in about], [questions[k] for k in about],
                           vectors=V[about]),
            topic_features(sim, else_texts, else_questions)], format="csr")
        check = TopicCheck().fit(X, np.r_[np.ones(len(about)), np.zeros(len(else_texts))])
        check.else_ids_ = else_ids
        check.else_texts_, check.else_questions_ = else_texts, else_questions
        return check

    def _fit_tokens(self, texts: Sequence[str]) -> list:
        """The :class:`~.tokens.Tokens` of each text (training texts: few)."""
        from ..swedish import get_analyzer
        from .tokens import Tokens

        tokenizer = get_analyzer().nlp.tokenizer
        return [Tokens.of(d) for d in tokenizer.pipe(texts, batch_size=BATCH_SIZE)]

    def _aligned(self, segments: Sequence[Segment], human: "HumanCoding", min_overlap: float):
        """The segments ``human`` read (the training segments) and its coding
        aligned to them (``segment_id, code``)."""
        from ..humancoding import align_human_coding, sources_mismatch

        roles = None if self.code_interviewer else (RESPONDENT,)
        sources = set(human.sources)
        train = [s for s in self._todo(segments) if s.source in sources
                 and (roles is None or s.speaker_role in roles)]
        if human.kind == "turn" and human.turns is not None:
            read = set(zip(human.turns["source"], human.turns["turn"])) | set(
                zip(human.codings["source"], human.codings["turn"]))
            train = [s for s in train if (s.source, s.turn) in read]
        if not train:
            raise sources_mismatch(human, {s.source for s in segments})
        return train, align_human_coding(human, train, min_overlap=min_overlap, roles=roles)

    @staticmethod
    def _base_rows(base: "Coder | None", codebook: Codebook, replaced: set[str]) -> dict:
        """The training rows of ``base`` (for :meth:`fit`'s ``base``),
        without the segments in ``replaced`` (coded anew)."""
        from ..errors import EvaluationError

        rows: dict = {"texts": [], "ids": [], "questions": [], "before": [], "after": [],
                      "codes": [], "weights": [], "tuned": []}
        if base is None:
            return rows
        if not base.is_fitted() or getattr(base, "training_questions_", None) is None:
            raise EvaluationError(
                "the coder to learn on top of keeps no human-coded training texts (expected "
                "a coder fitted on human coding by this codingkit version)", code="E616")
        cb = base.codebook_
        if (cb.id, cb.version) != (codebook.id, codebook.version):
            raise EvaluationError(
                f"the coder to learn on top of was fitted for codebook {cb.id} {cb.version}, "
                f"not {codebook.id} {codebook.version}", code="E616")
        if base.training_context_ is not None:
            before, after = base.training_context_
        else:
            before = after = [""] * len(base.training_texts_)
        for k, sid in enumerate(base.training_segment_ids_):
            if sid in replaced:
                continue
            rows["texts"].append(base.training_texts_[k])
            rows["ids"].append(sid)
            rows["questions"].append(base.training_questions_[k])
            rows["before"].append(before[k])
            rows["after"].append(after[k])
            rows["codes"].append(base.training_codes_[k])
            rows["weights"].append(base.training_weights_[k])
        rows["tuned"] = list(base.rules_tuned_on_)
        return rows

    # -- coding ------------------------------------------------------------
    def code(
        self,
        data: Transcript | Iterable[Transcript] | Iterable[Segment],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> CodingResult:
        """Code transcripts (or ready-made segments).

        Parameters
        ----------
        data:
            A transcript, a list of transcripts, or a list of segments.
        progress:
            Called with the number of segments just coded after each batch
            (the command line uses it for its progress bar).

        Returns
        -------
        CodingResult
            All segments (interviewer turns included) and one
            :class:`~codingkit.model.Coding` per segment × code, in segment
            order and then codebook order.
        """
        if not self.is_fitted():
            self.fit()
        segments, transcripts, tokens = self._segments_tokens(data)
        codebook = self.codebook_
        todo = self._todo(segments)
        if len(todo) != len(segments):
            kept = {id(s) for s in todo}
            tokens = [t for s, t in zip(segments, tokens) if id(s) in kept]
        learner = self.learner_
        # pseudonymised copies ('codingkit pseudonymize'): the evidence of a
        # learned coding does not quote the interviews learned from, which
        # are not pseudonymised (as 'codingkit apply' of copies)
        quote = self.quote_learned_from and not (learner is not None
                                                 and _any_copy(transcripts))
        # the questions and answers around each segment, found once for all
        questions = context = None
        if learner is not None and (learner.question_weight or self._topic_check_on()):
            questions = preceding_questions(segments, todo)
        if learner is not None and learner.context_weight:
            context = adjacent_answers(segments, todo)
        # scored and combined in blocks, so that the feature matrices and the
        # segment × code arrays stay small whatever the size of the batch (one
        # long transcript, a survey of 100,000 answers): each segment's score
        # does not depend on the others, so the codings are the same
        codings: list[Coding] = []
        for a in range(0, len(todo), SCORE_CHUNK):
            z = min(a + SCORE_CHUNK, len(todo))
            R, hits_all, content, sim_scores, index, learned, nearest = self._parts(
                todo[a:z], segments, progress, nearest=True, tokens=tokens[a:z],
                codable_only=True, questions=questions[a:z] if questions is not None else None,
                context=(context[0][a:z], context[1][a:z]) if context is not None else None)
            sense = self._sense_scores(
                todo[a:z], segments, hits_all, learned,
                questions[a:z] if questions is not None else None,
                (context[0][a:z], context[1][a:z]) if context is not None else None)
            topic = self._topic_scores(todo[a:z], segments, learned,
                                       questions[a:z] if questions is not None else None)
            for b in range(0, z - a, COMBINE_CHUNK):
                e = min(b + COMBINE_CHUNK, z - a)
                chunk_scores = sim_scores.take(index[b:e]) if sim_scores is not None else None
                codings += self._combine(todo[a + b:a + e], R[b:e], hits_all[b:e], content[b:e],
                                         chunk_scores,
                                         learned[b:e] if learned is not None else None,
                                         tuple(x[b:e] for x in nearest) if nearest else None,
                                         sense[b:e] if sense is not None else None,
                                         topic[b:e] if topic is not None else None,
                                         quote=quote)
            del R, hits_all, content, sim_scores, index, learned, nearest, sense, topic
        options: dict[str, Any] = {"unit": self.unit, "code_interviewer": self.code_interviewer,
                                   "similarity": self.similarity}
        if learner is not None:
            # codes whose coding the learned model takes part in, and codes
            # with too little human coding that keep the codebook's coding
            options["learned_codes"] = [c for c in learner.codes_ if learner.has_model(c)
                                        and learner.modes_[c] != "codebook"]
            options["codebook_kept"] = learner.codebook_kept_
            options["sense_check"] = bool(self.sense_check)
            # true/false: on or off; None: the coder learned no topic check
            options["topic_check"] = (None if getattr(self, "topic_check_", None) is None
                                      else bool(getattr(self, "topic_check", True)))
        return CodingResult(
            segment_list=segments,
            coding_list=codings,
            codebook=codebook,
            transcripts=transcripts,
            options=options,
        )

    def _parts(self, todo: Sequence[Segment], segments: Sequence[Segment], progress=None, *,
               nearest: bool = False, tokens: "Sequence | None" = None,
               codable_only: bool = False, questions: "Sequence[str] | None" = None,
               context: "tuple[Sequence[str], Sequence[str]] | None" = None):
        """Every part of the score of the segments ``todo``: rule scores,
        hits and content words, similarity scores per distinct text and each
        text's row, learned scores and (with ``nearest``) the nearest
        human-coded segments. One tokenisation: the rules run on each batch
        of tokens as the similarity model reads them (``tokens``: those of
        each segment already made, or ``None``).

        With ``codable_only``, the similarity and learned parts are left at 0
        for segments that cannot be coded whatever they score (no content
        word, or fewer than :data:`.features.MIN_CONTENT_WORDS` and no rule
        hit: see :meth:`_combine`). ``questions`` and ``context``: the
        question before each segment of ``todo`` and the answers before and
        after it, if already found (else they are found in ``segments``)."""
        import numpy as np

        texts = [s.text for s in todo]
        sim_scores = learned = index = near = None
        R, hits_all, content, docs = self._rule_pass(texts, progress, tokens)

        def codable(i: int) -> bool:
            n = content[i]
            return bool(n >= MIN_CONTENT_WORDS or (n > 0 and (R[i] > 0).any()))

        keep = codable if codable_only else None
        learner_rows: dict[int, Sequence[int]] = {}
        if self.learner_ is not None:
            # the learned model's lemma features, read off the same tokens
            docs = self._learner_lemma_rows(docs, keep, learner_rows)
        if self.similarity_ is not None and texts:
            sim_scores, index = self.similarity_.score_distinct(texts, docs=docs,
                                                                use_human=False, keep=keep)
        else:
            for _ in docs:
                pass
        rows = (np.flatnonzero([codable(i) for i in range(len(texts))]) if codable_only
                else np.arange(len(texts)))
        if self.learner_ is not None and len(rows):
            part = [todo[i] for i in rows]
            got = self._learned_features(
                part, segments, R[rows], nearest=nearest,
                lemma_rows=[learner_rows[i] for i in rows.tolist()],
                questions=[questions[i] for i in rows] if questions is not None else None,
                context=(([context[0][i] for i in rows], [context[1][i] for i in rows])
                         if context is not None else None))
            X, near_part = got if nearest else (got, None)
            learned_part = self.learner_.predict_proba(X)
            learned = np.zeros((len(texts), learned_part.shape[1]))
            learned[rows] = learned_part
            if near_part is not None:
                near = (np.full((len(texts), near_part[0].shape[1]), -1, dtype=near_part[0].dtype),
                        np.zeros((len(texts), near_part[1].shape[1])))
                near[0][rows] = near_part[0]
                near[1][rows] = near_part[1]
        elif self.learner_ is not None and texts:  # nothing codable: a learned score of 0
            learned = np.zeros((len(texts), len(self.learner_.codes_)))
            if nearest and self.learner_.neighbours:
                m = len(self.learner_.codes_)
                near = (np.full((len(texts), m), -1, dtype=int), np.zeros((len(texts), m)))
        return R, hits_all, content, sim_scores, index, learned, near

    def _topic_check_on(self) -> bool:
        """Whether coding drops learned codings of turns about something else
        (the coder learned a topic check and ``topic_check`` is on)."""
        return bool(getattr(self, "topic_check", True)
                    and getattr(self, "topic_check_", None) is not None
                    and self.learner_ is not None)

    def _topic_scores(self, todo: Sequence[Segment], segments: Sequence[Segment], learned,
                      questions: "Sequence[str] | None" = None):
        """The topic check (:mod:`.topic`): the probability that each segment
        of ``todo`` is about the evaluated work, computed where it can change a
        coding — segments of :data:`.topic.MIN_WORDS` words or more with a
        learned score at or above the threshold of a code the learned model
        decides alone (mode ``learned``); ``nan`` elsewhere. Each segment is
        scored on its own, with the question before it (``questions``, if
        already found in ``segments``). ``None`` without a topic check or
        with ``topic_check`` off."""
        import numpy as np

        if learned is None or not self._topic_check_on():
            return None
        learner = self.learner_
        out = np.full(len(todo), np.nan)
        cols = [jj for jj, c in enumerate(learner.codes_)
                if learner.has_model(c) and learner.modes_[c] == "learned"]
        if not cols or not len(todo):
            return out
        thresholds = np.array([learner.thresholds_[learner.codes_[jj]] for jj in cols])
        long_enough = np.array([len(s.text.split()) >= TOPIC_MIN_WORDS for s in todo])
        rows = np.flatnonzero((learned[:, cols] >= thresholds).any(axis=1) & long_enough)
        if not len(rows):
            return out
        picked = [todo[i] for i in rows]
        qs = ([questions[i] for i in rows] if questions is not None
              else preceding_questions(segments, picked))
        X = topic_features(self.feature_similarity_, [s.text for s in picked], qs)
        out[rows] = self.topic_check_.about_the_work(X)
        return out

    def _sense_scores(self, todo: Sequence[Segment], segments: Sequence[Segment], hits_all,
                      learned, questions: "Sequence[str] | None" = None,
                      context: "tuple[Sequence[str], Sequence[str]] | None" = None):
        """The sense check: the learned score of a segment again, with the
        words the code's rules (or its sub-codes' rules) matched masked.

        A theme's words also occur about other things ("dialog" with one's
        wife, "risk för regn", "effekten" of a medicine): the rules match
        them, and the learned model, which reads the words, may follow. If
        the score falls below :data:`SENSE_MASKED` × the code's threshold
        once those words are gone, the coding rested on the words, not on
        what the turn is about, and :meth:`_combine` drops it — unless the
        learned score was confident (:data:`SENSE_CONFIDENT` or more).
        Computed only where it can change a coding: codes the learned model
        decides alone (mode ``learned``), segments it codes with a score
        under :data:`SENSE_CONFIDENT`, with a rule match of the code. Each
        segment is scored on its own (with its own question and context),
        so the result does not depend on what else is coded.

        ``segments``: all segments of their transcripts; ``questions`` and
        ``context``: those of each segment of ``todo`` if already found.
        Returns ``n × len(learner.codes_)`` (``nan`` where not computed), or
        ``None`` without a learned model or with ``sense_check`` off.
        """
        import dataclasses

        import numpy as np

        learner = self.learner_
        if learner is None or learned is None or not getattr(self, "sense_check", True):
            return None
        out = np.full(learned.shape, np.nan)
        code_ids = list(self._codebook().codes)
        below: dict[str, set[str]] = {}  # a code's sub-codes, at any depth
        for j, q in self._descendant_pairs():
            below.setdefault(code_ids[j], set()).add(code_ids[q])
        jobs: list[tuple[int, int, str]] = []
        for jj, cid in enumerate(learner.codes_):
            if not learner.has_model(cid) or learner.modes_[cid] != "learned":
                continue
            triggers = {cid, *below.get(cid, ())}
            t = learner.thresholds_[cid]
            for i in np.flatnonzero((learned[:, jj] >= t) & (learned[:, jj] < SENSE_CONFIDENT)):
                spans = [sp for h in hits_all[i] if h.code in triggers for sp in h.spans]
                if spans:
                    jobs.append((int(i), jj, _masked(todo[int(i)].text, spans)))
        if not jobs:
            return out
        masked = [dataclasses.replace(todo[i], text=text) for i, _, text in jobs]
        originals = [todo[i] for i, _, _ in jobs]
        qs = ([questions[i] for i, _, _ in jobs] if questions is not None
              else preceding_questions(segments, originals) if learner.question_weight
              else None)
        ctx = (([context[0][i] for i, _, _ in jobs], [context[1][i] for i, _, _ in jobs])
               if context is not None
               else adjacent_answers(segments, originals) if learner.context_weight else None)
        R = self._rule_scores([text for _, _, text in jobs])[0]
        X = self._learned_features(masked, segments, R, questions=qs, context=ctx)
        P = learner.predict_proba(X)
        for n, (i, jj, _) in enumerate(jobs):
            out[i, jj] = P[n, jj]
        return out

    def _learner_lemma_rows(self, docs, keep, rows: dict):
        """``docs`` again, keeping in ``rows`` (position → features) the
        learned model's lemma features of each text ``keep`` accepts."""
        features = self.feature_similarity_.lemma_features
        for i, doc in enumerate(docs):
            if keep is None or keep(i):
                rows[i] = features(doc)
            yield doc

    def segment_scores(self, todo: Sequence[Segment], segments: Sequence[Segment]
                       ) -> tuple["np.ndarray", "np.ndarray"]:
        """The combined score of every segment of ``todo`` × code (codebook
        order) before deciding (0.5 codes), and each segment's number of
        content words. ``segments``: all segments of their transcripts (the
        learned model reads the question before each). The short-turn rule
        and the codes' speaker scopes are not applied: these are the scores
        (``codingkit suggest`` chooses by them)."""
        import numpy as np

        self.check_fitted("scoring segments")
        R, _, content, sim_scores, index, learned, _ = self._parts(todo, segments)
        sim = sim_scores.take(index) if sim_scores is not None else None
        combined = self._combined_scores(R, sim, learned)[0]
        return combined, np.asarray(content)

    def _learned_features(self, todo: Sequence[Segment], segments: Sequence[Segment],
                          R: "np.ndarray", *, nearest: bool = False,
                          questions: "list[str] | None" = None,
                          context: "tuple[list[str], list[str]] | None" = None,
                          lemma_rows: "Sequence[Sequence[int]] | None" = None):
        """The learned model's features of the segments ``todo`` (rule
        scores ``R``), with their questions looked up in ``segments``.
        With ``nearest``: ``(features, (index, cosine))`` of each segment's
        nearest human-coded segment per learned code (``None`` without
        neighbour features). ``lemma_rows``: the segments' lemma features
        for the learned model's TF-IDF, if already made from their tokens."""
        fsim = self.feature_similarity_
        texts = [s.text for s in todo]
        V = fsim.transform(texts, lemma_rows=lemma_rows)
        S = fsim.score(vectors=V, use_human=False)
        return self._features(self.learner_, fsim, texts, R, V, S,
                              lambda: (questions if questions is not None
                                       else preceding_questions(segments, todo)),
                              lambda: (context if context is not None
                                       else adjacent_answers(segments, todo)),
                              nearest=nearest)

    @staticmethod
    def _features(learner, sim, texts: Sequence[str], R: "np.ndarray", V, S,
                  questions: Callable[[], list[str]],
                  context: Callable[[], tuple[list[str], list[str]]], *,
                  groups: Sequence[str] | None = None,
                  ref_groups: Sequence[str] | None = None, nearest: bool = False):
        """:func:`~.learned.segment_features` with ``learner``'s options, for
        :meth:`fit` and :meth:`code` alike (vectors ``V`` and similarity
        scores ``S`` of ``texts`` already made; ``questions`` called only
        when the learner uses them)."""
        from .features import neighbour_scores, segment_features

        neighbours = near = None
        if learner.neighbours:
            neighbours = neighbour_scores(V, learner.neighbour_vectors_,
                                          learner.neighbour_labels_, k=learner.neighbours,
                                          groups=groups, ref_groups=ref_groups,
                                          nearest=nearest)
            if nearest:
                neighbours, near = neighbours[0], neighbours[1:]
        X = segment_features(
            sim, texts, R, vectors=V, scores=S,
            questions=questions() if learner.question_weight else None,
            question_weight=learner.question_weight, rule_weight=learner.rule_weight,
            context=context() if learner.context_weight else None,
            context_weight=learner.context_weight,
            neighbours=neighbours, neighbour_weight=learner.neighbour_weight)
        return (X, near) if nearest else X

    def _thresholds(self, sim_scores) -> dict[str, float]:
        default = SIMILARITY_THRESHOLDS.get(self.similarity, 0.5)
        cb = self._codebook()
        return {c: (cb[c].threshold if cb[c].threshold is not None else default)
                for c in sim_scores.codes}

    def _codebook_parts(self, R, sim_scores
                        ) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """The codebook part ``c`` of every text × code (codebook order);
        ``c⁺``: ``c`` or, if higher, that of a sub-code whose rule matched;
        and the similarity part."""
        import numpy as np

        codebook = self._codebook()
        code_ids = list(codebook.codes)
        n, k = R.shape[0], len(code_ids)
        excluded = R < 0
        rule = np.clip(R, 0, None)
        has_rule = rule > 0
        sim_part = np.zeros((n, k))
        if sim_scores is not None and n:
            thr = self._thresholds(sim_scores)
            for jj, c in enumerate(sim_scores.codes):
                sim_part[:, code_ids.index(c)] = part(sim_scores.scores[:, jj], thr[c])
            sim_part[excluded] = 0.0
        c = np.maximum(np.where(has_rule, np.maximum(rule, 0.5), 0.0), sim_part)
        c_plus = c.copy()
        for j, q in self._descendant_pairs():
            c_plus[:, j] = np.maximum(c_plus[:, j], np.where(has_rule[:, q], c[:, q], 0))
        return c, c_plus, sim_part

    def _descendant_pairs(self) -> list[tuple[int, int]]:
        """``(j, q)`` column pairs (codebook order) where code ``q`` descends from code ``j``."""
        codebook = self._codebook()
        key = id(codebook)
        cached = getattr(self, "_pairs_cache", None)
        if cached is None or cached[0] != key:
            code_ids = list(codebook.codes)
            pairs = [(j, q) for j, cid in enumerate(code_ids) for q, other in enumerate(code_ids)
                     if other != cid and codebook.is_descendant(other, cid)]
            cached = self._pairs_cache = (key, pairs)
        return cached[1]

    def _combined_scores(self, R, sim_scores, learned):
        """The combined score of every text × code (codebook order), the
        similarity part, the learned part (``nan`` where the learned model
        takes no part) and the learned code → column of ``learned``."""
        import numpy as np

        code_ids = list(self._codebook().codes)
        combined, c_plus, sim_part = self._codebook_parts(R, sim_scores)
        learned_part = np.full(combined.shape, np.nan)
        learned_col: dict[str, int] = {}
        learner = self.learner_
        if learned is not None:
            for jj, c in enumerate(learner.codes_):
                if learner.has_model(c) and learner.modes_[c] != "codebook":
                    j = code_ids.index(c)
                    learned_col[c] = jj
                    learned_part[:, j] = part(learned[:, jj], learner.thresholds_[c])
                    combined[:, j] = combine_parts(learner.modes_[c], learned_part[:, j],
                                                   c_plus[:, j])
        return combined, sim_part, learned_part, learned_col

    def _combine(self, todo, R, hits_all, content, sim_scores, learned, nearest=None,
                 sense=None, topic=None, *, quote: bool = True) -> list[Coding]:
        """One coding per segment × code whose combined score reaches 0.5
        (``content``: each segment's number of content words, see
        :data:`.features.MIN_CONTENT_WORDS`; ``nearest``: index and cosine
        of the nearest human-coded segment per learned code, for the
        evidence, quoted there when ``quote`` and :attr:`quote_learned_from`;
        ``sense`` and ``topic``: the sense check's and the topic check's
        scores, see :meth:`_sense_scores` and :meth:`_topic_scores`)."""
        import numpy as np

        codebook = self._codebook()
        code_ids = list(codebook.codes)
        combined, sim_part, learned_part, learned_col = self._combined_scores(
            R, sim_scores, learned)
        has_rule = R > 0
        sim_col = {c: jj for jj, c in enumerate(sim_scores.codes)} if sim_scores else {}
        learner = self.learner_
        use_learned = ~np.isnan(learned_part)
        coded = combined >= 0.5
        if sense is not None:  # the sense check (see _sense_scores); nan never drops
            for cid, jj in learned_col.items():
                if learner.modes_[cid] == "learned":
                    coded[:, code_ids.index(cid)] &= ~(
                        sense[:, jj] < SENSE_MASKED * learner.thresholds_[cid])
        if topic is not None:  # the topic check (see _topic_scores); nan never drops
            off = topic < TOPIC_MIN
            for cid in learned_col:
                if learner.modes_[cid] == "learned":
                    coded[:, code_ids.index(cid)] &= ~off
        # a segment of few content words is coded only on a rule hit (of the
        # code or a sub-code); one with none ("Ja, precis.") never
        short = np.asarray(content) < MIN_CONTENT_WORDS
        if short.any():
            rule_plus = has_rule.copy()
            for j, q in self._descendant_pairs():
                rule_plus[:, j] |= has_rule[:, q]
            coded[short] &= rule_plus[short]
            coded[np.asarray(content) == 0] = False
        sim_only = coded & ~use_learned & ~has_rule
        scopes = {c.id: c.scope for c in codebook}

        codings: list[Coding] = []
        # only segments with some code reaching 0.5, and only those codes
        # (ascending: codebook order, parents before their sub-codes)
        for i in np.flatnonzero(coded.any(axis=1)).tolist():
            seg = todo[i]
            hits_by_code: dict[str, list] = {}
            for h in hits_all[i]:
                hits_by_code.setdefault(h.code, []).append(h)
            done: set[str] = set()
            for j in np.flatnonzero(coded[i]).tolist():
                cid = code_ids[j]
                code = codebook[cid]
                if not code.codable or not self._in_scope(seg, scopes[cid]):
                    continue
                parent = code.parent
                if parent is not None and parent not in done and (
                        sim_only[i, j] or use_learned[i, code_ids.index(parent)]):
                    continue
                done.add(cid)
                parts: list[str] = []
                code_hits = sorted(hits_by_code.get(cid, ()), key=lambda h: (-h.score, h.spans))
                if code_hits:
                    # each matched rule once, and one rule per words matched
                    # (term(budget*) and term(*budget*) both on 'budget')
                    by_words = {}
                    for h in code_hits:
                        by_words.setdefault(h.words, h.evidence())
                    parts.append("rule: " + "; ".join(dict.fromkeys(by_words.values())))
                rule_ok = bool(code_hits)
                sim_ok = sim_part[i, j] >= 0.5
                if cid in sim_col and sim_ok:  # similarity named where it reached its threshold
                    parts.append(sim_scores.evidence(i, sim_col[cid]))
                if use_learned[i, j]:
                    jj = learned_col[cid]
                    if nearest is not None and nearest[0][i, jj] >= 0:
                        ref = nearest[0][i, jj]
                        if self.quote_learned_from and quote:
                            parts.insert(0, f"nearest human-coded {nearest[1][i, jj]:.2f} "
                                            f"({learner.neighbour_ids_[ref]}): "
                                            f"'{_short(learner.neighbour_texts_[ref], 50)}'")
                        else:  # the texts learned from are not pseudonymised
                            parts.insert(0, f"nearest human-coded {nearest[1][i, jj]:.2f}")
                    if sense is not None and not np.isnan(sense[i, jj]):
                        parts.insert(0, f"sense check: {sense[i, jj]:.2f} without the "
                                        f"words the rules matched (kept at "
                                        f"{SENSE_MASKED * learner.thresholds_[cid]:.2f} "
                                        f"or more)")
                    if (topic is not None and not np.isnan(topic[i])
                            and learner.modes_[cid] == "learned"):
                        parts.insert(0, f"topic check: {topic[i]:.2f} about the evaluated "
                                        f"work (kept at {TOPIC_MIN:.2f} or more)")
                    parts.insert(0, f"learned {learned[i, jj]:.2f} "
                                    f"(threshold {learner.thresholds_[cid]:.2f}, "
                                    f"{learner.modes_[cid]})")
                    method = "learned"
                elif rule_ok and sim_ok:
                    method = "combined"
                elif rule_ok:
                    method = "rule" if any(h.method == "rule" for h in code_hits) else "fuzzy"
                else:
                    method = "similarity"
                codings.append(Coding(
                    segment_id=seg.segment_id, code=cid, theme=codebook.theme_of(cid),
                    score=round(float(combined[i, j]), 4), method=method,
                    evidence=" | ".join(parts)))
        return codings


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` (code-point offsets) blanked.

    >>> _masked("Vi hade dialog hemma.", [(8, 14)])
    'Vi hade        hemma.'
    """
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _learned_pseudonymized(train: Sequence[Segment], transcripts: Sequence[Transcript],
                           pseudonymized: bool | None) -> bool:
    """Whether the texts of the training segments ``train`` are
    pseudonymised (see :meth:`Coder.fit`'s ``pseudonymized``): as the
    caller says, else when every transcript they come from was read from a
    pseudonymised copy (their files looked at once, at fit time)."""
    if pseudonymized is not None:
        return bool(pseudonymized)
    from ..pseudonymize import texts_pseudonymized

    sources = {s.source for s in train}
    by_source = {t.source: t for t in transcripts if t.source in sources}
    return len(by_source) == len(sources) and texts_pseudonymized(by_source.values())


def check_coder_location(path: str | os.PathLike[str], *,
                         unless: Callable[[], bool] | None = None) -> None:
    """E808 when the coder file ``path`` is inside a folder of
    pseudonymised results or copies, which is meant to be shared, and the
    coder holds texts it learned from that are not pseudonymised
    (``unless``: asked only then, true when it holds none). The one check,
    and message, of :meth:`Coder.save` and ``codingkit apply --save-model``."""
    from ..pseudonymize import check_shared_output

    check_shared_output(path, "the saved coder would hold the texts it learned from, which "
                        "are not pseudonymised", option="--save-model",
                        instead=", or learn from pseudonymised texts only (the copies "
                                "'codingkit pseudonymize' writes, or --pseudonymize --key KEY "
                                "without --learn-transcripts; in Python Coder.fit's "
                                "pseudonymized)", unless=unless)


def _any_copy(transcripts: Sequence[Transcript]) -> bool:
    """Whether a transcript of ``transcripts`` was read from a pseudonymised
    copy (:func:`~codingkit.pseudonymize.copies_folder`: its folder is
    marked by ``codingkit pseudonymize``)."""
    from ..pseudonymize import copies_folder

    return any(copies_folder(p) is not None
               for p in dict.fromkeys(str(t.path) for t in transcripts if t.path))
