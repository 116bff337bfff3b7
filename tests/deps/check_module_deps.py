#!/usr/bin/python3
"""Fails when a file includes a header of a module its target does not depend on.

The dependency graph is the one src/CMakeLists.txt declares: `hrm_module(NAME m DEPS a b ...)` for the
modules and `hrm_binary(name m ...)` for the binaries in src/bin. A module may include the headers
(`#include "hrm/<module>/..."`) of itself and of every module it depends on, transitively; a binary
those of the modules it names and their dependencies. Checked: src/<m>/*.cpp, src/<m>/*.hpp and
include/hrm/<m>/*.hpp of every module, src/bin/<name>.cpp of every binary. Also: LibTorch headers only
in modules that link LibTorch (LIBS hrm_torch), directly or through a dependency, and no cycles.

Usage: check_module_deps.py <source dir>    (exit 0: clean; 1: violations, one per line on stderr)
"""
import re
import sys
from pathlib import Path

CALL = re.compile(r"^\s*(hrm_module|hrm_binary)\s*\(([^)]*)\)", re.MULTILINE)
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.MULTILINE)
TORCH_HEADER = re.compile(r"^(torch|ATen|c10)/")
TORCH_LIB = "hrm_torch"


def parse_modules(cmake_text):
    """({module: (deps, libs)}, {binary: modules}) from the hrm_module / hrm_binary calls."""
    modules, binaries = {}, {}
    for kind, args in CALL.findall(re.sub(r"#[^\n]*", "", cmake_text)):
        words = args.split()
        if kind == "hrm_binary":
            binaries[words[0]] = words[1:]
            continue
        fields, key = {"NAME": [], "DEPS": [], "LIBS": []}, None
        for w in words:
            if w in fields:
                key = w
            elif key is not None:
                fields[key].append(w)
        modules[fields["NAME"][0]] = (fields["DEPS"], fields["LIBS"])
    return modules, binaries


def closure(modules, roots):
    """The roots and every module they depend on, transitively."""
    seen, todo = set(), list(roots)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(modules.get(m, ([], []))[0])
    return seen


def find_cycle(modules):
    """A dependency cycle as a list of modules, or None."""
    state = {}

    def visit(m, path):
        if state.get(m) == "done":
            return None
        if state.get(m) == "open":
            return path[path.index(m):] + [m]
        state[m] = "open"
        for d in modules.get(m, ([], []))[0]:
            cycle = visit(d, path + [m])
            if cycle:
                return cycle
        state[m] = "done"
        return None

    for m in modules:
        cycle = visit(m, [])
        if cycle:
            return cycle
    return None


def violations_in(path, root, allowed, modules, torch_ok):
    """One message per include of `path` that its target may not use."""
    out = []
    text = path.read_text(errors="replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        header = m.group(1)
        parts = header.split("/")
        if len(parts) >= 3 and parts[0] == "hrm" and parts[1] in modules and parts[1] not in allowed:
            out.append(f"{path.relative_to(root)}:{lineno}: includes {header}, but its target does not depend on "
                       f"module '{parts[1]}' (allowed: {', '.join(sorted(allowed))}); declare the edge in "
                       f"src/CMakeLists.txt or move the code")
        elif TORCH_HEADER.match(header) and not torch_ok:
            out.append(f"{path.relative_to(root)}:{lineno}: includes LibTorch header <{header}> in a target that "
                       f"does not link LibTorch")
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[1]).resolve()
    modules, binaries = parse_modules((root / "src" / "CMakeLists.txt").read_text())
    if not modules:
        print(f"{root}/src/CMakeLists.txt: no hrm_module(...) lines found", file=sys.stderr)
        return 1
    problems = []
    cycle = find_cycle(modules)
    if cycle:
        problems.append("src/CMakeLists.txt: dependency cycle " + " -> ".join(cycle))
    for name, deps in modules.items():
        problems += [f"src/CMakeLists.txt: module '{name}' depends on undeclared module '{d}'"
                     for d in deps[0] if d not in modules]

    def torch_ok(mods):
        return any(TORCH_LIB in modules[m][1] for m in mods if m in modules)

    checked = 0
    for name in modules:
        allowed = closure(modules, [name])
        files = sorted((root / "src" / name).glob("*.[ch]pp")) + sorted((root / "include" / "hrm" / name).glob("*.hpp"))
        for f in files:
            problems += violations_in(f, root, allowed, modules, torch_ok(allowed))
        checked += len(files)
    for name, mods in binaries.items():
        allowed = closure(modules, mods)
        f = root / "src" / "bin" / f"{name}.cpp"
        if f.exists():
            problems += violations_in(f, root, allowed, modules, torch_ok(allowed))
            checked += 1
    for p in problems:
        print(p, file=sys.stderr)
    print(f"check_module_deps: {len(modules)} modules, {len(binaries)} binaries, {checked} files, "
          f"{len(problems)} violation(s)")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
