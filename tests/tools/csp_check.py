#!/usr/bin/env python3
"""csp_check.py REPORT.html [N] -- the report's Content-Security-Policy
allows exactly its own scripts: script-src lists the SHA-256 of every script
element a browser runs (not the application/json data blocks), in order,
there are N of them (4, report.html's; the dossier has 5), and never
'unsafe-inline'.  Exit 0 when so."""
import base64, hashlib, re, sys

h = open(sys.argv[1], encoding="utf-8").read()
csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', h).group(1)
src = re.search(r"script-src ([^;]*)", csp).group(1).split()
want = ["'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", h, re.S) if "application/json" not in attrs]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 4
ok = src == want and "'unsafe-inline'" not in src and len(want) == n
print("script-src: %d hashes for %d scripts%s" % (len(src), len(want), "" if ok else " -- MISMATCH"))
sys.exit(0 if ok else 1)
