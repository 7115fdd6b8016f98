"""Network tables at scale: how long ``coder network`` takes on a large synthetic survey.

    python benchmarks/network.py                      # 1,000 people/10,000 contacts and 5,000/50,000
    python benchmarks/network.py --people 2000 --contacts 20000 --repeat 1
    python benchmarks/network.py --municipalities 10 --plot   # ten networks, and the pictures
    python benchmarks/network.py --people 2000 --layout --repeat 1   # the pictures' layout, before/after

Data: a seeded synthetic survey (no real people). Everyone belongs to one municipality (``--municipalities``,
default 1: one network of all the people, the hardest case, as every measure runs per municipality) and to
a work unit of 8-25 people inside their primary function (11 functions, as in the Oppdal example, a few
large and many small; a third hold a second function). 80 % responded; only respondents report contacts,
and each report goes to someone in the same unit (55 %, mostly daily or weekly), the same function (30 %,
mostly weekly or monthly) or anyone in the municipality (15 %, mostly monthly); 35 % of the reports are
answered by a report back (another frequency one time in three). 3 % of the people are named by nobody and
report nothing: isolates at every level. A quarter of the respondents have political contacts.

Per size, each step runs in a fresh Python process (so its peak memory is its own), ``--repeat`` times
(the median time is shown):

* ``graphs``: the contact graphs of every municipality at every level (:func:`coder.network.contact_graphs`),
  the baseline the other steps are compared with;
* ``network``: every table of ``coder network`` (:func:`coder.network.network`: positions, figures per
  level, political contact), graphs included;
* ``command``: ``coder network MANIFEST --out-dir DIR --level all`` on the survey written as CSV files, from
  the start of Python to the tables printed (to a pipe) and written;
* ``kamada-kawai`` and ``layout``: the node positions of every municipality's pictures
  (:func:`coder.network_figures.layout`, the graphs given), before and after networks of more than
  :data:`coder.network_figures.LARGE_NETWORK` connected people got a spring layout instead of Kamada-Kawai
  (``kamada-kawai`` lifts that threshold: the layout as it was for every size) -- only with ``--layout``;
  ``÷ old`` is the layout's time over Kamada-Kawai's in the same run;
* ``plot``: the pictures of ``coder network --plot`` (:func:`coder.network_figures.plot`, one PNG per
  municipality and level, the report given, layout included) -- only with ``--plot``: a picture of
  thousands of labelled nodes is unreadable, and slow to draw.

A step that runs longer than ``--timeout`` seconds is stopped and shown as such.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from coder import network, network_figures  # noqa: E402
from coder.survey import LEVELS, Survey  # noqa: E402

FUNCTIONS = (
    "Øk. virkemidler", "Tjenester", "Tildeling", "Husleiekontrakt", "Utbygging", "Skaffe bolig", "Arealplan",
    "Drift", "Boligsosial plan", "Samfunnsplan", "Politisk folkevalgt",
)  # fmt: skip
BODIES = ("formannskap", "kommunestyre", "ordfører", "hovedutvalg helse og omsorg")
TYPES = ("gives_information", "gets_information", "political_discussion", "professional_discussion")
#: Where a report goes (unit, function, anyone) and, for each, how often: daily, weekly, monthly.
REACH = {"unit": 0.55, "function": 0.30, "anyone": 0.15}
FREQUENCY = {"unit": (0.35, 0.45, 0.20), "function": (0.05, 0.35, 0.60), "anyone": (0.02, 0.18, 0.80)}
SIZES = ((1_000, 10_000), (5_000, 50_000))
STEPS = ("graphs", "network", "command", "kamada-kawai", "layout", "plot")
LAYOUT_STEPS = ("kamada-kawai", "layout")


def synthetic_survey(people: int, contacts: int, *, municipalities: int = 1, seed: int = 0) -> Survey:
    """A seeded survey of ``people`` named people and ``contacts`` contact reports (see the module notes).

    >>> s = synthetic_survey(200, 1000, municipalities=2)
    >>> len(s.respondents), len(s.contacts), s.municipalities
    (200, 1000, ['Kommune 1', 'Kommune 2'])
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:05d}" for i in range(people)])
    municipality = np.sort(rng.integers(0, municipalities, people))
    weights = 1 / np.arange(1, len(FUNCTIONS) + 1)  # a few large functions, many small ones
    primary = rng.choice(len(FUNCTIONS), people, p=weights / weights.sum())
    second = rng.choice(len(FUNCTIONS), people)
    has_second = (rng.random(people) < 1 / 3) & (second != primary)
    # Units: consecutive runs of 8-25 people within (municipality, primary function).
    order = np.lexsort((primary, municipality))
    unit = np.empty(people, dtype=np.int64)
    start, u = 0, 0
    while start < people:
        size = int(rng.integers(8, 26))
        chunk = order[start : start + size]
        # a unit never spans two functions or municipalities: cut it where they change
        keys = municipality[chunk] * len(FUNCTIONS) + primary[chunk]
        chunk = chunk[keys == keys[0]]
        unit[chunk] = u
        start, u = start + len(chunk), u + 1
    isolate = rng.random(people) < 0.03
    responded = (rng.random(people) < 0.8) & ~isolate
    respondents = pd.DataFrame(
        {
            "respondent_id": ids,
            "label": [f"Person {i}" for i in range(people)],
            "municipality": [f"Kommune {m + 1}" for m in municipality],
            "functions": [
                (FUNCTIONS[p], FUNCTIONS[s]) if two else (FUNCTIONS[p],)
                for p, s, two in zip(primary, second, has_second, strict=True)
            ],
            "responded": responded,
        }
    )
    # Members of each unit, function and municipality (isolates left out), as sorted index arrays.
    reachable = ~isolate
    groups = {
        "unit": unit,
        "function": municipality * len(FUNCTIONS) + primary,
        "anyone": municipality,
    }
    members = {
        reach: {g: np.flatnonzero(reachable & (key == g)) for g in np.unique(key)}
        for reach, key in groups.items()
    }
    sources = np.flatnonzero(responded)
    best: dict[tuple[int, int], int] = {}
    reaches = list(REACH)
    while len(best) < contacts:
        s = int(rng.choice(sources))
        reach = reaches[rng.choice(len(reaches), p=list(REACH.values()))]
        pool = members[reach][groups[reach][s]]
        if not len(pool):  # a unit of isolates only
            continue
        t = int(pool[rng.integers(len(pool))])
        if t == s or (s, t) in best:
            continue
        level = int(rng.choice(3, p=FREQUENCY[reach]))
        best[(s, t)] = level
        if responded[t] and (t, s) not in best and len(best) < contacts and rng.random() < 0.35:
            back = level if rng.random() < 2 / 3 else int(np.clip(level + rng.choice([-1, 1]), 0, 2))
            best[(t, s)] = back
    names = [f"Kommune {m + 1}" for m in municipality]
    table = pd.DataFrame(
        [(ids[s], ids[t], LEVELS[f], names[s]) for (s, t), f in best.items()],
        columns=["source", "target", "frequency", "municipality"],
    )
    political = [
        (ids[p], BODIES[rng.integers(len(BODIES))], TYPES[rng.integers(len(TYPES))], names[p])
        for p in sources[rng.random(len(sources)) < 0.25]
        for _ in range(int(rng.integers(1, 4)))
    ]
    return Survey(
        name=f"Syntetisk: {people} personer, {contacts} kontakter",
        respondents=respondents,
        answers=pd.DataFrame(columns=["id", "respondent_id", "question_id", "municipality", "text"]),
        questions=pd.DataFrame(columns=["question_id", "label", "kind", "column"]),
        ratings=pd.DataFrame(columns=["respondent_id", "rating_id", "municipality", "value", "raw"]),
        rating_items=pd.DataFrame(columns=["rating_id", "label", "min", "max", "column"]),
        contacts=table,
        political_contacts=pd.DataFrame(
            political, columns=["respondent_id", "body", "type", "municipality"]
        ).drop_duplicates(ignore_index=True),
        functions=pd.DataFrame({"function": FUNCTIONS, "label": FUNCTIONS}),
    )


def write_survey(survey: Survey, directory: Path) -> Path:
    """Write ``survey``'s people, contacts and political contacts as CSV files and a manifest; its path."""
    people = survey.respondents
    pd.DataFrame(
        {
            "id": people["respondent_id"],
            "kommune": people["municipality"],
            "funksjoner": people["functions"].map(";".join),
            "svart": people["responded"].map({True: "ja", False: "nei"}),
        }
    ).to_csv(directory / "personer.csv", index=False)
    survey.contacts[["source", "target", "frequency"]].to_csv(directory / "kontakter.csv", index=False)
    survey.political_contacts[["respondent_id", "body", "type"]].to_csv(
        directory / "politisk.csv", index=False
    )
    manifest = {
        "survey": survey.name,
        "functions": {function: function for function in FUNCTIONS},
        "respondents": {
            "file": "personer.csv",
            "id": "id",
            "municipality": "kommune",
            "functions": "funksjoner",
            "responded": "svart",
        },  # fmt: skip
        "contacts": {"file": "kontakter.csv", "from": "source", "to": "target", "frequency": "frequency"},
        "political_contacts": {
            "file": "politisk.csv",
            "respondent": "respondent_id",
            "body": "body",
            "type": "type",
            "bodies": list(BODIES),
        },  # fmt: skip
    }
    path = directory / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_step(step: str, people: int, contacts: int, municipalities: int, repeat: int) -> dict:
    """Time one step ``repeat`` times in this process; its times and the peak memory of the process that
    did the work (this one, or for ``command`` the ``coder`` process)."""
    data = synthetic_survey(people, contacts, municipalities=municipalities)
    times = []
    shape = {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        if step == "command":
            manifest = write_survey(data, directory)
            command = [
                sys.executable,
                "-m",
                "coder.cli",
                "network",
                str(manifest),
                "--out-dir",
                str(directory / "out"),
                "--level",
                "all",
            ]
        report = network.network(data) if step == "plot" else None
        graphs = network.contact_graphs(data, ["monthly"]) if step in LAYOUT_STEPS else None
        if step == "kamada-kawai":  # the layout before large networks got a spring layout
            network_figures.LARGE_NETWORK = sys.maxsize
        for _ in range(repeat):
            start = time.perf_counter()
            if step == "graphs":
                graphs = network.contact_graphs(data)
                shape = {f"edges_{lv}": sum(graphs[m, lv].number_of_edges() for m in data.municipalities)
                         for lv in LEVELS}  # fmt: skip
            elif step == "network":
                network.network(data)
            elif step == "command":  # from the start of Python, the tables printed to a pipe and written
                subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
            elif step in LAYOUT_STEPS:
                for municipality in data.municipalities:
                    network_figures.layout(data, municipality, graphs=graphs)
            else:
                network_figures.plot(data, directory / "plots", report=report, formats=("png",))
            times.append(time.perf_counter() - start)
    who = resource.RUSAGE_CHILDREN if step == "command" else resource.RUSAGE_SELF
    peak_mb = resource.getrusage(who).ru_maxrss / 1024  # kB on Linux
    return {"times": times, "peak_rss_mb": peak_mb, **shape}


def measure(step: str, people: int, contacts: int, municipalities: int, repeat: int, timeout: float) -> dict:
    """:func:`run_step` in a fresh Python process, stopped after ``timeout`` seconds."""
    command = [sys.executable, __file__, "--child", step, "--people", str(people), "--contacts",
               str(contacts), "--municipalities", str(municipalities), "--repeat", str(repeat)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timed_out": timeout}
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{step} failed:\n{error.stderr}") from error
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", help="sizes: people (default 1000 5000)")
    parser.add_argument("--contacts", type=int, nargs="+", help="contact reports, one per size (default 10x)")
    parser.add_argument("--municipalities", type=int, default=1, help="networks the people are split into")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (the median is shown)")
    parser.add_argument("--layout", action="store_true", help="also time the layout, before and after")
    parser.add_argument("--plot", action="store_true", help="also time the pictures (slow, see above)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a step is stopped")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_step(args.child, args.people[0], args.contacts[0], args.municipalities, args.repeat)
        print(json.dumps(result))
        return
    people = args.people or [p for p, _ in SIZES]
    contacts = args.contacts or [10 * p for p in people]
    if len(contacts) != len(people):
        parser.error("give one --contacts per --people")
    steps = [s for s in STEPS if (s not in LAYOUT_STEPS or args.layout) and (s != "plot" or args.plot)]
    print(f"{args.municipalities} municipality(ies), median of the runs, timeout {args.timeout:.0f} s a step")
    line = "{:>7} {:>9} {:<12} {:>4} {:>9} {:>8} {:>9} {:>6}"
    header = line.format("people", "contacts", "step", "runs", "median s", "peak MB", "÷ graphs", "÷ old")
    print(header)
    print("-" * len(header))
    figures = []
    for n, m in zip(people, contacts, strict=True):
        repeat = args.repeat
        baseline = old = None
        for step in steps:
            result = measure(step, n, m, args.municipalities, repeat, args.timeout)
            row = {"people": n, "contacts": m, "municipalities": args.municipalities, "step": step, **result}
            if "timed_out" in result:
                print(line.format(n, m, step, repeat, f">{args.timeout:.0f}", "", "", ""), flush=True)
            else:
                median = statistics.median(result["times"])
                baseline = median if step == "graphs" else baseline
                ratio = median / baseline if baseline else float("nan")
                row.update(median_s=median, ratio_to_graphs=ratio)
                shown = [f"{median:.2f}", f"{result['peak_rss_mb']:.0f}", f"{ratio:.1f}", ""]
                old = median if step == "kamada-kawai" else old
                if step == "layout" and old:
                    row["ratio_to_kamada_kawai"] = median / old
                    shown[-1] = f"{median / old:.2f}"
                print(line.format(n, m, step, repeat, *shown), flush=True)
            figures.append(row)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
