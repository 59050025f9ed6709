"""Per-question phrase banks of the synthetic chats: what people answer to each agenda question, what a seeker who
is stuck on it says, and what came of the advice a day later.

The banks live in ``phrases.txt`` beside this module, one block per question::

    ## What red flags do you look for before you accept?      the question, as in the agenda
    + Vague answers about why the last person left.            an answer (advice)
    - I can't tell if a high turnover team is a red flag.      a struggle (a seeker adds an ask: "Any advice?")
    > I asked about turnover and got a straight answer.        an outcome ("Thanks again for the tip! ...")

Answers carry no greeting, thanks, help-seeking or promotional wording, so that they read (and are classified) as
advice; struggles carry no thanks or greeting. :func:`phrases_for` returns a question's bank.

Examples
--------
>>> bank = phrases_for("What red flags do you look for before you accept?")
>>> len(bank.answers) >= 5 and len(bank.struggles) >= 2 and len(bank.outcomes) >= 1
True
>>> phrases_for("Is this question in any agenda?") is None
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["QuestionPhrases", "PhraseDealer", "phrases_for", "all_phrases", "parse_phrases"]


@dataclass(frozen=True)
class QuestionPhrases:
    """The phrase bank of one agenda question."""

    question: str
    answers: tuple[str, ...]
    struggles: tuple[str, ...]
    outcomes: tuple[str, ...]


_PARTS = {"+": "answers", "-": "struggles", ">": "outcomes"}


def parse_phrases(text: str) -> dict[str, QuestionPhrases]:
    """Phrase banks from the ``phrases.txt`` format (see the module docstring), keyed by question text.

    >>> banks = parse_phrases("## Q?\\n+ Do this.\\n- I can't.\\n> It worked!\\n")
    >>> banks["Q?"].answers, banks["Q?"].struggles, banks["Q?"].outcomes
    (('Do this.',), ("I can't.",), ('It worked!',))
    """
    banks: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line == "#" or (line.startswith("# ") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            question = line[3:].strip()
            if question in banks:
                raise ValueError(f"phrases line {number}: question {question!r} appears twice")
            current = banks[question] = {part: [] for part in _PARTS.values()}
            continue
        mark, _, phrase = line.partition(" ")
        if current is None or mark not in _PARTS or not phrase.strip():
            raise ValueError(f"phrases line {number}: expected '## question', '+ answer', '- struggle' or "
                             f"'> outcome', got {raw!r}")
        current[_PARTS[mark]].append(phrase.strip())
    return {q: QuestionPhrases(q, *(tuple(parts[p]) for p in _PARTS.values())) for q, parts in banks.items()}


@cache
def all_phrases() -> dict[str, QuestionPhrases]:
    """Every question's phrase bank (read once from ``phrases.txt``)."""
    return parse_phrases(resources.files(__package__).joinpath("phrases.txt").read_text(encoding="utf-8"))


def phrases_for(question: str) -> QuestionPhrases | None:
    """The phrase bank of an agenda question (by its text), or None when it has none."""
    return all_phrases().get(question.strip())


class PhraseDealer:
    """Deals one session's words from its questions' banks, each part from a shuffled deck (reshuffled when used up),
    with a random stream of its own, so that the words never move the stream that places the messages.

    >>> dealer = PhraseDealer("seed:words:0", {3: "What red flags do you look for before you accept?"})
    >>> dealer.deal(3, "answers", fallback="x") in phrases_for("What red flags do you look for before you accept?").answers
    True
    >>> dealer.deal(9, "answers", fallback="a question without a bank gets the fallback")
    'a question without a bank gets the fallback'
    """

    def __init__(self, seed: str, questions: dict[int, str]):
        self.rng = random.Random(seed)
        self.banks = {number: phrases_for(text) for number, text in questions.items()}
        self.decks: dict[tuple[int, str], list[str]] = {}

    def deal(self, question: int | None, part: str, *, fallback: str) -> str:
        """The next phrase of ``part`` ('answers', 'struggles' or 'outcomes') of a question; ``fallback`` when the
        question has no bank."""
        bank = self.banks.get(question)
        if bank is None:
            return fallback
        deck = self.decks.get((question, part))
        if not deck:
            deck = list(getattr(bank, part))
            self.rng.shuffle(deck)
            self.decks[(question, part)] = deck
        return deck.pop()
