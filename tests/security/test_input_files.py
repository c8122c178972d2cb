"""Input files are data from whoever wrote them: read within limits, never run."""

from __future__ import annotations

import time

import pytest

from prunus.cli._data_files import MAX_DEPTH, MAX_FILE_BYTES, read_data_file
from tests.cli.helpers import invoke

LEAF = "tests.workflows:Leaf"

#: "billion laughs" in 600 bytes: 9**9 strings once its aliases are expanded.
ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "x: 1",
    ]
)


def run_with_inputs(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    started = time.monotonic()
    result = invoke("run", LEAF, "--inputs", str(path))
    return result, time.monotonic() - started


def test_the_yaml_alias_bomb_fails_fast_with_one_line(tmp_path):
    assert len(ALIAS_BOMB) <= 600
    result, took = run_with_inputs(tmp_path, "bomb.yaml", ALIAS_BOMB)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: --inputs {tmp_path / 'bomb.yaml'}: more than 1,000,000 values once its "
        "aliases (*name) are expanded"
    ]
    assert took < 5.0  # refused after counting the file, not the expansion


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.json", '{"x": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000),
        ("deep.yaml", "x:\n" + "".join("  " * i + "- \n" for i in range(1, MAX_DEPTH + 2))),
    ],
)
def test_deeply_nested_input_files_fail_with_one_line(tmp_path, name, text):
    result, _ = run_with_inputs(tmp_path, name, text)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: --inputs {tmp_path / name}: nested deeper than {MAX_DEPTH} levels"
    ]


@pytest.mark.parametrize(
    "name, text, reason",
    [
        ("big.json", b" " * (MAX_FILE_BYTES + 1), "larger than the limit of 16 MiB"),
        ("latin.yaml", "x: caf\xe9\n".encode("latin-1"), "not UTF-8 text (byte 6)"),
        ("loop.yaml", "x: &l [*l]\n", "an alias refers to a node that contains it"),
        ("code.yaml", "x: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_other_hostile_input_files_fail_with_one_line(tmp_path, name, text, reason):
    result, _ = run_with_inputs(tmp_path, name, text)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and reason in result.stderr, result.stderr


def test_aliases_within_the_limits_are_fine(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text("common: &c {cutoff: 30, mode: fast}\nfirst: *c\nsecond: [*c, *c]\n")
    data = read_data_file(path, "yaml")
    assert data["second"] == [data["common"]] * 2 == [{"cutoff": 30, "mode": "fast"}] * 2
    result, _ = run_with_inputs(tmp_path, "ok.yaml", "x: &n 4\ndelay: 0.0\n")
    assert result.exit_code == 0, result.stderr


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    data = read_data_file(path, "json")
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == []
