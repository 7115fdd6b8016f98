"""The interactive ``coder review`` screen: one command line per decision, drawn with rich.

The review's state, its queue and bulk review are :mod:`coder.review` (which draws nothing); this module is
the terminal program over them.

The screen is drawn with rich and driven by one command line per decision, so it works in any terminal,
through a pipe and under ``CliRunner``. Every command is logged as one committed transaction before the
next prompt (see :mod:`coder.store`), so a killed review loses at most the line being typed.

Commands (``?`` shows them)::

    a        accept the model's proposal: open suggestions at/above the
             threshold accepted, the others rejected, and the answer closed
             (no other code); next answer
    a 2 3    accept suggestions 2 and 3 (numbers as listed); stay
    r        reject every open suggestion; next answer (the suggestions
             are wrong: the model learns that alone; n also tells it that
             no other code applies; the exports count both as decided)
    r 1      reject suggestion 1; stay
    + text   add a code: its id, or a search in ids and labels (must match
             one code)
    - text   remove a code the answer has
    n        done: reject what is still open and close the answer -- every
             code not accepted or added is absent ("no code" when there is
             none); next
    s, Enter skip: no decision; next
    u        undo your latest command (logged as undo entries; a bulk run
             counts as one command) and go back to that answer
    f EXPR   filter: code=ID | question=ID | band=low|mid|high | undecided
             | disagreed (with --show-others), joined by '|'; 'f' alone
             clears the filter
    q        quit (everything is already saved)

    Every --refit-every commands that decide (default 10) the model learns
    from the decisions so far (coding blind: this coder's only) and orders
    the rest of the queue again, with its confidences and evidence.

Order: answers this coder has not decided first; then, unless blind, answers where the other coders
disagree; then the least certain ones -- smallest distance between a confidence and the run's threshold
(a code without a suggestion counts as confidence 0) -- so each decision teaches the model the most.
A *band* is that of the answer's strongest suggestion: high >= 2/3, mid >= 1/3, low below (or none).

An answer is *decided* (progress, the ``undecided`` filter, the order) when you closed it (``a``, ``n``)
or no suggestion at or above the threshold is left open on it (see :mod:`coder.store`); ``a 2``, ``r 1``
and bulk review decide single codes only and never close an answer.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import select
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coder import decisions
from coder.codebook import Codebook
from coder.errors import CoderError
from coder.review import REFIT_EVERY, Filter, Learner, State, option_filter, parse_filter, queue_of
from coder.store import Decision, Project, coder_name

__all__ = ["ReviewSummary", "evidence_words", "render", "review"]

HELP = __doc__.split("Commands (``?`` shows them)::", 1)[1].split("Order:", 1)[0].strip("\n")


def _bar(confidence: float, width: int = 10) -> str:
    filled = round(confidence * width)
    return "█" * filled + "░" * (width - filled)


def confidence_text(confidence: float, threshold: float) -> str:
    """A confidence with two decimals, or truncated to three where rounding would show it at the threshold
    ``a`` takes while ``a`` rejects it.

    >>> confidence_text(0.4457, 0.45), confidence_text(0.45, 0.45), confidence_text(0.4449, 0.45)
    ('0.445', '0.45', '0.44')
    """
    shown = f"{confidence:.2f}"
    if confidence < threshold <= float(shown):
        shown = f"{math.floor(confidence * 1000) / 1000:.3f}"
    return shown


def evidence_words(evidence: str) -> list[str]:
    """The words of an evidence string worth highlighting: keywords and terms, not quoted examples.

    >>> evidence_words("keywords: kommunal bolig*, rus*; terms: NEG_helhet; like: «Ingen tar tak»")
    ['kommunal', 'bolig', 'rus', 'helhet']
    """
    evidence = re.sub(r"«[^»]*»", " ", evidence)  # similar examples are not in this answer
    words = []
    for part in re.split(r"[;,]", evidence):
        part = re.sub(r"^\s*\w+:\s*", "", part)  # "keywords:", "terms:", "like:"
        for word in part.replace("*", " ").split():
            word = word.removeprefix("NEG_")
            if len(word) >= 3 and word not in words:
                words.append(word)
    return words


def _shown(value: object) -> str:
    """``value`` as text for the screen, control characters (an escape sequence pasted into an answer would
    clear or colour the terminal) shown as «�»; line breaks and tabs stay.

    >>> _shown("før\x1b[2Jbolig")
    'før�[2Jbolig'
    """
    return "".join(c if c in "\n\t" or unicodedata.category(c) != "Cc" else "\ufffd" for c in str(value))


def _highlight(text: str, evidence: list[str]) -> Text:
    """The answer with the evidence words marked (a word matches the start of a word: lemma -> inflection)."""
    rich_text = Text(_shown(text), overflow="fold")  # a long link or word wraps: every letter is read
    words = sorted({w for e in evidence for w in evidence_words(e)}, key=len, reverse=True)
    for word in words:
        rich_text.highlight_regex(
            re.compile(rf"\b{re.escape(word)}\w*", re.IGNORECASE), "bold black on yellow"
        )
    return rich_text


_STATUS = {
    "accept": "[green]✓ accepted[/]",
    "add": "[green]✓ added[/]",
    "reject": "[red]✗ rejected[/]",
    "remove": "[red]✗ removed[/]",
    "closed": "[red]✗ closed without[/]",  # closed before a code was added: absent, by the coder's closing
}


def render(
    state: State,
    items: list[str],
    index: int,
    blind: bool,
    filter: Filter = Filter(),  # noqa: B008 - a frozen dataclass is immutable
) -> Group:
    """The screen for ``items[index]``: progress, the answer beside its respondent, the suggestions with
    confidence bars, the coder's codes (and, unless blind, the other coders'), and the next answers."""
    answer = items[index]
    row = state.answers.loc[answer]
    suggestions = state.suggestions.get(answer, [])
    counts = {c: 0 for c in state.codebook.code_ids}
    for (_, code), action in state.mine.items():
        if action in ("accept", "add") and code in counts:
            counts[code] += 1
    decided = f"decided {len(state.decided)}/{len(state.answers)}"
    confidence = functools.partial(confidence_text, threshold=state.threshold)
    shown = "" if filter == Filter() else f"filter {filter.describe()}: "
    # not blind: a consensus meeting, and the coder should know its decisions are not counted as found
    seen = "" if blind else "others' codes shown (not counted in agreement)  ·  "
    progress = Text(f"{state.coder}: {decided}  ·  {seen}{shown}queue {index + 1}/{len(items)}  ·  ")
    progress.append("  ".join(f"{c} {n}" for c, n in counts.items()), style="dim")

    about = Table.grid(padding=(0, 1))
    about.add_column(style="dim")
    about.add_column()
    about.add_row("respondent", Text(_shown(row["respondent_id"])))  # Text: user data is never markup
    if row["question_id"]:
        about.add_row("question", Text(_shown(row["question_id"])))
    for column in state.answers.columns:
        if column not in ("id", "respondent_id", "question_id", "text") and row[column]:
            about.add_row(Text(_shown(column)), Text(_shown(row[column]), overflow="fold"))
    top = Table.grid(expand=True)
    top.add_column(ratio=3)
    top.add_column(ratio=2)
    text = _highlight(row["text"] or "(empty answer)", [e for _, _, e in suggestions])
    top.add_row(Panel(text, title=Text(_shown(answer), style="bold")), Panel(about, title="respondent"))

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    # the threshold decides what `a` takes and what counts as decided: say it where the figures are
    # a threshold of three decimals (0.291) shown with two («0.29») would sit under a 0.29 that `a` rejects
    threshold = state.threshold
    takes = f"{threshold:.2f}" if round(threshold, 2) == threshold else str(threshold)
    for column in ("#", "code", f"confidence (a takes ≥ {takes})", "status", "evidence"):
        table.add_column(column)
    for i, (code, conf, evidence) in enumerate(suggestions, start=1):
        sure = conf >= state.threshold
        table.add_row(
            str(i),
            Text(f"{code} ({_label(state.codebook, code)})", style="" if sure else "dim"),
            Text(f"{_bar(conf)} {confidence(conf)}", style="green" if sure else "yellow"),
            _STATUS.get(state.mine.get((answer, code)) or "", "open"),
            Text(evidence, style="dim"),
        )
    parts: list[object] = [progress, top]
    parts.append(table if suggestions else Text("No suggestions for this answer.", style="dim"))
    codes = state.codes_of(answer)
    parts.append(Text(f"Codes: {', '.join(codes) if codes else '—'}", style="bold"))
    if not blind:
        for name in state.project.coders():
            if name != state.coder:
                theirs = state.project.current_codes(name)
                theirs = theirs[theirs["id"] == answer]
                if len(theirs):
                    listed = ", ".join(c for c in theirs["code"] if c) or "no code"
                    parts.append(Text(f"{name}: {listed}", style="cyan"))
    upcoming = items[index + 1 : index + 4]
    if upcoming:
        following = Table(title="next", title_justify="left", box=None, show_header=False, pad_edge=False)
        following.add_column(style="dim", no_wrap=True, min_width=min(30, max(map(len, upcoming))))
        following.add_column(overflow="ellipsis", no_wrap=True, max_width=30)
        following.add_column(overflow="ellipsis", no_wrap=True)
        for other in upcoming:
            listed = "  ".join(f"{c} {confidence(p)}" for c, p, _ in state.suggestions.get(other, [])[:3])
            following.add_row(
                Text(_shown(other)), Text(_shown(state.answers.at[other, "text"])), Text(listed or "—")
            )
        parts.append(following)
    return Group(*parts)


def _label(codebook: Codebook, code: str) -> str:
    try:
        found = codebook.get(code)
    except KeyError:  # a run made with an older codebook (e.g. after a merge)
        return "not in the codebook"
    # A code named for its problem covers its strength too: «Fragmentert og uklart ansvar» alone, suggested
    # for «Ansvaret er tydelig plassert», reads as a wrong suggestion to reject.
    return f"{found.label} / {found.strength_label}" if found.strength_label else found.label


def _find_code(codebook: Codebook, text: str, among: list[str] | None = None) -> str:
    """A code by exact id, else by a unique case-insensitive match in ids and names (also under strengths)."""
    candidates = among if among is not None else codebook.code_ids
    text = text.strip()
    if text in candidates:
        return text

    def key(name: str) -> str:  # «å» typed (or saved in a codebook) as a + ring is the same letter
        return unicodedata.normalize("NFC", name).casefold()

    def names_of(code: str, strength: bool) -> tuple[str, ...]:
        found = codebook.get(code)
        if strength:
            named = (found.strength_label, found.strength_label_en)
        else:
            named = (code, found.label, found.label_en)
        return tuple(key(name) for name in named if name)

    needle = key(text)
    # A whole name first, then part of one; each among ids and names, then among the names under strengths
    # («+ tydelig plassert»), so that what found one code before still does.
    names = [{c: names_of(c, strength) for c in candidates} for strength in (False, True)]
    for named in names:
        exact = [c for c in candidates if needle in named[c]]  # «+ Bolig»: not «Boligsosial» as well
        if len(exact) == 1:
            return exact[0]
    for named in names:
        hits = [c for c in candidates if any(needle in name for name in named[c])]
        if len(hits) == 1:
            return hits[0]
        if hits:
            listed = ", ".join(f"{c} ({codebook.get(c).label})" for c in hits)
            raise CoderError(f"'{_shortened(text)}' matches several codes: {listed}")
    raise CoderError(f"no code matches '{_shortened(text)}'")


def _terminal_reader(console: Console) -> Callable[[str], str]:
    """The command lines typed at the terminal: with readline (arrow keys, the lines typed before) when it
    can be had. The prompt then goes to ``input`` itself, plain, so that readline redraws it: printed apart,
    as ``console.input`` prints it, a recalled line would overwrite it."""
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):  # Python on Windows has no readline
            import readline  # noqa: F401 - its import gives input() line editing and history

            return lambda prompt: input(Text.from_markup(prompt).plain)
    return lambda prompt: console.input(Text.from_markup(prompt))  # no auto-highlight


def _shortened(text: str, limit: int = 60) -> str:
    """What was typed, as an error repeats it: a pasted paragraph is not echoed whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numbers(argument: str, count: int) -> list[int]:
    """The suggestion numbers of ``a 2 3`` or ``r 1,2``, each once (``a 1 1`` decides once)."""
    numbers = []
    for part in argument.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise CoderError(
                f"no suggestion number '{part}' (1 to {count})" if count else "no suggestions here"
            )
        numbers.append(int(part))
    if not numbers:  # «a ,»: something was typed, but no number
        raise CoderError(
            f"no suggestion number in '{argument}' (1 to {count})" if count else "no suggestions here"
        )
    return list(dict.fromkeys(numbers))


@dataclass(frozen=True)
class ReviewSummary:
    """What one review session did: ``decisions`` it made that are still in effect (its own undone ones
    left out), and ``undone_earlier``, code decisions of earlier sessions that its undo took back."""

    commands: int
    decisions: int
    finished: bool
    undone_earlier: int = 0


def review(
    project_path: str | os.PathLike[str],
    coder: str,
    *,
    console: Console | None = None,
    read_line: Callable[[str], str] | None = None,
    filter: str = "",
    blind: bool = True,
    run_id: str | None = None,
    refit_every: int = REFIT_EVERY,
) -> ReviewSummary:
    """Review the suggestions of a project interactively as ``coder`` (see the module docs for the keys).

    ``read_line(prompt)`` returns one command line (default: the terminal's, with line editing and
    history where Python has readline); end of input quits.
    ``blind`` hides the other coders' decisions (and does not order by their disagreement). Every
    ``refit_every`` decisions (0: never) the model learns from every decision in the project so far and the
    rest of the queue is ordered again under it (coding blind: from this coder's decisions only); the
    codebook model is fitted once, in the background from the start of the session.
    """
    coder = coder_name(coder)
    if refit_every < 0:
        raise CoderError(f"must be 0 (never) or more, got {refit_every}", key="refit_every")
    console = console or Console(emoji=False)
    typing = sys.stdin if read_line is None else None  # the terminal whose lines typed during a refit to drop
    read_line = read_line or _terminal_reader(console)
    project_path = Path(project_path)
    with Project.open(project_path, writing=True) as project:
        coder = project.logged_name(coder)
        state = State.load(project, coder, run_id)
        state.blind = blind
        learner = Learner(project, state.run_id)
        if refit_every and state.run_id is not None:
            learner.start()
        at_start = project.log(coder)
        last_at_start = int(at_start["seq"].max()) if len(at_start) else 0
        current_filter = option_filter(filter, state.codebook.code_ids, state.question_ids)
        items = queue_of(state, current_filter, blind)
        if not items and current_filter != Filter():  # not «End of the queue»: the queue was never begun
            raise CoderError(f"no answers match the filter {current_filter.describe()}", key="filter")
        index, commands, since_refit = 0, 0, 0
        state_at = project.latest_entries(coder, "")[1]  # the coder's latest entry when the state was read

        def summary(finished: bool) -> ReviewSummary:
            made, undone_earlier = _session_decisions(project, coder, last_at_start)
            return ReviewSummary(commands, made, finished, undone_earlier)

        if state.run_id is None:
            console.print("[yellow]No suggestion run yet: you can still add codes by hand.[/]")
        elif (
            refit_every
            and run_id is None
            and (since := project.decided_since(state.run_id, coder if blind else None))
        ):
            # The last session's refits were not stored: learn from its decisions again, or `a` would
            # propose by the stored run what it proposed otherwise before the restart. (A run asked for by
            # name is shown as it is.)
            doing = "Learning from the decisions made since the suggestion run"
            learned = _learn(state, learner, console, doing, typing)
            items = queue_of(state, current_filter, blind)
            console.print(
                f"[dim]The model learned again from {learned} coded answer(s), {since} decided since the run "
                "was made.[/]"
            )
        while True:
            at_end = index >= len(items)
            if at_end:
                # The last screen still shows the last answer open: say what was saved on it.
                last = items[-1] if items else ""
                codes = ", ".join(state.codes_of(last)) or "no code"
                saved = f"{escape(last)} saved with {escape(codes)}. " if last in state.decided else ""
                where = f"filter: {escape(current_filter.describe())}"
                # Not over at once: the last decision can still be undone, or another filter chosen.
                console.print(
                    f"{saved}[bold green]End of the queue[/] ({where}). [dim]u undoes your last command, f "
                    "sets another filter, ? shows the keys; anything else ends the session.[/]"
                )
                answer = ""
            else:
                answer = items[index]
            # what the screen shows is read now, after the marks: whatever another session of this coder
            # logs from here on (during a refit too) is caught before a command is applied
            shown = project.latest_entries(coder, answer)
            if not at_end:
                if shown[1] != state_at:  # another session logged since the state was read: read it again
                    state.refresh()
                    state_at = shown[1]
                console.print(render(state, items, index, blind, current_filter))
            try:
                line = read_line("[bold]u/f/q/? > [/]" if at_end else "[bold]a/r/+/-/n/s/u/f/q/? > [/]")
            except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the prompt: as `q`
                console.print()  # the closing line on its own line, not after «> half typed^C»
                return summary(at_end)
            verb, _, argument = line.strip().partition(" ")
            verb, argument = verb.lower(), argument.strip()  # «Q» with caps lock on is still quit
            if joined := re.fullmatch(r"([ar])(\d[\d,]*)", verb):  # «a1» as «a 1»
                verb, argument = joined.group(1), f"{joined.group(2)} {argument}".strip()
            if at_end and verb not in END_OF_QUEUE_VERBS:
                return summary(True)
            if _changed_elsewhere(verb, shown, project.latest_entries(coder, answer)):
                # Another window of this coder logged meanwhile: this screen is stale, and the command
                # would overrule (or `u` undo) what was decided there without anyone seeing it. (The state
                # is read again at the top: the coder's latest entry moved.)
                what = "your latest command" if verb == "u" else escape(answer)
                console.print(
                    f"[yellow]{what} changed in another session of {escape(coder)} meanwhile; nothing done. "
                    "Here is how it stands now: give the command again if you still mean it.[/]"
                )
                continue
            commands += 1
            try:
                logged, step = _apply(state, answer, verb, argument, console)
            except CoderError as error:
                console.print(f"[red]{escape(str(error))}[/]")
                continue
            if step == "quit":
                return summary(False)
            state.refresh()
            state_at = project.latest_entries(coder, answer)[1]
            # a decision is a command (`a` logs an entry per code and a close); `u` takes one back
            since_refit += verb in _DECIDING_VERBS and logged > 0
            if refit_every and since_refit >= refit_every and state.run_id is not None:
                since_refit = 0
                waiting = "" if learner.ready else " (the first time also from the codebook: a minute or so)"
                learned = _learn(state, learner, console, f"Learning from your decisions{waiting}", typing)
                seen = items[: index + 1]
                items = seen + [a for a in queue_of(state, current_filter, blind) if a not in seen]
                console.print(f"[dim]The model learned from {learned} coded answers; queue reordered.[/]")
            if step == "next":
                index += 1
            elif step.startswith("undo:"):
                back = step.removeprefix("undo:")  # go back to the answer whose decision was undone
                if back not in items[: index + 1]:  # not yet shown (an earlier session's, decided: last)
                    if back in items:  # taken from the end, or the queue after it was never reached
                        items.remove(back)
                    items.insert(index, back)
                index = items.index(back)
            elif step.startswith("filter:"):
                current_filter = parse_filter(
                    step.removeprefix("filter:"), state.codebook.code_ids, state.question_ids
                )
                items, index = queue_of(state, current_filter, blind), 0
                console.print(f"Filter: {escape(current_filter.describe())} · {len(items)} answers")


END_OF_QUEUE_VERBS = frozenset({"u", "f", "?"})  # what still makes sense when no answer is left
_DECIDING_VERBS = frozenset({"a", "r", "+", "-", "n"})  # commands that log decisions on the answer shown


def _changed_elsewhere(verb: str, shown: tuple[int, int], now: tuple[int, int]) -> bool:
    """Whether another session logged what ``verb`` acts on since the screen was drawn: the answer (for a
    deciding command) or the coder's latest command (for ``u``); see :meth:`Project.latest_entries`."""
    if verb in _DECIDING_VERBS:
        return now[0] != shown[0]
    return verb == "u" and now[1] != shown[1]


def _discard_typeahead(stream: TextIO) -> bool:
    """Drop the lines typed at a terminal ``stream`` and not read yet; whether there were any.

    A refit can take a minute (the first also fits the codebook model): a line typed meanwhile for the
    answer just decided would otherwise decide the next answer, before the coder has seen it.
    """
    try:
        import termios
    except ImportError:  # Windows: no line discipline to flush
        return False
    try:
        if not stream.isatty():
            return False
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (a test's, a closed one)
        return False
    pending = bool(select.select([fd], [], [], 0)[0])
    termios.tcflush(fd, termios.TCIFLUSH)
    return pending


def _learn(state: State, learner: Learner, console: Console, doing: str, typing: TextIO | None = None) -> int:
    """Refit the model on the decisions so far (coding blind: this coder's only) into ``state``, showing
    ``doing`` meanwhile; how many coded answers it learned from. Lines typed meanwhile at the terminal
    ``typing`` are dropped, and the coder told."""
    coder = state.coder if state.blind else None
    with console.status(f"{doing} ..."):
        state.suggestions = learner.refit(coder)
    if typing is not None and _discard_typeahead(typing):
        console.print(
            "[yellow]What you typed while the model learned was not used: it would have decided an answer "
            "you had not seen. Read the next one and type again.[/]"
        )
    return int(state.project.labels(coder)["id"].nunique())


def _session_decisions(project: Project, coder: str, last_at_start: int) -> tuple[int, int]:
    """The code decisions (closing an answer is not one) ``coder`` made after entry ``last_at_start`` that
    are still in effect, and those of before it that an undo after it took back."""
    log = project.log(coder)
    in_effect = decisions.effective_log(log)  # as Project.effective_log, from the log read once
    made = int(((in_effect["seq"] > last_at_start) & (in_effect["action"] != "none")).sum())
    earlier = set(log.loc[(log["seq"] <= last_at_start) & (log["action"] != "none"), "uuid"])
    undos = log[(log["seq"] > last_at_start) & (log["action"] == "undo")]
    return made, int(undos["undoes"].isin(earlier).sum())


def _apply(state: State, answer: str, verb: str, argument: str, console: Console) -> tuple[int, str]:
    """Carry out one command on ``answer``; return (entries logged, what to do next)."""
    project, coder, run = state.project, state.coder, state.run_id
    suggestions = state.suggestions.get(answer, [])
    open_ = state.open_suggestions(answer)
    if verb in ("", "s"):
        return 0, "next"
    if verb == "q":
        return 0, "quit"
    if verb == "?":
        console.print(Panel(HELP, title="keys"))
        return 0, "stay"
    if verb == "f":
        wanted = parse_filter(argument, state.codebook.code_ids, state.question_ids)
        if not queue_of(state, wanted, state.blind):  # an empty queue would end the session
            raise CoderError(f"no answers match the filter {wanted.describe()}; it is not changed")
        return 0, f"filter:{argument}"
    if verb == "u":
        undone = project.undo(coder, blind=state.blind)
        if not undone:
            raise CoderError("nothing to undo")
        shown = ", ".join(undone[:3]) + (f", … ({len(undone)} answers)" if len(undone) > 3 else "")
        console.print(f"Undone: your last command on {escape(shown)}")
        return len(undone), f"undo:{undone[0]}"
    if verb in ("a", "r") and not argument:
        if not open_:
            raise CoderError("no open suggestions here (use n for done, + to add a code)")
        accept = verb == "a"
        chosen = [
            Decision(answer, c, "accept" if accept and conf >= state.threshold else "reject", run, conf)
            for c, conf, _ in open_
        ]
        close = [Decision(answer, "", "none")] if accept and answer not in state.closed else []
        # one batch: one undo takes back the codes and the close
        project.record(coder, chosen + close, blind=state.blind)
        return len(chosen), "next"
    if verb in ("a", "r"):
        picked = [suggestions[n - 1] for n in _numbers(argument, len(suggestions))]
        chosen = [
            Decision(answer, c, "accept" if verb == "a" else "reject", run, conf) for c, conf, _ in picked
        ]
        project.record(coder, chosen, blind=state.blind)
        return len(chosen), "stay"
    if verb == "+":
        if not argument:
            raise CoderError("name the code to add: + <id or search>")
        code = _find_code(state.codebook, argument)
        if code in state.codes_of(answer):
            raise CoderError(f"the answer already has '{code}'")
        project.record(coder, [Decision(answer, code, "add")], blind=state.blind)
        console.print(Text(f"Added: {code} ({_label(state.codebook, code)})"))  # «+ bolig» found which?
        return 1, "stay"
    if verb == "-":
        codes = state.codes_of(answer)
        if not codes:
            raise CoderError("the answer has no codes to remove")
        if not argument:  # as «+» alone: say which, even when there is one
            raise CoderError(f"which code? - CODE (codes here: {', '.join(codes)})")
        code = _find_code(state.codebook, argument, among=codes)
        project.record(coder, [Decision(answer, code, "remove")], blind=state.blind)
        console.print(Text(f"Removed: {code} ({_label(state.codebook, code)})"))
        return 1, "stay"
    if verb == "n":
        rejected = [Decision(answer, c, "reject", run, conf) for c, conf, _ in open_]
        close = [] if answer in state.closed else [Decision(answer, "", "none")]
        if rejected or close:
            project.record(coder, rejected + close, blind=state.blind)
        return len(rejected) or len(close), "next"
    raise CoderError(f"unknown command '{verb}' (? shows the keys)")
