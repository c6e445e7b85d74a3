"""langdetect's own detector, with its two hot loops made fast and its answers unchanged.

langdetect (a port of Cybozu's Java library) spends ~60% of the pipeline's time in two pure-Python
loops: n-gram extraction, one object call per character, and the Bayesian update, one Python
multiply per language (55) per sampled n-gram. This subclass keeps everything that decides the
answer (the profiles, the text filtering, the seeded random draws and their order, the update and
normalisation arithmetic) and only changes how it is executed:

- extraction: compiled (``_text_rows``), NGram's buffer and capital-word rules over the text's
  characters as numbers, normalised through a table of NGram.normalize, with the profile's n-grams
  found in hash tables of their characters (a row each);
- the random draws come from numpy's MT19937 started in ``random.Random(seed)``'s state, with
  ``choice``'s rejection sampling and ``gauss`` replayed on them;
- the trials are compiled with numba (``_trials``, ``_trial``): the same IEEE operations, in the
  same order, as the Python loop (no fast-math; the normalising sum taken left to right as
  Python's ``sum`` does; the Gaussian with libm's log, cos and sin, as CPython's).

tests/test_fast_langdetect.py checks that probabilities are bit-identical to langdetect's on real
article text in many languages.
"""

from __future__ import annotations

import math
import random
import re
from itertools import islice

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from cleaners.compiled import compiled
from cleaners.text import code_points


class _Profiles:
    """The language profiles as one matrix (row r: n-gram r's probability in each language), and
    the tables ``_text_rows`` reads to find a text's n-grams in it."""

    def __init__(self, word_lang_prob_map: dict[str, list[float]]):
        self.source = word_lang_prob_map
        self.matrix = np.array(list(word_lang_prob_map.values()), dtype=np.float64)
        # Each character of the Basic Multilingual Plane as NGram.normalize gives it, and whether
        # that is upper case: worked out when first seen (all of a text's new characters at once).
        self.normalised = np.full(_BMP, _UNSEEN, dtype=np.uint32)
        self.upper = np.zeros(_BMP, dtype=np.bool_)
        # The n-grams as their characters' code points (all in the BMP), padded with zeros.
        grams = np.array(list(word_lang_prob_map), dtype="<U3")
        codes = grams.view(np.uint32).reshape(len(grams), 3).astype(np.int64)
        lengths = np.char.str_len(grams)
        rows = np.arange(len(grams), dtype=np.int32)
        self.unigrams = np.full(_BMP, -1, dtype=np.int32)
        self.unigrams[codes[lengths == 1, 0]] = rows[lengths == 1]
        pairs, triples = lengths == 2, lengths == 3
        self.pairs = _HashTable(_pair_key(codes[pairs, 0], codes[pairs, 1]), rows[pairs])
        self.triples = _HashTable(_triple_key(codes[triples, 0], codes[triples, 1], codes[triples, 2]),
                                  rows[triples])

    def rows(self, text: str, codes: np.ndarray | None = None) -> np.ndarray:
        """The rows of ``text``'s n-grams, in langdetect's order (its _extract_ngrams).
        ``codes``: its code points, where already at hand."""
        if codes is None:
            codes = code_points(text)
        out = np.empty(3 * len(codes), dtype=np.int32)
        found = self._rows(codes, self.normalised, self.upper, out)
        if found >= 0:
            return out[:found]
        # A character not seen before, or one beyond the BMP (an emoji, a rare script).
        beyond = codes >= _BMP
        plane = np.where(beyond, 0, codes)
        for code in np.unique(plane[self.normalised[plane] == _UNSEEN]).tolist():
            normal = NGram.normalize(chr(code))
            self.normalised[code], self.upper[code] = ord(normal), normal.isupper()
        if not beyond.any():
            return out[:self._rows(codes, self.normalised, self.upper, out)]
        # Those beyond the BMP normalised one by one, into tables of the text's own positions.
        normalised, upper = self.normalised[plane], self.upper[plane]
        for at in np.flatnonzero(beyond).tolist():
            normal = NGram.normalize(text[at])
            normalised[at], upper[at] = ord(normal), normal.isupper()
        return out[:self._rows(np.arange(len(codes), dtype=np.uint32), normalised, upper, out)]

    def _rows(self, codes: np.ndarray, normalised: np.ndarray, upper: np.ndarray, out: np.ndarray) -> int:
        return _text_rows(codes, normalised, upper, self.unigrams, self.pairs.slots, self.pairs.shift,
                          self.triples.slots, self.triples.shift, out)


_BMP = 0x10000
_UNSEEN = np.uint32(0xFFFFFFFF)  # a character not normalised yet
_EMPTY = -1  # an unused slot of a hash table (keys are never negative)


# An n-gram's key: its characters' code points, 21 bits each, the first one highest. Compiled, so
# that the tables (built from arrays of code points) and the loop (one n-gram at a time) share it.
@compiled
def _pair_key(a, b):  # pragma: no cover - compiled
    return (a << 21) | b


@compiled
def _triple_key(a, b, c):  # pragma: no cover - compiled
    return (a << 42) | (b << 21) | c


class _HashTable:
    """N-gram keys (``_pair_key``, ``_triple_key``) -> rows, by open
    addressing with linear probing at a load under one half, as an array the compiled loop reads."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray):
        bits = max(4, (2 * len(keys)).bit_length())
        # A slot is (key, row): a probe reads one cache line, not one in each of two arrays.
        self.slots = np.full((1 << bits, 2), _EMPTY, dtype=np.int64)
        self.shift = 64 - bits
        _fill(keys, rows, self.slots, self.shift)


_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: 2**64 / golden ratio


@compiled
def _slot(key, shift):  # pragma: no cover - compiled
    """A key's first slot in a table of 2**(64 - shift) slots: the top bits of key * ``_MIX``."""
    return np.int64((np.uint64(key) * _MIX) >> np.uint64(shift))


@compiled
def _fill(keys, rows, slots, shift):  # pragma: no cover - compiled
    mask = len(slots) - 1
    for i in range(len(keys)):
        slot = _slot(keys[i], shift)
        while slots[slot, 0] != _EMPTY:
            slot = (slot + 1) & mask
        slots[slot, 0], slots[slot, 1] = keys[i], rows[i]


@compiled
def _find(key, slots, shift):  # pragma: no cover - compiled
    """The row of ``key``, or -1."""
    mask = len(slots) - 1
    slot = _slot(key, shift)
    while True:
        found = slots[slot, 0]
        if found == key:
            return slots[slot, 1]
        if found == _EMPTY:
            return -1
        slot = (slot + 1) & mask


@compiled
def _text_rows(codes, normalised, upper, unigrams, pairs, pair_shift, triples, triple_shift,
               out):  # pragma: no cover - compiled; tested against langdetect's _extract_ngrams
    """langdetect's _extract_ngrams over a text's characters ``codes``, normalised through the table
    ``normalised`` (``upper``: whether that is upper case), writing the rows of the n-grams in the
    profiles to ``out``; returns how many, or -1 at a character the tables do not have yet.

    NGram's buffer: a space ends a word (the buffer restarts as " "), it keeps the last three
    characters, and no n-gram is taken inside a run of capitals (``capitalword``).
    """
    found = 0
    first = second = 0  # the buffer's characters before the last: "  ", " x" or "xyz" (``size``)
    last = 32
    last_upper = False
    size = 1
    capital = False
    for i in range(len(codes)):
        code = codes[i]
        if code >= len(normalised) or normalised[code] == _UNSEEN:
            return -1
        ch = np.int64(normalised[code])
        if last == 32:  # NGram.add_char after a space: the buffer restarts
            size, capital = 1, False
            if ch == 32:
                continue
        elif size >= 3:
            size = 2
        first, second = second, last
        was_upper = last_upper
        last, last_upper = ch, upper[code]
        size += 1
        if last_upper:
            if was_upper:
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != 32 and ch < len(unigrams):
            row = unigrams[ch]
            if row >= 0:
                out[found] = row
                found += 1
        row = _find(_pair_key(second, ch), pairs, pair_shift)
        if row >= 0:
            out[found] = row
            found += 1
        if size >= 3:
            row = _find(_triple_key(first, second, ch), triples, triple_shift)
            if row >= 0:
                out[found] = row
                found += 1
    return found


_VI_MARKS = np.array([ord(ch) for ch in NGram.DMARK_CLASS], dtype=np.uint32)
_VI_MARK_TABLE = np.zeros(int(_VI_MARKS.max()) + 1, dtype=np.bool_)  # code point -> one of the marks
_VI_MARK_TABLE[_VI_MARKS] = True


class _CharacterCounts:
    """What ``_NON_LATIN``, ``_LATIN`` and ``_VI_MARK`` would find in a text, from its code points
    in one compiled pass (numpy took six calls, ~20 us an article in the pipeline; the patterns
    more). The code points are kept: the n-gram rows are read from them where the text is kept."""

    def __init__(self, text: str):
        self.codes = code_points(text)
        self.non_latin, self.latin, self.vi_marks = _count_characters(self.codes, _VI_MARK_TABLE)


@compiled
def _count_characters(codes, vi_marks):  # pragma: no cover - compiled; tested against the patterns
    """(characters from U+0300 on outside U+1E00-U+1EFF, characters 'A'-'z', any of the marks)."""
    non_latin = latin = 0
    marked = False
    for i in range(len(codes)):
        code = codes[i]
        if code >= 0x300:
            if code < 0x1E00 or code > 0x1EFF:
                non_latin += 1
            if code < len(vi_marks) and vi_marks[code]:
                marked = True
        elif 0x41 <= code <= 0x7A:
            latin += 1
    return non_latin, latin, marked


class _Stream:
    """The 32-bit outputs of ``random.Random(seed)``, as numpy's MT19937 reproduces them.

    langdetect re-seeds before every text, so every text reads the same stream from its start.
    """

    def __init__(self, seed: int):
        state = random.Random(seed).getstate()[1]
        self._bits = np.random.MT19937()
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]}}
        self.raw = np.empty(0, dtype=np.uint32)

    def upto(self, end: int) -> np.ndarray:
        if len(self.raw) < end:
            more = self._bits.random_raw(max(end - len(self.raw), 16384)).astype(np.uint32)
            self.raw = np.concatenate([self.raw, more])
        return self.raw


_PROFILES: _Profiles | None = None
_STREAMS: dict[int, _Stream] = {}
# langdetect's cleaning_text counts: Latin letters (its 'A' <= ch <= 'z'), and characters from
# U+0300 on outside the Latin Extended Additional block.
_LATIN = re.compile("[A-z]")
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_SPACE_RUNS = re.compile(" {2,}")
_VI_MARK = re.compile(f"[{NGram.DMARK_CLASS}]")  # the combining marks NGram.normalize_vi composes
TWOPI = 2.0 * math.pi  # as in the random module
SETTLE_MARGIN = 1e-4  # answers are compared after rounding to 4 decimal places


def _profiles(word_lang_prob_map: dict) -> _Profiles:
    global _PROFILES
    if _PROFILES is None or _PROFILES.source is not word_lang_prob_map:
        _PROFILES = _Profiles(word_lang_prob_map)
    return _PROFILES


@compiled
def _random(a, b):  # pragma: no cover - compiled
    """random.random() from two 32-bit outputs (CPython's random_random)."""
    return ((a >> 5) * 67108864.0 + (b >> 6)) * (1.0 / 9007199254740992.0)


class FastDetector(Detector):
    """Drop-in for langdetect's Detector: same inputs, same random draws, same probabilities.

    ``settle``, when set to (language, min_prob), ends the trials as soon as no language but
    ``language`` can still average ``min_prob`` (``settled`` is then True and ``langprob`` partial).
    """

    settle: tuple[str, float] | None = None
    settled = False
    _counts: _CharacterCounts | None = None  # of self.text, where append made them
    _codes: np.ndarray | None = None  # self.text's code points, where append kept them

    def __init__(self, factory):
        # Detector.__init__ without its random.Random(), seeded from the OS (~13 us, two or three
        # detections an article): the compiled trials draw from their own stream, and langdetect's
        # own loop gets one when it runs (_detect_block).
        self.word_lang_prob_map = factory.word_lang_prob_map
        self.langlist = factory.langlist
        self.seed = factory.seed
        self.random = None
        self.text = ""
        self.langprob = None
        self.alpha = self.ALPHA_DEFAULT
        self.n_trial = 7
        self.max_text_length = 10000
        self.prior_map = None
        self.verbose = False

    def append(self, text: str) -> None:
        # Each pattern needs a character most texts lack: skipping its scan then changes nothing.
        if "://" in text:
            text = self.URL_RE.sub(" ", text)
        if "@" in text:
            text = self.MAIL_RE.sub(" ", text)
        # The text's characters are looked at once, as numbers: its Vietnamese marks, and the
        # counts cleaning_text compares (which collapsing spaces does not change). Only for a
        # first text kept whole: the counts must be those of self.text.
        whole = not self.text and len(text) <= self.max_text_length
        counts = _CharacterCounts(text) if whole else None
        if (counts.vi_marks if counts is not None else _VI_MARK.search(text)):
            text, counts = NGram.normalize_vi(text), None
        self._counts = counts
        # The original appends character by character, skipping a space that follows a space.
        text = text[:self.max_text_length]
        if "  " in text:
            text = _SPACE_RUNS.sub(" ", text)
            self._codes = None
        else:  # self.text is the counted text: its code points are the n-gram rows' input
            self._codes = counts.codes if counts is not None else None
        self.text += text

    def cleaning_text(self) -> None:
        counts = self._counts
        if counts is not None:
            non_latin = counts.non_latin
            mostly_other = non_latin and counts.latin * 2 < non_latin
        else:
            non_latin = len(_NON_LATIN.findall(self.text))
            # Latin letters only counted as far as the comparison needs (most texts are Latin).
            latin = sum(1 for _ in islice(_LATIN.finditer(self.text), (non_latin + 1) // 2))
            mostly_other = non_latin and latin * 2 < non_latin
        if mostly_other:
            self.text = "".join(ch for ch in self.text if ch < "A" or "z" < ch)
            self._codes = None

    def _ngram_rows(self) -> np.ndarray:
        """langdetect's _extract_ngrams, as rows of the profile matrix."""
        return _profiles(self.word_lang_prob_map).rows(self.text, self._codes)

    def get_probabilities(self) -> list:
        if self.langprob is None:
            self._detect_block()
        # Settled trials are partial: no answer is made of them (detect_langs returns this).
        return [] if self.settled else self._sort_probability(self.langprob)

    def _extract_ngrams(self) -> list[str]:
        strings = list(self.word_lang_prob_map)
        return [strings[r] for r in self._ngram_rows().tolist()]

    def _detect_block(self) -> None:
        if not isinstance(self.seed, int) or self.prior_map is not None or self.verbose:
            self.random = random.Random()
            return super()._detect_block()  # unseeded or customised: langdetect's own loop
        self.cleaning_text()
        rows = self._ngram_rows()
        if not len(rows):
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        matrix = _profiles(self.word_lang_prob_map).matrix
        stream = _STREAMS.get(self.seed) or _STREAMS.setdefault(self.seed, _Stream(self.seed))
        others = _others(self.langlist, self.settle[0] if self.settle is not None else None)
        settle_below = self.settle[1] - SETTLE_MARGIN if self.settle is not None else -1.0
        langprob = np.empty(len(self.langlist))
        trials = -1
        while trials < 0:  # the stream grows in the rare case a text needs more draws
            draws = stream.upto(1)
            trials = _trials(matrix, rows, draws, self.alpha, self.ALPHA_WIDTH, self.BASE_FREQ, self.n_trial,
                             self.CONV_THRESHOLD, self.ITERATION_LIMIT, others, settle_below, langprob)
            if trials < 0:
                stream.upto(2 * len(draws))
        self.settled = trials < self.n_trial
        self.langprob = langprob.tolist()


_OTHERS: dict[tuple[int, str | None], tuple[list[str], np.ndarray]] = {}


def _others(langlist: list[str], language: str | None) -> np.ndarray:
    """Which languages of ``langlist`` are not ``language`` (all for None), made once for each
    (the list comprehension over the 55 languages cost ~5 us a call). Shared: never written."""
    found = _OTHERS.get((id(langlist), language))
    if found is None or found[0] is not langlist or len(found[1]) != len(langlist):
        found = _OTHERS[id(langlist), language] = (langlist, np.array([lang != language for lang in langlist]))
    return found[1]


@compiled
def _trials(matrix, rows, draws, alpha0, alpha_width, base_freq, n_trial, conv_threshold, iteration_limit,
            others, settle_below, langprob):  # pragma: no cover - compiled; tested through detect_langs
    """langdetect's trials, compiled: fill ``langprob`` with the average of ``n_trial`` trials;
    return the trials run (fewer when no language in ``others`` can still average
    ``settle_below``), or -1 when ``draws`` ran out. Each trial draws its smoothing from
    ``random.gauss`` (CPython's formula on the same 32-bit outputs), then updates from random
    n-grams (``random.choice``'s rejection sampling) until it converges, with ``_trial``.
    """
    shift = 32 - _bit_length(len(rows))
    langprob[:] = 0.0
    prob = np.empty(len(langprob))
    at, gauss_next, have_next = 0, 0.0, False
    for trial in range(n_trial):
        prob[:] = 1.0 / len(prob)  # _init_probability
        if have_next:
            z, have_next = gauss_next, False
        else:
            if at + 4 > len(draws):
                return -1
            x2pi = _random(draws[at], draws[at + 1]) * TWOPI
            g2rad = math.sqrt(-2.0 * math.log(1.0 - _random(draws[at + 2], draws[at + 3])))
            at += 4
            z, gauss_next, have_next = math.cos(x2pi) * g2rad, math.sin(x2pi) * g2rad, True
        alpha = alpha0 + (0.0 + z * 1.0) * alpha_width
        at = _trial(matrix, rows, draws, at, shift, alpha / base_freq, prob, conv_threshold, iteration_limit)
        if at < 0:
            return -1
        for j in range(len(prob)):
            langprob[j] += prob[j] / n_trial
        # Each trial's probabilities are normalised (none above 1): the trials left can add at most
        # left / n_trial to any language.
        left = (n_trial - trial - 1) / n_trial
        if left > 0.0 and settle_below > 0.0:
            largest = 0.0
            for j in range(len(prob)):
                if others[j] and langprob[j] > largest:
                    largest = langprob[j]
            if largest + left < settle_below:
                return trial + 1
    return n_trial


@compiled
def _bit_length(n):  # pragma: no cover - compiled
    bits = 0
    while n:
        n >>= 1
        bits += 1
    return bits


@compiled
def _trial(matrix, rows, draws, at, shift, weight, prob, conv_threshold, iteration_limit):  # pragma: no cover
    """One trial of langdetect's _detect_block, compiled: update ``prob`` in place with random
    n-grams from ``draws[at:]`` until it converges; return the position after the last draw used
    (-1 when ``draws`` ran out first). The same float operations in the same order as langdetect:
    ``prob[j] *= weight + p(ngram | lang j)`` per draw, and every fifth draw (from the first) the
    normalisation by the left-to-right sum and the convergence check on the largest quotient.
    """
    n = len(rows)
    pos = at
    i = 0
    while True:
        while True:  # random.choice's rejection sampling
            if pos >= len(draws):
                return -1
            pick = np.int64(draws[pos] >> shift)
            pos += 1
            if pick < n:
                break
        row = rows[pick]
        for j in range(prob.shape[0]):
            prob[j] *= weight + matrix[row, j]
        if i % 5 == 0:
            total = 0.0
            for j in range(prob.shape[0]):
                total += prob[j]
            largest = 0.0
            for j in range(prob.shape[0]):
                quotient = prob[j] / total
                if largest < quotient:
                    largest = quotient
                prob[j] = quotient
            if largest > conv_threshold or i >= iteration_limit:
                return pos
        i += 1


def detect_langs(text: str, seed: int, settle: tuple[str, float] | None = None) -> list:
    """langdetect.detect_langs(text) with ``DetectorFactory.seed = seed``, on the fast detector.

    ``settle`` = (language, min_prob): return [] as soon as it is certain that no language other
    than ``language`` reaches ``min_prob`` (the full answer's other entries are then not needed).
    """
    detector_factory.init_factory()
    detector_factory.DetectorFactory.seed = seed
    detector = FastDetector(detector_factory._factory)
    detector.settle = settle
    detector.append(text)
    return detector.get_probabilities()
