"""The analysts' query language: text in, a small syntax tree out (pure, no SQL here).

Grammar (one for the screen, `export --query` and saved views)::

    query    := and_expr?
    and_expr := or_expr+                      terms side by side must all hold
    or_expr  := unary ("OR" unary)*           OR binds tighter than the implicit AND
    unary    := ("-" | "NOT") unary | primary "-" (or NOT) excludes what follows
    primary  := FIELD ":" VALUE ("|" VALUE)*  alternatives of one field
              | '"' phrase '"'                an exact phrase (an unclosed quote runs to the end)
              | WORD                          a free word (`streik*` matches any ending)
              | "(" and_expr ")"              a ")" that closes no "(" is a mistake

So `topic:pay OR topic:taxes lang:de` means (pay or taxes) and German, as in web search.
Inside quotes (a phrase, or a value: `source:"Quote \\"x\\" \\\\ back"`), `\\"` is a quote
and `\\\\` a backslash; any other backslash is itself.

Field meanings: `topic:` one of the configured topic ids, whether the post's own words name
it or it comes from the thread (a reply without topic words takes the topics of the post it
answers); `own:` a topic the post's own words name; `role:` the author's role;
`lang:` the post's language, without a region (`lang:en-US` = `lang:en`, as stored:
`sources.model.text.language_code`); `platform:x|rss|bluesky|mastodon`; `source:NAME` any
source that delivered it; `author:@handle` (any case); `since:`/`until:` an age (`30m`,
`24h`, `7d`, `2w`) or a UTC date/time (`2026-11-01`, `2026-11-01T08:00`), `until:` with a
date without a time of day (also `20261101`, `2026-W45-1`) including that day, and a
`since:` without `until:` ending at the moment of asking (`ending_now`); free words
and phrases search the post text (`streik*` = prefix).
`has:reply` selects critical mentions (see `filters.threads`) that at least one
ambassador replied to. `has:parody` selects mentions that a parody account replied to or
quoted, and critical mentions where a parody account replied to or quoted one of the
ambassador replies (a thread with a parody reaction anywhere in it).
`is:starred` selects the mentions a reader starred, `is:unread` those not marked read (the
marks a reader keeps in the monitor; `-is:unread` = read).
`AND` between terms is accepted and changes nothing. A free word without a letter or digit
(`&`, `—`, an emoji) is ignored: the full-text index has no word for it (`searchable`).
Fields: topic, own, role, lang, platform, source, author, since, until, has, is.
`OR`/`AND`/`NOT` are keywords only in capitals: `a NOT b` = `a -b`, `NOT (a OR b)` =
`-(a OR b)`; a lower-case `or`, `and` or `not` is a word searched for.
Groups nest at most `MOST_NESTED` deep and a query holds at most `MOST_CONDITIONS`
conditions (`_Parser`): whatever parses also runs in SQLite.

A mistake raises `QueryError` whose `position` is the 1-based character column where the
problem is (the message starts with it; a cursor index is `position - 1`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from filters.topic_vocab import SHORT_NAMES
from sources.model.shown_text import plain_name
from sources.model.text import format_timestamp, language_code

ROLE_VALUES = ("ambassador", "parody", "official", "press", "public")
PLATFORM_VALUES = ("x", "rss", "bluesky", "mastodon")
HAS_VALUES = ("reply", "parody")
IS_VALUES = ("starred", "unread")
FIELDS = (
    "topic",
    "own",
    "role",
    "lang",
    "platform",
    "source",
    "author",
    "since",
    "until",
    "has",
    "is",
)

_WHAT = {
    "topic": "a topic",
    "own": "a topic",
    "role": "a role",
    "lang": "a language code",
    "platform": "a platform",
    "source": "a source name",
    "author": "an author handle",
    "since": "a time like 24h, 7d or 2026-11-01",
    "until": "a time like 24h, 7d or 2026-11-01",
    "has": "reply or parody",
    "is": "starred or unread",
}
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_RELATIVE = re.compile(r"^(\d{1,6})(m|min|h|d|w)$")
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class QueryError(ValueError):
    """A query that cannot be run; the message says where and what was expected."""

    def __init__(self, position: int, problem: str) -> None:
        super().__init__(f"position {position}: {problem}")
        self.position = position
        """1-based character column of the mistake."""
        self.problem = problem


# --- the syntax tree ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """`name:value|value`: true when the field equals any of the values."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimeBound:
    """`since:`/`until:`: either `seconds` before now or an absolute UTC time.

    `until:` with a bare date includes that whole day (the bound is the next midnight).
    """

    name: str
    seconds: int | None = None
    at: datetime | None = None
    beyond: str | None = None
    """For a time outside the calendar (`until:9999-12-31` ends after it): the stored-time
    text on that side of every stored time, `BEFORE_ALL_TIMES` or `AFTER_ALL_TIMES`."""
    present: bool = False
    """The end a `since:` without `until:` is given, not typed: the moment of asking
    (`ending_now`). A reader that asks again later moves it (`cache.read.selection`)."""

    def stored(self, now: datetime) -> str:
        """The bound as a stored time (`format_timestamp`), compared as text with
        `created_at`; `now` resolves an age (`since:7d`)."""
        if self.beyond is not None:
            return self.beyond
        if self.at is not None:
            return format_timestamp(self.at)
        try:
            return format_timestamp(now - timedelta(seconds=self.seconds or 0))
        except OverflowError:  # an age reaching back before year 1 (`since:740000d`)
            return BEFORE_ALL_TIMES


BEFORE_ALL_TIMES = "0000-01-01T00:00:00Z"
"""A bound before year 1, the first a stored time can have: it sorts before every stored
time, so `since:` it selects everything and `until:` it nothing, as the exact time would.
(Year 0000 is ISO 8601's 1 BC; Python's datetime cannot hold it.)"""
AFTER_ALL_TIMES = "9999-12-31T24:00:00Z"
"""A bound after the last second of 9999: ISO 8601's end of that day, which sorts after
every stored time (`until:9999-12-31` includes a post stored at `9999-12-31T23:59:59Z`)."""


@dataclass(frozen=True, slots=True)
class Text:
    """A free word or an exact phrase, searched in the full-text index."""

    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Field | TimeBound | Text | Not | And | Or


# --- tokens -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "term", "or", "neg" (`-` or `NOT`), "open", "close"
    position: int  # 1-based column of its first character
    node: Node | None = None
    """A term's condition; None for a free word with nothing to search (`_free_word`)."""
    word: str = ""
    """The operator as written, where it is a word (`NOT`): errors name it."""


def parse(text: str, *, topics: Collection[str] | None = None) -> Node | None:
    """The syntax tree of a query; None for an empty query (everything).

    `topics` are the valid topic ids (the configured ones); None accepts any id.
    """
    tokens = _Lexer(text or "", topics).tokens()
    if not tokens:
        return None
    parser = _Parser(tokens, len(text) + 1)
    return parser.parse()


class _Lexer:
    def __init__(self, text: str, topics: Collection[str] | None) -> None:
        self.text = text
        self.topics = topics
        self.pos = 0
        self.ended_in_quote = False
        """Whether the text ends inside a quote that was never closed."""

    def tokens(self) -> list[_Token]:
        out: list[_Token] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                return out
            start = self.pos
            char = text[start]
            if char == "(":
                self.pos += 1
                out.append(_Token("open", start + 1))
            elif char == ")":  # always a token: the parser names one that closes nothing
                self.pos += 1
                out.append(_Token("close", start + 1))
            elif char == "-" and start + 1 < len(text) and not text[start + 1].isspace():
                self.pos += 1
                out.append(_Token("neg", start + 1))
            elif char == "-":
                raise QueryError(start + 1, "expected a term after '-'")
            elif char == '"':
                out.append(_Token("term", start + 1, self._phrase()))
            else:
                token = self._word()
                if token is not None:
                    out.append(token)

    def _phrase(self) -> Text:
        start = self.pos
        body, end = self._quoted(start)
        self.pos = end
        if not searchable(body):
            raise QueryError(start + 1, "expected letters or digits inside the quotes")
        return Text(body, phrase=True)

    def _quoted(self, start: int) -> tuple[str, int]:
        body, end, closed = _quoted(self.text, start)
        self.ended_in_quote = not closed
        return body, end

    def _word(self) -> _Token | None:
        start = self.pos
        text = self.text
        # A "(" inside a word is part of it, and so is the ")" that closes it (a pasted
        # `wiki/Foo_(bar)`); any other ")" ends the word and is a token of its own.
        opened = 0
        while self.pos < len(text) and not text[self.pos].isspace():
            if text[self.pos] == "(":
                opened += 1
            elif text[self.pos] == ")":
                if not opened:
                    break
                opened -= 1
            if text[self.pos] == '"' and self.pos > start and text[self.pos - 1] == ":":
                break  # field:"quoted value"
            self.pos += 1
        word = text[start : self.pos]
        if word == "OR":
            return _Token("or", start + 1)
        if word == "NOT":
            return _Token("neg", start + 1, word="NOT")
        if word == "AND":
            return None  # the implicit operator, written out
        name, colon, rest = word.partition(":")
        field_like = colon and name.isalpha() and "://" not in word
        if field_like and (name.lower() in FIELDS or rest):
            return _Token("term", start + 1, self._field(name.lower(), start + len(name) + 1))
        return _Token("term", start + 1, _free_word(word))

    def _field(self, name: str, value_start: int) -> Node:
        """Read the value(s) of `name:` starting at `value_start` (0-based)."""
        if name not in FIELDS:
            raise QueryError(
                value_start - len(name),
                f"unknown field '{name}:' (expected one of: {', '.join(FIELDS)}; "
                "put it in quotes to search for the text)",
            )
        text = self.text
        if value_start < len(text) and text[value_start] == '"':
            value, self.pos = self._quoted(value_start)
            raw_values = [(value, value_start + 1)]
        else:
            raw_values = []
            offset = value_start
            for part in text[value_start : self.pos].split("|"):
                raw_values.append((part, offset + 1))
                offset += len(part) + 1
        for value, column in raw_values:
            if not _bare(name, value):  # `lang:`, `author:@`, `source:" "`: nothing to match
                after = f'"{name}:"' if column == value_start + 1 else "'|'"
                raise QueryError(column, f"expected {_WHAT[name]} after {after}")
        if name in ("since", "until"):
            if len(raw_values) > 1:
                raise QueryError(raw_values[1][1] - 1, f"'{name}:' takes one time, not several")
            value, column = raw_values[0]
            return _time_bound(name, value, column)
        values = tuple(dict.fromkeys(self._value(name, v, c) for v, c in raw_values))
        if name == "source":
            # A name pasted with an invisible character (a zero-width space) also finds the
            # source by the name stored and shown (`plain_name`), and mentions stored under
            # the name as it was typed before names were made plain.
            values = tuple(
                dict.fromkeys(v for value in values for v in (value, plain_name(value)) if v)
            )
        return Field(name, values)

    def _value(self, name: str, value: str, column: int) -> str:
        key = _bare(name, value)
        if name in ("author", "source"):
            return key
        key = key.lower()
        valid: Collection[str] | None = {
            "role": ROLE_VALUES,
            "platform": PLATFORM_VALUES,
            "has": HAS_VALUES,
            "is": IS_VALUES,
            "topic": self.topics,
            "own": self.topics,
        }.get(name)
        if name in ("topic", "own") and valid is not None and key not in valid:
            key = _TOPIC_OF_SHORT_NAME.get(key, key)  # the feed's word: `strike`
        if valid is not None and key not in valid:
            listed = ", ".join(sorted(valid)) if name in ("topic", "own") else ", ".join(valid)
            raise QueryError(column, f"unknown {name} '{value}' (valid: {listed})")
        if name == "lang" and not _LANG.match(key):
            raise QueryError(column, f"expected a language code like de or en, got '{value}'")
        # Languages are stored without their region (`language_code`): `lang:en-US` is
        # `lang:en`, every English post.
        return language_code(key) if name == "lang" else key


def _bare(name: str, value: str) -> str:
    """A field's value as it is compared: without surrounding blanks, a handle without @."""
    key = value.strip()
    return key.lstrip("@") if name == "author" else key


_TOPIC_OF_SHORT_NAME = {short: topic for topic, short in SHORT_NAMES.items()}
"""Topic id of each word the feed shows for a default topic (`filters.topic_vocab`)."""


_QUOTED_BODY = re.compile(r'(?:[^"\\]|\\.?)*', re.DOTALL)
"""What follows an opening quote up to its closing one: a backslash takes the next
character with it (`\\"` does not close)."""
_ESCAPED = re.compile(r'\\([\\"])')


def _quoted(text: str, start: int) -> tuple[str, int, bool]:
    """The body of the quoted string starting at `start`, the index after it, and whether
    a quote closed it (an unbalanced quote is a phrase to the end, not an error).

    Inside, `\\"` is a quote and `\\\\` a backslash (`source:"Say \\"hi\\""`); a
    backslash before any other character is itself (`"C:\\temp"`).
    """
    body = _QUOTED_BODY.match(text, start + 1)
    assert body is not None  # the pattern matches the empty string
    value = _ESCAPED.sub(r"\1", body.group())
    closed = body.end() < len(text)
    return value, body.end() + closed, closed


def closed_quotes(text: str) -> str:
    """`text` with the quote it leaves open (if any) closed, so that more can follow it:
    `(VIEW) QUERY` must not put the `)` and QUERY inside the view's last phrase."""
    lexer = _Lexer(text, None)
    try:
        lexer.tokens()
    except QueryError:
        return text  # (nothing to keep: such a view is refused when the config is read)
    if not lexer.ended_in_quote:
        return text
    # A lone backslash at the end is itself: doubled, so it cannot escape the new quote.
    lone_backslash = (len(text) - len(text.rstrip("\\"))) % 2
    return text + "\\" * lone_backslash + '"'


def searchable(text: str) -> bool:
    """Whether the full-text index has a word in `text`: its tokenizer (unicode61,
    `cache.db.fts.TOKENIZE`) makes words of letters, digits and private-use characters
    (Unicode categories L*, N*, Co) and takes everything else for a separator."""
    return any(_TOKEN_CATEGORY.match(unicodedata.category(char)) for char in text)


_TOKEN_CATEGORY = re.compile(r"L|N|Co")


def _free_word(word: str) -> Text | None:
    """The search for `word`; None for a word of only punctuation or symbols (`&`, `—`,
    `_`, an emoji). The index keeps no word for it in any post, so searched it would match
    nothing: the query drops it instead (`_Parser`), as a pasted `Canada & Mexico` means
    its two names."""
    prefix = word.endswith("*") and len(word) > 1
    body = word.rstrip("*") if prefix else word
    return Text(body, prefix=prefix) if searchable(body) else None


def _time_bound(name: str, value: str, column: int) -> TimeBound:
    key = value.strip().lower()
    relative = _RELATIVE.match(key)
    if relative:
        seconds = int(relative.group(1)) * _UNIT_SECONDS[relative.group(2)]
        return TimeBound(name, seconds=seconds)
    day_in_zone = _DATE_WITH_OFFSET.fullmatch(value.strip())
    written = f"{day_in_zone[1]}T00:00{day_in_zone[2]}" if day_in_zone else value.strip()
    try:
        parsed = datetime.fromisoformat(written.replace("Z", "+00:00").replace("z", ""))
    except ValueError:
        raise QueryError(
            column, f"expected {_WHAT[name]} after \"{name}:\", got '{value}'"
        ) from None
    bare_date = day_in_zone is not None or _is_date(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
        if name == "until" and bare_date:
            parsed += timedelta(days=1)
    except OverflowError:  # year 1 east of UTC, 9999 west of it, the day after 9999-12-31
        return TimeBound(name, beyond=BEFORE_ALL_TIMES if parsed.year == 1 else AFTER_ALL_TIMES)
    return TimeBound(name, at=parsed)


def present_end(now: datetime) -> datetime:
    """Where a `since:` without `until:` asked at `now` ends: the second after `now`'s, as
    `until:` bounds are exclusive. A post of that very second is in, as in the views'
    counts, which end at the newest stored post when a store is browsed."""
    return now.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)


def ending_now(node: Node | None, now: datetime) -> Node | None:
    """`node`, ending at the moment of asking (`present_end(now)`) when it holds a `since:`
    and no `until:`: "since an hour ago" means up to now, in the monitor, the views'
    counts and every export alike, never a post dated hours or a year ahead.

    A `since:` after `now` asks for such posts (as `until:` a later date does), so the
    query keeps no end then. The end is ANDed at the top, whatever the `since:` sits in:
    `-since:1h` is what is older than an hour, not what is dated ahead either."""
    bounds = list(_time_bounds(node))
    if not bounds or any(b.name == "until" for b in bounds):
        return node
    asked = format_timestamp(now)
    if any(b.stored(now) > asked for b in bounds):
        return node
    try:
        end = TimeBound("until", at=present_end(now), present=True)
    except OverflowError:  # asked in 9999's last second: nothing can be later
        return node
    conditions = node.nodes if isinstance(node, And) else (node,) if node is not None else ()
    return And((*conditions, end))


def _time_bounds(node: Node | None) -> Iterator[TimeBound]:
    """Every `since:`/`until:` of the query, wherever it sits."""
    if isinstance(node, TimeBound):
        yield node
    elif isinstance(node, Not):
        yield from _time_bounds(node.node)
    elif isinstance(node, And | Or):
        for child in node.nodes:
            yield from _time_bounds(child)


_DATE_WITH_OFFSET = re.compile(r"(\d{4}-?\d{2}-?\d{2})([+-]\d{2}(?::?\d{2})?)", re.ASCII)
"""A date, then a UTC offset (`2026-12-01+01:00`): that day in that zone. `fromisoformat`
would take the sign for the separator of date and time, and the offset for 01:00 o'clock."""


def _is_date(value: str) -> bool:
    """Whether `value` is a date without a time of day, in any form `fromisoformat` reads
    (`2026-12-01`, `20261201`, the week dates `2026-W49` and `2026-W49-2`), with or
    without a `Z` after it: `until:` it includes that whole day."""
    try:
        date.fromisoformat(value.removesuffix("Z").removesuffix("z"))
    except ValueError:
        return False
    return True


MOST_NESTED = 7
"""How deep groups may nest. SQLite parses a statement with a stack of about 100 entries;
the costliest group (`(a b OR -(…))`: an AND, an OR and a NOT around the next one) takes
8 of them in the SQL it compiles into (`cache.read.query_sql`), and an `author:` test in
the innermost group takes the most of any term. Seven such levels run in every statement
a query becomes part of (the monitor's page and count with a topic chosen, a view's
counts and alerts, every export: `tests/test_query.py`); eight do not. (Without a limit,
330 levels also overflowed Python's own stack here.)"""

MOST_CONDITIONS = 400
"""How many conditions a query may hold: each field, each `-` term and each run of free
words side by side (one full-text search) is one. SQLite refuses an expression more than
1,000 operators deep, conditions side by side are joined one below the other, and a
statement that reads the words' matches tests the fields on the way as well: 488 such
conditions were the most that ran."""


class _Parser:
    def __init__(self, tokens: list[_Token], end_column: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.end_column = end_column
        self.depth = 0
        """Groups open at the current token."""
        self.conditions = 0
        """Conditions read so far (`MOST_CONDITIONS`)."""

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    # A term without a condition (`_free_word`) drops out of the tree: from an AND (`a & b`
    # = `a b`), from an OR (`a OR &` = `a`) and with its `-` (`a -&` = `a`); a group or query
    # left empty drops out too (`&` alone = the empty query, everything).

    def parse(self) -> Node | None:
        return self._and_expr(closing=None)

    def _and_expr(self, closing: _Token | None) -> Node | None:
        nodes: list[Node | None] = []
        words = False  # whether a free word of this AND has been counted
        while (token := self._peek()) is not None and token.kind != "close":
            node, counted = self._or_expr()
            if not counted:
                words = self._count(node, token, words)
            nodes.append(node)
        if closing is None and token is not None:  # a ")" outside every group
            raise QueryError(token.position, "unmatched ')'")
        if not nodes:
            column = token.position if token else self.end_column
            raise QueryError(column, "expected a term inside ( )")
        return _joined(And, nodes)

    def _or_expr(self) -> tuple[Node | None, bool]:
        """The alternatives joined, and whether their conditions are counted (they are
        once there are several: a single one is counted where it stands)."""
        first = self._peek()
        assert first is not None  # called where a term starts
        if first.kind == "or":
            raise QueryError(first.position, "expected a term before OR")
        nodes = [self._unary()]
        words = False
        while (token := self._peek()) is not None and token.kind == "or":
            if len(nodes) == 1:
                words = self._count(nodes[0], first, words)
            self.index += 1
            following = self._peek()
            if following is None or following.kind in ("or", "close"):
                column = following.position if following else self.end_column
                raise QueryError(column, "expected a term after OR")
            nodes.append(self._unary())
            words = self._count(nodes[-1], following, words)
        return _joined(Or, nodes), len(nodes) > 1

    def _count(self, node: Node | None, start: _Token, words: bool) -> bool:
        """Count `node`, one of the terms side by side that starts at `start`; `words`:
        whether a free word beside it was counted (free words side by side are searched
        together). A group's conditions were counted inside it. Returns `words` now."""
        if node is None or start.kind == "open" or (isinstance(node, Text) and words):
            return words or isinstance(node, Text)
        self.conditions += 1
        if self.conditions > MOST_CONDITIONS:
            raise QueryError(
                start.position,
                f"too many conditions (at most {MOST_CONDITIONS}: each field, '-' term "
                "and run of words side by side is one)",
            )
        return words or isinstance(node, Text)

    def _unary(self) -> Node | None:
        token = self._peek()
        assert token is not None
        if token.kind == "neg":
            self.index += 1
            following = self._peek()
            if following is None or following.kind in ("or", "close", "neg"):
                if token.word:  # `NOT` is a word: the term is expected after it
                    column = following.position if following else self.end_column
                    raise QueryError(column, f"expected a term after {token.word}")
                raise QueryError(token.position + 1, "expected a term after '-'")
            negated = self._unary()
            return None if negated is None else Not(negated)
        if token.kind == "open":
            self.index += 1
            if self.depth == MOST_NESTED:
                raise QueryError(
                    token.position, f"groups nested too deeply (at most {MOST_NESTED})"
                )
            if (inner := self._peek()) is None:
                raise QueryError(self.end_column, "expected a term after '('")
            if inner.kind == "close":
                raise QueryError(inner.position, "expected a term inside ( )")
            self.depth += 1
            node = self._and_expr(closing=token)
            self.depth -= 1
            close = self._peek()
            if close is None or close.kind != "close":
                raise QueryError(
                    self.end_column, f"expected ')' to close the '(' at position {token.position}"
                )
            self.index += 1
            return node
        if token.kind == "close":
            raise QueryError(token.position, "expected a term before ')'")
        self.index += 1
        return token.node


def _joined(kind: type[And] | type[Or], nodes: list[Node | None]) -> Node | None:
    kept = tuple(n for n in nodes if n is not None)
    if len(kept) <= 1:
        return kept[0] if kept else None
    return kind(kept)
