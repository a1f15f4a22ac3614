"""What a segment looks like to the learned model: its features.

The coding pipeline (:meth:`codingkit.Coder.code`) runs in stages:
segments (:mod:`codingkit.segmenting`) → rule scores (:mod:`.rules`) and
similarity scores (:mod:`.similarity`), each turn tokenised once → the
learned model's features (this module) and scores (:mod:`.learned`) →
combination (:mod:`.combination`) → codings.

A segment's features are its own TF-IDF vector, the vector of the
interviewer's question before it and, optionally, of the answers around
it (found by :func:`preceding_questions` and :func:`adjacent_answers`
within the segment's own transcript, so they do not depend on what else is
coded), its similarity and rule scores, and its similarity to the nearest
human-coded segments (:func:`neighbour_scores`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from ..model import INTERVIEWER, Segment

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = ["preceding_questions", "adjacent_answers", "neighbour_scores", "segment_features",
           "content_words", "CONTENT_FREE", "PHATIC_PHRASES", "MIN_CONTENT_WORDS", "DENSE_WEIGHT",
           "NEIGHBOUR_BLOCK"]

#: Words that carry no theme on their own: back-channels, answers, thanks
#: and greetings ("Ja.", "Precis.", "Tack själv.", "Mm, absolut."). With
#: Swedish stop words they are left out when counting a segment's content
#: words (:func:`content_words`).
CONTENT_FREE = frozenset("""
ja jaa jo joo nej nä näe nja mm mhm hm hmm aha ah eh öh oj okej ok okay precis exakt
absolut visst javisst självklart såklart säkert sant stämmer riktigt just jättebra bra
toppen perfekt kul roligt gärna tack tacksam detsamma själv varsågod hej hejdå hallå
sådär typ liksom alltså ju väl nog kanske va
hejsan tjena tjenare tja halloj godmorgon goddag godkväll välkommen välkomna
förlåt ursäkta pardon vänta instämmer jaha jaså aa äh ähm öhm mmm nämen
""".split())

#: Phrases of talk about the talk itself, which carry no theme whatever
#: their words mean elsewhere: greetings and leave-takings ("God morgon",
#: "Trevligt att ses"), thanks, apologies and politeness ("Ingen fara, ta
#: den tid du behöver"), hesitation ("Låt mig tänka"), and the call itself
#: ("Hör du mig?", "Jag ska bara stänga dörren", "Det går bra att ni spelar
#: in"). One phrase a line, lower case; ``a|b`` is either word. Their words
#: are not counted as content words (:func:`content_words`), so a turn made
#: of them alone is never coded; a word outside them still counts.
PHATIC_PHRASES = """
god morgon|dag|middag|eftermiddag|förmiddag|kväll|natt
trevligt|kul|roligt|skönt att ses|höras|träffas|pratas
trevligt|kul|roligt|skönt att se|höra dig|er|dej
vi hörs|ses|pratas
hörs|ses|pratas snart|sen|senare|då|igen
ha det bra|gott|fint|så
ha en bra|trevlig|fin|skön dag|helg|kväll|vecka|sommar|jul
trevlig helg|kväll|sommar|jul
tack för att du|ni ställde|ställer|ställt upp
tack för att jag fick|får vara|komma med
tack för samtalet|intervjun|pratstunden|frågan|frågorna|ordet|senast|sist
tack för i dag
ingen fara|orsak|brådska|stress
inga problem
inget problem
det är lugnt
ta den tid du|ni behöver
ta din|er|god tid
ta det lugnt
bra fråga
svår fråga
låt mig tänka|se|fundera
får se|tänka
ska vi se
hur ska jag|man uttrycka det|mig
det tror jag
jag tror det
tror det
håller med
jag vet inte
vet inte
hör du|ni mig|oss
hörs jag|vi|det
jag|vi hör dig|er|dej
ser du|ni mig|oss
syns jag|vi
jag|vi ser dig|er|dej
nu hör|ser jag dig|er|dej
du|ni hackar|laggar|försvann|frös
det hackar|laggar|brusar
jag tappade dig|er|dej
nu är jag tillbaka
vänta lite|litegrann
en sekund|minut
ett ögonblick|tag
ge mig en sekund|minut
stänga|stänger dörren|fönstret
stänga|stänger|slå|slår|sätta|sätter av|på kameran|mikrofonen|micken|ljudet|telefonen|mobilen
kameran|mikrofonen|micken|ljudet fungerar|funkar
kameran|mikrofonen|micken|ljudet är av|på
det går bra att du|ni spelar in
spela|spelar in
kan du upprepa|ta om frågan
kan du ta frågan igen
vad sa du
jag hörde inte
jag uppfattade inte frågan
"""

#: A segment with fewer content words than this is coded only where a rule
#: of the code (or of a sub-code) matched: similarity and learned scores of
#: a few words say little. A segment with none is never coded.
MIN_CONTENT_WORDS = 3

#: Scale of the similarity and rule features against the (unit-length)
#: TF-IDF vector: larger values let the model lean more on them.
DENSE_WEIGHT = 1.0

#: Texts compared with the human-coded segments at a time (:func:`neighbour_scores`).
NEIGHBOUR_BLOCK = 512


def preceding_questions(segments: Sequence[Segment], todo: Sequence[Segment]) -> list[str]:
    """The interviewer's turn before each segment of ``todo`` (``""`` if none).

    ``segments`` are all segments of the transcripts, in transcript order
    (interviewer turns included); a turn cut into sentences or paragraphs
    is joined again. A human coder reads an answer in the light of the
    question, so the learned model may see it (:mod:`.learned`).

    >>> from codingkit.model import Segment
    >>> segs = [Segment("a:1", "a", 0, 5, "Hur?", 1, speaker_role="interviewer"),
    ...         Segment("a:2", "a", 6, 9, "Så.", 2),
    ...         Segment("a:3", "a", 10, 13, "Och.", 3)]
    >>> preceding_questions(segs, segs[1:])
    ['Hur?', 'Hur?']
    """
    latest: dict[str, tuple[int, list[str]]] = {}  # source → latest interviewer turn
    earlier: dict[str, str] = {}  # source → the interviewer turn before that one
    before: dict[str, str] = {}
    for s in segments:
        turn, parts = latest.get(s.source, (-1, []))
        if s.speaker_role == INTERVIEWER:
            if turn != s.turn:
                if parts:
                    earlier[s.source] = " ".join(parts)
                latest[s.source] = (s.turn, [s.text])
            else:
                parts.append(s.text)
            # an interviewer's segment: the interviewer turn before its own
            before[s.segment_id] = earlier.get(s.source, "")
        else:
            before[s.segment_id] = " ".join(parts)
    return [before.get(s.segment_id, "") for s in todo]


def adjacent_answers(segments: Sequence[Segment], todo: Sequence[Segment]
                     ) -> tuple[list[str], list[str]]:
    """The respondent turns before and after each segment of ``todo``.

    For each segment: the text of the previous and of the next segment of
    the same transcript that is not the interviewer's, skipping the
    interviewer's turns between them (``""`` at the start or end of a
    transcript). A theme often runs over several answers ("Ja, och det
    gjorde vi igen i våras."), so the learned model may look at them
    (:mod:`.learned`, option ``context_weight``).

    >>> from codingkit.model import Segment
    >>> segs = [Segment("a:1", "a", 0, 5, "Hur?", 1, speaker_role="interviewer"),
    ...         Segment("a:2", "a", 6, 9, "Så.", 2),
    ...         Segment("a:3", "a", 10, 14, "Och?", 3, speaker_role="interviewer"),
    ...         Segment("a:4", "a", 15, 18, "Ja.", 4)]
    >>> adjacent_answers(segs, [segs[1], segs[3]])
    (['', 'Så.'], ['Ja.', ''])
    """
    answers: dict[str, list[Segment]] = {}
    for s in segments:
        if s.speaker_role != INTERVIEWER:
            answers.setdefault(s.source, []).append(s)
    where = {s.segment_id: (s.source, i) for src, ss in answers.items()
             for i, s in enumerate(ss)}
    before, after = [], []
    for s in todo:
        src, i = where.get(s.segment_id, (s.source, -1))
        ss = answers.get(src, [])
        before.append(ss[i - 1].text if i > 0 else "")
        after.append(ss[i + 1].text if 0 <= i < len(ss) - 1 else "")
    return before, after


def neighbour_scores(vectors: "sparse.spmatrix | np.ndarray",
                     ref_vectors: "sparse.spmatrix | np.ndarray", ref_Y: "np.ndarray", *,
                     k: int = 3, groups: "Sequence[str] | None" = None,
                     ref_groups: "Sequence[str] | None" = None,
                     nearest: bool = False
                     ) -> "np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]":
    """How close each text is to the human-coded segments of each code.

    For every code (column of ``ref_Y``) two numbers: ``p``, the mean cosine
    of the ``k`` nearest human-coded segments *with* the code, and ``p − q``
    with ``q`` the same for the ``k`` nearest segments *without* it. A
    segment whose nearest coded neighbours say "behov" scores high for
    behov even when it shares no word with the codebook.

    Parameters
    ----------
    vectors:
        The texts' vectors (rows L2-normalised, e.g. from
        :meth:`~codingkit.coding.similarity.SimilarityModel.transform`).
    ref_vectors:
        The human-coded segments' vectors.
    ref_Y:
        ``n_ref × m`` human decisions (bool).
    k:
        Neighbours averaged (fewer when a code has fewer segments).
    groups, ref_groups:
        The source of each text and of each reference. A text is never
        compared with a reference of its own source (so that the training
        rows' features are what they would be for a new transcript).
    nearest:
        Also return, per text and code, the index of the nearest reference
        coded with the code (−1 if none) and its cosine: the evidence of a
        learned coding.

    Returns
    -------
    numpy.ndarray
        ``n × 2m``: ``p`` and ``p − q`` of code 1, then of code 2, …
        With ``nearest``, a tuple of that, the ``n × m`` indices and the
        ``n × m`` cosines.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    >>> Y = np.array([[True], [False], [True]])
    >>> neighbour_scores(np.array([[1.0, 0.0]]), ref, Y, k=1).round(2).tolist()
    [[1.0, 1.0]]
    >>> neighbour_scores(np.array([[1.0, 0.0]]), ref, Y, k=1, groups=["a"],
    ...                  ref_groups=["a", "b", "b"]).round(2).tolist()
    [[0.6, 0.6]]
    >>> _, idx, cos = neighbour_scores(np.array([[0.0, 1.0]]), ref, Y, k=1, nearest=True)
    >>> idx.tolist(), cos.round(2).tolist()
    ([[2]], [[0.8]])
    """
    import numpy as np
    from scipy import sparse

    ref_Y = np.asarray(ref_Y, dtype=bool)
    n, m = vectors.shape[0], ref_Y.shape[1]
    out = np.zeros((n, 2 * m))
    near = np.full((n, m), -1, dtype=int)
    near_cos = np.zeros((n, m))
    if n == 0 or ref_Y.shape[0] == 0:
        return (out, near, near_cos) if nearest else out
    if sparse.issparse(vectors):  # sliced in blocks below (a COO matrix cannot be)
        vectors = vectors.tocsr()
    if sparse.issparse(ref_vectors):  # the transpose once, not per block
        ref_T = ref_vectors.T.tocsr()
    else:
        ref_T = np.asarray(ref_vectors).T
    g = np.asarray(groups, dtype=object) if groups is not None and ref_groups is not None else None
    rg = np.asarray(ref_groups, dtype=object) if g is not None else None
    for b in range(0, n, NEIGHBOUR_BLOCK):  # keep the n × references matrix small
        e = min(b + NEIGHBOUR_BLOCK, n)
        sims = vectors[b:e] @ ref_T
        sims = sims.toarray() if sparse.issparse(sims) else np.array(sims, dtype=float)
        if g is not None:  # a text is not compared with its own source
            sims[g[b:e, None] == rg[None, :]] = -np.inf
        _neighbour_block(sims, ref_Y, k, out[b:e], near[b:e] if nearest else None,
                         near_cos[b:e] if nearest else None)
    return (out, near, near_cos) if nearest else out


#: Nearest references per text looked at first by :func:`neighbour_scores`;
#: a code whose ``k`` nearest (or nearest coded) references are not all
#: among them is looked up in all references, for that text only.
NEIGHBOUR_CANDIDATES = 48


def _top_mean(block: "np.ndarray", k: int) -> "np.ndarray":
    """Mean of each row's ``k`` largest values, ``-inf`` (own source) left out."""
    import numpy as np

    if block.shape[1] == 0:
        return np.zeros(block.shape[0])
    kk = min(k, block.shape[1])
    top = -np.sort(-np.partition(block, block.shape[1] - kk, axis=1)[:, block.shape[1] - kk:],
                   axis=1)
    return _mean_found(top)


def _mean_found(top: "np.ndarray") -> "np.ndarray":
    """Mean of each row's finite values (largest first), 0 where there are none."""
    import numpy as np

    found = np.isfinite(top)
    total = np.zeros(top.shape[0])
    for c in range(top.shape[1]):  # largest first, whatever found them
        total += np.where(found[:, c], top[:, c], 0.0)
    count = found.sum(axis=1)
    return np.divide(total, count, out=np.zeros(len(total)), where=count > 0)


def _neighbour_block(sims: "np.ndarray", ref_Y: "np.ndarray", k: int, out: "np.ndarray",
                     near: "np.ndarray | None", near_cos: "np.ndarray | None") -> None:
    """:func:`neighbour_scores` of one block of texts (``sims``: their cosines
    with every reference, ``-inf`` where a reference may not count), written
    into ``out``, ``near`` and ``near_cos`` (``None``: the nearest coded
    references are not wanted).

    The ``NEIGHBOUR_CANDIDATES`` largest cosines of each row are found
    once, in order (largest first; ties: lowest reference first); a code's
    ``k`` nearest references with (and without) it are read off them when
    they hold ``k`` of them, and found among all references otherwise. The
    values are those of a search of all references; each row depends on
    its own cosines alone.
    """
    import numpy as np

    n, r = sims.shape
    m = ref_Y.shape[1]
    K = min(r, NEIGHBOUR_CANDIDATES)
    if K < r:
        cand = np.argpartition(sims, r - K, axis=1)[:, r - K:]
    else:
        cand = np.broadcast_to(np.arange(r), (n, r))
    vals = np.take_along_axis(sims, cand, axis=1)
    order = np.lexsort((cand, -vals), axis=1)
    cand = np.take_along_axis(cand, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    kth = vals[:, -1]
    # rows whose candidates hold every reference that can count
    complete = np.full(n, K == r) | (kth == -np.inf)

    def k_nearest_mean(mask: "np.ndarray", cols: "np.ndarray") -> "np.ndarray":
        """Mean cosine of each row's k nearest references in ``cols``
        (bool over references; ``mask``: the same over the candidates)."""
        kk = min(k, int(cols.sum()))
        if kk == 0:
            return np.zeros(n)
        taken = mask & (np.cumsum(mask, axis=1) <= kk)
        top = np.full((n, kk), -np.inf)
        rr, cc = np.nonzero(taken)
        top[rr, (np.cumsum(taken, axis=1) - 1)[rr, cc]] = vals[rr, cc]
        mean = _mean_found(top)
        redo = np.flatnonzero(~(complete | (taken.sum(axis=1) == kk)))
        if len(redo):
            mean[redo] = _top_mean(sims[np.ix_(redo, np.flatnonzero(cols))], kk)
        return mean

    rows = np.arange(n)
    for j in range(m):
        labels = ref_Y[cand, j]
        p = k_nearest_mean(labels, ref_Y[:, j])
        out[:, 2 * j] = p
        out[:, 2 * j + 1] = p - k_nearest_mean(~labels, ~ref_Y[:, j])
        pos = np.flatnonzero(ref_Y[:, j])
        if near is None or not len(pos):
            continue
        has = labels.any(axis=1)
        first = labels.argmax(axis=1)
        best = np.where(has, cand[rows, first], -1)
        top = np.where(has, vals[rows, first], -np.inf)
        # exact unless the best coded one might tie with, or lie beyond, the candidates
        redo = np.flatnonzero(~complete & (~has | (top <= kth)))
        if len(redo):
            block = sims[np.ix_(redo, pos)]
            a = block.argmax(axis=1)
            best[redo] = pos[a]
            top[redo] = block[np.arange(len(redo)), a]
        found = np.isfinite(top)
        near[:, j] = np.where(found, best, -1)
        near_cos[:, j] = np.where(found, top, 0.0)


def segment_features(similarity, texts: Sequence[str], rule_scores: "np.ndarray", *,
                     vectors: "sparse.spmatrix | None" = None,
                     self_index: "Sequence[int] | None" = None,
                     scores=None,
                     questions: "Sequence[str] | None" = None,
                     question_weight: float = 0.0,
                     context: "tuple[Sequence[str], Sequence[str]] | None" = None,
                     context_weight: float = 0.0,
                     rule_weight: float = 1.0,
                     neighbours: "np.ndarray | None" = None,
                     neighbour_weight: float = 1.0) -> "sparse.csr_matrix":
    """The features the learned model sees for each text.

    Parameters
    ----------
    similarity:
        A fitted :class:`~codingkit.coding.similarity.SimilarityModel`.
    texts:
        The segment texts.
    rule_scores:
        ``n × len(similarity.codebook_)`` rule scores (codebook order; 0 where
        no rule matched, −1 where an exclusion matched).
    vectors:
        ``similarity.transform(texts)``, if already computed.
    self_index:
        For codebook examples used as seed data: their own reference index,
        so that an example is not compared with itself.
    scores:
        ``similarity.score(vectors=..., use_human=False, self_index=...)``
        of the texts, when the caller has it already (computed otherwise).
    questions:
        The interviewer's question before each text (``""`` when there is
        none); used when ``question_weight`` > 0.
    question_weight:
        Scale of the question's vector against the segment's own (0: the
        question is not used).
    rule_weight:
        Scale of the rule scores (0: the model does not see the rules).
    neighbours:
        :func:`neighbour_scores` of the texts (``None``: not used).
    neighbour_weight:
        Their scale.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``[TF-IDF (and embedding) vector | question vector × question_weight |
        similarity score and s⁺ per code (codebook references only) |
        rule score per code × rule_weight | neighbour scores × neighbour_weight]``
        (blocks with weight 0 left out).
    """
    import numpy as np
    from scipy import sparse

    V = vectors if vectors is not None else similarity.transform(list(texts))
    S = scores if scores is not None else similarity.score(vectors=V, use_human=False,
                                                           self_index=self_index)
    blocks = [V]
    if question_weight and questions is not None:
        Q = similarity.transform([q or "" for q in questions])
        blocks.append(Q * question_weight)
    if context_weight and context is not None:
        for side in context:
            blocks.append(similarity.transform([t or "" for t in side]) * context_weight)
    dense = [S.scores * DENSE_WEIGHT, S.positive * DENSE_WEIGHT]
    if rule_weight:
        dense.append(np.asarray(rule_scores, dtype=float) * rule_weight)
    if neighbours is not None and neighbour_weight:
        dense.append(np.asarray(neighbours, dtype=float) * neighbour_weight)
    blocks.append(sparse.csr_matrix(np.hstack(dense)))
    return sparse.hstack(blocks, format="csr")


@lru_cache(maxsize=1)
def _phatic_phrases() -> dict[str, list[tuple[str, ...]]]:
    """:data:`PHATIC_PHRASES` expanded (``a|b``), by first word, longest first."""
    from itertools import product

    by_first: dict[str, list[tuple[str, ...]]] = {}
    for line in PHATIC_PHRASES.splitlines():
        if line.strip():
            for words in product(*(w.split("|") for w in line.split())):
                by_first.setdefault(words[0], []).append(words)
    return {w: sorted(set(p), key=len, reverse=True) for w, p in by_first.items()}


@lru_cache(maxsize=1)
def _phatic_words() -> frozenset[str]:
    """Every word of the :data:`PHATIC_PHRASES`."""
    return frozenset(w for phrase_list in _phatic_phrases().values()
                     for phrase in phrase_list for w in phrase)


#: Tokens that end a sentence for :func:`content_words` (a line break does too).
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "?!", "!!", "??"})


def _phatic_sentence(words: list[str], phrases, cache: dict, strings) -> int:
    """The content words of a sentence (its words, lower case) if every one
    of them lies in a :data:`PHATIC_PHRASES` phrase, else 0."""
    covered = 0
    i = 0
    while i < len(words):
        for phrase in phrases.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                covered += sum(cache[strings[w]][0] for w in phrase)
                i += len(phrase)
                break
        else:
            if cache[strings[words[i]]][0]:
                return 0  # a content word outside every phrase: the sentence says something
            i += 1
    return covered


def content_words(doc, cache: dict | None = None) -> int:
    """The number of content words in a tokenised segment (a spaCy ``Doc``).

    Words (letters, not one-letter) that are neither Swedish stop words
    nor :data:`CONTENT_FREE`; a sentence whose every such word lies in one
    of the :data:`PHATIC_PHRASES` (compared word by word, punctuation
    skipped) counts none ("Ingen fara, ta den tid du behöver."), while a
    phrase in a sentence that says something else counts as usual ("Jag
    jobbade där ett tag innan upphandlingen.").
    ``cache`` maps spaCy's lower-case hashes to whether they count and
    whether a phrase may start there (shared between calls for speed).

    >>> from codingkit.swedish import get_analyzer
    >>> nlp = get_analyzer().nlp
    >>> content_words(nlp("Tack själv, ja precis!")), content_words(nlp("Vi bjöd in leverantörerna."))
    (0, 2)
    >>> content_words(nlp("God morgon! Hör du mig? Ingen fara, ta den tid du behöver."))
    0
    >>> content_words(nlp("God morgon. Vi behöver tid att kartlägga behoven."))
    4
    """
    from spacy.attrs import LOWER
    from spacy.lang.sv.stop_words import STOP_WORDS

    from ..swedish import is_word

    cache = {} if cache is None else cache
    phrases, phrase_words = _phatic_phrases(), _phatic_words()
    n = 0
    inside = False
    strings = doc.vocab.strings
    lexes = doc.to_array(LOWER).tolist()
    for lex in lexes:
        kind = cache.get(lex)
        if kind is None:
            w = strings[lex]
            counts = (len(w) > 1 and is_word(w) and w not in STOP_WORDS
                      and w not in CONTENT_FREE)
            kind = cache[lex] = (counts, counts and w in phrase_words)
        n += kind[0]
        inside |= kind[1]
    if not inside:  # no content word that a phrase holds: no phrase can change n
        return n
    # a sentence whose every content word lies in phrases ("Ingen fara, ta
    # den tid du behöver.") has none; phrases inside a sentence that says
    # something else ("Jag jobbade där ett tag innan ...") leave it as it is
    sentence: list[str] = []
    for lex in [*lexes, None]:
        w = strings[lex] if lex is not None else "."
        if w in _SENTENCE_ENDS or "\n" in w:
            n -= _phatic_sentence(sentence, phrases, cache, strings)
            sentence = []
        elif is_word(w):
            sentence.append(w)
    return n
    # some phrase may start here: leave out the content words inside phrases
    words = [w for w in (strings[lex] for lex in lexes) if is_word(w)]
    i = 0
    while i < len(words):
        for phrase in phrases.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                n -= sum(cache[strings[w]][0] for w in phrase)
                i += len(phrase)
                break
        else:
            i += 1
    return n
