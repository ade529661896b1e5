#!/usr/bin/env python3
"""Checks files of event lines (one JSON object per line) against the event schema.

    validate_events.py docs/event.schema.json FILE...

Prints FILE:LINE: where: message for every line that is not JSON or does not validate,
and fails (exit 1) on any, or when a file holds no line at all (a writer that wrote
nothing has not been checked).
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in argv[2:]:
        lines = 0
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                lines += 1
                try:
                    event = json.loads(line)
                except json.JSONDecodeError as e:
                    print(f"{path}:{number}: not JSON: {e}")
                    bad += 1
                    continue
                for e in validator.iter_errors(event):
                    where = "/" + "/".join(str(x) for x in e.absolute_path)
                    print(f"{path}:{number}: {where}: {e.message}")
                    bad += 1
        if lines == 0:
            print(f"{path}: no event lines")
            bad += 1
        else:
            print(f"{path}: {lines} events checked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
