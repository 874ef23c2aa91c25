"""Reference for test/shared/ini.test.ts: what Python's configparser makes of INI files.

Reads a JSON list of file paths on stdin; prints one JSON object per file, one per line:
  {"ok": false, "error": "<ExceptionClassName>", "lines": [<1-based line numbers Python names>]}
  {"ok": true, "sections": [{"name": ..., "keys": {key: {"ok": true, "value": ...}
                                                  | {"ok": false, "error": "Interpolation..."}},
                             "order": [key, ...]}],
   "defaults": {key: raw value}, "default_order": [key, ...]}
"order" lists are there because JSON.parse reorders integer-like object keys.
"""
import configparser
import json
import sys


def dump(path):
    cp = configparser.ConfigParser()
    try:
        cp.read(path, encoding='utf-8')
    except configparser.Error as e:
        if type(e) is configparser.ParsingError:  # MissingSectionHeaderError subclasses it but has no .errors
            lines = [lineno for lineno, _ in e.errors]
        else:
            lines = [e.lineno]
        return {"ok": False, "error": type(e).__name__, "lines": lines}
    sections = []
    for name in cp.sections():
        keys = {}
        order = list(cp[name])
        for key in order:
            try:
                keys[key] = {"ok": True, "value": cp.get(name, key)}
            except configparser.InterpolationError as e:
                keys[key] = {"ok": False, "error": type(e).__name__}
        sections.append({"name": name, "keys": keys, "order": order})
    defaults = dict(cp.defaults())
    return {"ok": True, "sections": sections, "defaults": defaults, "default_order": list(defaults)}


def main():
    out = sys.stdout
    for path in json.load(sys.stdin):
        out.write(json.dumps(dump(path)) + "\n")


if __name__ == "__main__":
    main()
