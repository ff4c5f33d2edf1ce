"""The shape of the house: no module imports one that imports it back, and nothing outside the
facade reads the recommender's learned state (`rec.<name>_`)."""

import ast
import re

from conftest import ROOT

PACKAGE = ROOT / "recommender"


def _imports() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("recommender."):
                found.add(node.module.split(".")[1])
        modules[path.stem] = found - {path.stem}
    return modules


def test_no_module_imports_one_that_imports_it_back():
    modules = _imports()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name == goal:
                return True
            if name not in seen:
                seen.add(name)
                todo.extend(modules.get(name, ()))
        return False

    cycles = sorted({tuple(sorted((a, b))) for a, deps in modules.items() for b in deps if reaches(b, a)})
    assert cycles == []


def test_nothing_outside_the_facade_reads_learned_state():
    pattern = re.compile(r"\b(?:rec|_rec|recommender)\.([a-z][a-z_]*_)\b")
    files = [ROOT / "app.py", *PACKAGE.glob("*.py"), *(ROOT / "eval").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    found = [
        (path.name, match.group(0))
        for path in files
        if path.name != "core.py"
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
