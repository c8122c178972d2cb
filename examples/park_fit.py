"""Park's fitting workflow with ``when=`` dependencies and memoized jobs.

Reduce the raw data, then fetch the reduced file; upload the model, then run the
pre-fit simulation; fit once both the model and the data are ready. Every job here is
simulated (a short sleep and a small file) and cacheable, so:

1. the first campaign runs every job, each only after what it depends on;
2. running the same campaign again reuses every finished job (no step runs);
3. a campaign whose reduction fails cancels the fetch and then the fit (the cancelled
   jobs never run), while the model side is reused from the first campaign.

Run it: ``python examples/park_fit.py`` (a durable home in a temporary directory).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from prunus import Client, Process


class _Job(Process):
    """A simulated job: sleeps a little, writes ``out`` (a line per run), outputs its
    path. ``workdir`` is where files go: not part of the memo key."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="1", ignore=("workdir",))
        spec.input("workdir", valid_type=str)
        spec.output("path", valid_type=str)

    def write(self, name: str, text: str) -> str:
        time.sleep(0.05)
        path = Path(self.inputs.workdir) / name
        with path.open("a") as out:
            out.write(text + "\n")
        self.out("path", str(path))
        return str(path)


class Reduce(_Job):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("infile", valid_type=str)
        spec.input("broken", valid_type=bool, default=False)

    def run(self):
        if self.inputs.broken:
            raise RuntimeError(f"cannot reduce {self.inputs.infile}: corrupt run file")
        self.write("reduced.refl", f"reduced {self.inputs.infile}")


class Fetch(_Job):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("url", valid_type=str)

    def run(self):
        self.write("fetched.refl", f"fetched {self.inputs.url}")


class Upload(_Job):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("package", valid_type=str)

    def run(self):
        self.write("model.egg", f"uploaded {self.inputs.package}")


class PrefitSimulation(_Job):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("package", valid_type=str)

    def run(self):
        self.write("model.sim", f"simulated {self.inputs.package}")


class Fit(_Job):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("model", valid_type=str)
        spec.input("data", valid_type=str)

    def run(self):
        self.write("fit.out", f"fitted {self.inputs.model} to {self.inputs.data}")


def campaign(client: Client, workdir: Path, infile: str, broken: bool = False) -> dict:
    """Submit the whole workflow at once; the runtime orders it by the conditions."""
    at = {"workdir": str(workdir)}
    reduction = client.submit(Reduce, infile=infile, broken=broken, **at)
    fetch = client.submit(Fetch, url=f"sns://{infile}.refl", when=reduction.finished_ok, **at)
    upload = client.submit(Upload, package="mymodel-1.0", **at)
    with client.defaults(when=upload.finished_ok):  # park's `with service:`
        model = client.submit(PrefitSimulation, package="mymodel-1.0", **at)
    fit = client.submit(
        Fit,
        model="mymodel-1.0",
        data=f"{infile}.refl",
        when=model.finished_ok & fetch.finished_ok,
        **at,
    )
    jobs = {"reduction": reduction, "fetch": fetch, "upload": upload, "model": model, "fit": fit}
    for pid in jobs.values():
        client.wait(pid, timeout=60)
    return jobs


def show(client: Client, title: str, jobs: dict) -> None:
    print(f"== {title} ==")
    for name, pid in jobs.items():
        about = client.describe(pid)
        how = f"reused from {about['cached_from']}" if about["cached_from"] else "ran"
        if about["state"] != "FINISHED":
            how = about["status"] or about["exception"] or ""
            how = how.replace(pid, name)
            for other, other_pid in jobs.items():
                how = how.replace(other_pid, other)
        print(f"{name:10} {about['state']:9} {how}")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        work = root / "work"
        work.mkdir()
        with Client(root / "home") as client:
            show(client, "first campaign", campaign(client, work, "bigfile.nxs"))
            show(client, "same campaign again", campaign(client, work, "bigfile.nxs"))
            broken = campaign(client, work, "badfile.nxs", broken=True)
            show(client, "a campaign whose reduction fails", broken)
        runs = {path.name: len(path.read_text().splitlines()) for path in work.iterdir()}
        print("== files written ==")
        for name in sorted(runs):
            print(f"{name:13} {runs[name]}")


if __name__ == "__main__":
    main()
