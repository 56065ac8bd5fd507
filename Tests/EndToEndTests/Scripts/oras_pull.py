#!/usr/bin/env python3
"""Pulls an artifact by digest with oras-py into a directory and prints the files it wrote, one JSON list.

Usage: oras_pull.py HOST:PORT REPOSITORY DIGEST OUTDIR
"""
import json
import sys

import oras.client

host, repository, digest, outdir = sys.argv[1:5]
client = oras.client.OrasClient(hostname=host, insecure=True)
files = client.pull(target=f"{host}/{repository}@{digest}", outdir=outdir)
print(json.dumps(sorted(files)))
