"""The shape the code keeps (docs/architecture.md): imports flow one way, extract → pipelines →
crawler; rooms stay small. Checked on the source, so a change that breaks the shape fails here
rather than in review."""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT

PACKAGES = ("extract", "pipelines", "crawler", "projektbank")
MAX_MODULE_LINES = 420   # "about 400"
MAX_FUNCTION_LINES = 60

# Longer on purpose; the reason is also a comment in the function.
LONG_FUNCTIONS = {
    "extract/render.py:render_html": "the extractor's hottest loop, its state in one frame",
    "extract/block.py:_read_block": "one cursor over the lines: each step starts where the last "
                                    "stopped",
}


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


FORBIDDEN = {
    # the extractor is pure: no writers, no crawl, no Scrapy
    "extract/": ("projektbank.pipelines", "projektbank.crawler", "scrapy", "twisted"),
    # the writers and readers run without Scrapy (extract uses them too)
    "pipelines/": ("projektbank.crawler", "scrapy", "twisted"),
    # the spider yields requests and page items: what happens to them is the pipelines' job
    "crawler/spiders/": ("projektbank.pipelines",),
}


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_imports_flow_one_way(room):
    wrong = []
    for name, tree in modules():
        if name.startswith(room):
            for module in imported(tree):
                if module.startswith(FORBIDDEN[room]):
                    wrong.append(f"{name} imports {module}")
    assert not wrong


def test_no_generic_top_level_imports():
    """Everything imports as projektbank.*: a bare `import pipelines` would find another
    distribution's module of that name."""
    bare = [f"{name} imports {m}" for name, tree in modules() for m in imported(tree)
            if m.split(".")[0] in ("extract", "pipelines", "crawler")]
    assert not bare


def test_rooms_stay_small():
    big = []
    for name, tree in modules():
        lines = (ROOT / name).read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            big.append(f"{name}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                key = f"{name}:{node.name}"
                if length > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    big.append(f"{key}: {length} lines")
    assert not big


def test_long_functions_listed_still_exist():
    found = {f"{name}:{node.name}" for name, tree in modules() for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assert set(LONG_FUNCTIONS) <= found


def test_the_wheel_lists_every_package():
    """pyproject names the packages one by one (the folders map into projektbank.*): a new
    subpackage must be added there, or the installed wheel lacks it."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    on_disk = {"projektbank"}
    for package in ("extract", "pipelines", "crawler"):
        for init in (ROOT / package).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).as_posix().replace("/", ".")
            on_disk.add(f"projektbank.{rel}")
    assert on_disk == listed
