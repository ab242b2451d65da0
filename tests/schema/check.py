#!/usr/bin/env python3
"""The policy's JSON Schema (cisgate schema) against every policy cisgate ships or tests.

usage: check.py CISGATE

- the schema is a valid draft 2020-12 schema and policy/policy.schema.json is exactly
  what `cisgate schema` prints (the committed copy cannot drift from the rule table);
- every shipped policy (policy/*.yaml) starts with the yaml-language-server line and
  validates, and so does every policy a test loads as valid (tests/lint/ok-*.yaml,
  tests/cases/policies/*.yaml, the policies of policy/tests/*.yaml);
- every lint error case (tests/lint/*.yaml but ok-*) is rejected by the schema, or is
  listed in SEMANTIC below with the reason a schema cannot say it.
Read with PyYAML's safe loader, dates kept as text (cisgate reads them as text).
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema
import yaml

# Lint error cases the schema accepts: what cisgate checks beyond the shape of the file.
SEMANTIC = {
    "bad-uid-range.yaml": "a range's low end above its high end",
    "dup-action.yaml": "repeated keys (PyYAML keeps the last; cisgate refuses)",
    "dup-api-version.yaml": "repeated keys",
    "dup-audit-key.yaml": "repeated keys",
    "dup-default-route.yaml": "repeated keys",
    "dup-exemption-key.yaml": "repeated keys",
    "dup-label.yaml": "repeated keys",
    "dup-match-key.yaml": "repeated keys",
    "dup-param.yaml": "repeated keys",
    "dup-root-key.yaml": "repeated keys",
    "dup-rule.yaml": "repeated keys",
    "dup-rules-block.yaml": "repeated keys",
    "default-route-twice.yaml": "repeated keys",
    "exemption-dup.yaml": "two exemptions with one name",
    "plugins-twice.yaml": "one plugins.allowed entry a plugin",
    "routes-always-allowed.yaml": "allowed_routes names a route that is always allowed",
    "routes-judged.yaml": "allowed_routes names a route rules judge",
    "routes-unknown.yaml": "allowed_routes names a route dockerd does not have",
    "allowlist-empty.yaml": "empty_user: allowlist needs allowed_images",
    "daemon-timeout-range.yaml": "1ms to 60s, counted in the unit given",
    "shadow-bad.yaml": "the shadow file's own errors (another file)",
    "shadow-missing.yaml": "the shadow file does not exist",
    "shadow-nested.yaml": "the shadow file names a shadow of its own",
}


class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def main():
    cisgate = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.chdir(root)
    out = subprocess.run([cisgate, "schema"], check=True, capture_output=True, text=True).stdout
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    fails = 0
    passed = 0

    def check(ok, what):
        nonlocal fails, passed
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            fails += 1

    with open("policy/policy.schema.json") as f:
        check(f.read() == out, "policy/policy.schema.json is what `cisgate schema` prints")
    valid = sorted(glob.glob("policy/*.yaml"))
    for p in valid:
        with open(p) as f:
            first = f.readline()
        check(first == "# yaml-language-server: $schema=policy.schema.json\n",
              p + " starts with the yaml-language-server line")
    valid += sorted(glob.glob("tests/lint/ok-*.yaml"))
    # Lint cases that only warn (expiring exemptions) or lint OK are valid policies.
    warns = [p for p in sorted(glob.glob("tests/lint/*.yaml"))
             if open(p).readline().startswith(("# expect: warnings", "# expect: OK"))]
    valid += warns
    valid += sorted(glob.glob("tests/cases/policies/*.yaml"))
    for suite in sorted(glob.glob("policy/tests/*.yaml")):
        pol = load(suite).get("policy")
        if isinstance(pol, str):
            valid.append(os.path.normpath(os.path.join(os.path.dirname(suite), pol)))
    for p in sorted(set(valid)):
        errs = list(v.iter_errors(load(p)))
        check(not errs, "valid: " + p + ("" if not errs else ": " + errs[0].message[:120]))
    for p in sorted(glob.glob("tests/lint/*.yaml")):
        name = os.path.basename(p)
        if name.startswith("ok-") or p in warns:
            continue
        try:
            doc = load(p)
            rejected = any(True for _ in v.iter_errors(doc))
        except yaml.YAMLError:
            rejected = True  # not YAML at all (or several documents)
        if name in SEMANTIC:
            # A case the schema now rejects leaves the list, so the list stays true.
            check(not rejected, "lint case %s: semantic, the schema accepts it (%s)" % (
                name, SEMANTIC[name]))
        else:
            check(rejected, "lint case %s: rejected by the schema" % name)
    for name in sorted(SEMANTIC):
        check(os.path.exists("tests/lint/" + name), "SEMANTIC names an existing case: " + name)
    print("%d passed, %d failed" % (passed, fails))
    sys.exit(1 if fails else 0)


main()
