#!/usr/bin/env python3
"""A strict check of Prometheus' text exposition format (version 0.0.4), as
a scraper reads it: every line a HELP/TYPE comment or a sample; names and
labels well formed; one TYPE and one HELP per family, before its samples;
a family's samples together; no series twice.  Usage: promcheck.py FILE.
Prints each problem with its line number; exit status 1 if any."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(' + NAME + r')(\{(?:' + LABEL + '=' + VALUE +
                    r'(?:,' + LABEL + '=' + VALUE + r')*,?)?\})? (\S+)( -?\d+)?$')
PAIR = re.compile('(' + LABEL + ')=(' + VALUE + ')')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def family(name, types):
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def main(path):
    errors = []
    types, helps, seen, done = {}, set(), set(), set()
    current = None
    for n, line in enumerate(open(path, encoding='utf-8').read().split('\n'), 1):
        if line == '':
            continue
        if line.startswith('#'):
            m = re.match(r'^# (HELP|TYPE) (' + NAME + r') ?(.*)$', line)
            if not m:
                continue            # a plain comment
            kind, name, rest = m.groups()
            if name in done:
                errors.append(f'{n}: {kind} for {name} after its samples')
            if kind == 'TYPE':
                if name in types:
                    errors.append(f'{n}: a second TYPE for {name}')
                if rest not in TYPES:
                    errors.append(f'{n}: unknown type {rest!r}')
                types[name] = rest
            else:
                if name in helps:
                    errors.append(f'{n}: a second HELP for {name}')
                helps.add(name)
            continue
        m = SAMPLE.match(line)
        if not m:
            errors.append(f'{n}: not a sample line: {line!r}')
            continue
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        try:
            float(value)
        except ValueError:
            errors.append(f'{n}: value {value!r} is not a number')
        pairs = PAIR.findall(labels)
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            errors.append(f'{n}: a label twice in {line!r}')
        fam = family(name, types)
        if fam != current:
            if fam in done:
                errors.append(f'{n}: the samples of {fam} are not together')
            if current is not None:
                done.add(current)
            current = fam
        series = (name, tuple(sorted(pairs)))
        if series in seen:
            errors.append(f'{n}: duplicate series {line.rsplit(" ", 1)[0]}')
        seen.add(series)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
