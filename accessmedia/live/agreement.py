"""Which words of a streaming recogniser's hypotheses are final: local agreement (ufal/whisper_streaming's
HypothesisBuffer). The same growing window of audio is decoded again and again; a word is committed when two
consecutive hypotheses agree on it (and on every word before it), when the model has heard well past it, or when the
model is sure of it (its probability at least SURE) and it is not at the audio's edge. Committed words never change;
the words after them are the unstable tail, shown as such. Pure: words in, words out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from accessmedia.core.transcript import Word

OVERLAP_NGRAM = 5  # words at the head of a new hypothesis checked against the tail of what is committed
SLACK = 0.1  # seconds: a word starting this much before the committed end may still be new
AGREE_AFTER = 0.9  # seconds of audio between two hypotheses whose agreement counts (closer ones agree too easily)
MARGIN = 1.5  # seconds before the audio's edge after which a word is committed without waiting for agreement
SURE = 0.7  # a word the model is at least this sure of (its probability) is committed from one hypothesis ...
SURE_MARGIN = 0.6  # ... when it ends this many seconds before the audio's edge


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


@dataclass
class Agreement:
    committed_end: float = 0.0  # where the committed words end, in stream seconds
    previous: list[Word] | None = None  # the last hypothesis' words after the committed ones
    recent: list[Word] | None = None  # the last committed words (to drop them when a hypothesis repeats them)
    earlier: list | None = None  # (edge, words after the committed ones) of the last hypotheses

    def insert(self, words: Sequence[Word], offset: float = 0.0, edge: float | None = None) -> list[Word]:
        """A new hypothesis of the window starting at `offset` (word times within the window); the words it commits.
        The hypothesis may repeat committed words (the window still holds their audio): they are dropped first."""
        new = [replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3)) for w in words]
        new = [w for w in new if w.start > self.committed_end - SLACK and _key(w.text)]
        return self.settle(self._without_repeat(new), edge)

    def settle(self, new: Sequence[Word], edge: float | None = None, margin: float | None = None) -> list[Word]:
        """The words a hypothesis has after the committed ones (stream times), and `edge`, where its audio ends: the
        words it commits. A word is committed when the previous hypothesis had it too (local agreement; given an
        edge, the latest hypothesis made on AGREE_AFTER seconds less audio: decoded every half second, two hypotheses
        in a row agree too easily: committed WER on king.mp3 0.59 against 0.54), or when it
        ends `margin` seconds before the edge: the model heard what follows it, so more audio will not change it (the
        attention-guided policy of SimulStreaming, by the word's alignment), or when the model is sure of it and it ends
        SURE_MARGIN seconds before the edge (a sure word waits for no second decoding: simulated on king.mp3 with the
        same decodings, latency median 3.69 -> 3.45 s, first unstable text 2.36 -> 2.07 s, committed WER 0.429 ->
        0.421). Only a run from the first new word."""
        new = [w for w in new if _key(w.text)]
        before = list(self.previous or [])
        if edge is not None:  # agreement with the latest hypothesis made on AGREE_AFTER seconds less audio
            old = [words for at, words in (self.earlier or []) if at <= edge - AGREE_AFTER]
            before = [w for w in old[-1] if w.start > self.committed_end - SLACK] if old else []
            self.earlier = [(at, words) for at, words in (self.earlier or []) if at > edge - 3 * AGREE_AFTER] + [(edge, new)]
        committed: list[Word] = []
        # a word just committed, heard again: over a pause the model may say the last words once more, sure of them
        # (king.mp3, 17-25 s: "Somalia og Syria." twice); such a word waits for agreement
        repeats = {_key(w.text) for w in self.recent or []}
        for i, word in enumerate(new):
            agreed = i < len(before) and _key(word.text) == _key(before[i].text)
            heard = edge is not None and word.end <= edge - (MARGIN if margin is None else margin)
            sure = (edge is not None and word.probability >= SURE and word.end <= edge - SURE_MARGIN
                    and _key(word.text) not in repeats)
            if not (agreed or heard or sure):
                break
            committed.append(word)
        self.previous = new[len(committed):]
        if committed:
            self.committed_end = committed[-1].end
            self.recent = ((self.recent or []) + committed)[-OVERLAP_NGRAM:]
        return committed

    def _without_repeat(self, new: list[Word]) -> list[Word]:
        """A hypothesis that begins with the last committed words (the window still holds their audio): drop them."""
        if not new or not self.recent or abs(new[0].start - self.committed_end) > 1.0:
            return new
        tail = [_key(w.text) for w in self.recent]
        for n in range(min(len(tail), len(new), OVERLAP_NGRAM), 0, -1):
            if tail[-n:] == [_key(w.text) for w in new[:n]]:
                return new[n:]
        return new

    def tail(self) -> list[Word]:
        """The unstable words: the last hypothesis beyond what is committed."""
        return list(self.previous or [])

    def finish(self) -> list[Word]:
        """At the end of the stream the last hypothesis is all there is: committed as it stands."""
        rest, self.previous = list(self.previous or []), []
        if rest:
            self.committed_end = rest[-1].end
        return rest
