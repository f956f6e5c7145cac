#!/usr/bin/env python3
"""Time dnstwist's Fuzzer (all fuzzers) over a list of brands.

Usage: dnstwist_fuzz.py BRANDS WORDS TLDS OUT
  BRANDS  one domain per line
  WORDS   dictionary file (dnstwist .dict format) for the `dictionary` fuzzer
  TLDS    TLD file for the `tld-swap` fuzzer
  OUT     written: one `brand<TAB>fuzzer<TAB>domain` line per permutation

Prints one JSON line: {"brands": N, "permutations": M, "seconds": S}.
Only generation is timed (no DNS): dnstwist.Fuzzer(...).generate(), in
process CPU time (the machine may be shared).
"""
import json
import sys
import time

import dnstwist


def read_dict(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip().lower() for l in f if l.strip() and not l.startswith("//")]


def main():
    brands_path, words_path, tlds_path, out_path = sys.argv[1:5]
    with open(brands_path, encoding="utf-8") as f:
        brands = [l.strip() for l in f if l.strip()]
    words = read_dict(words_path)
    tlds = read_dict(tlds_path)
    total = 0
    elapsed = 0.0
    with open(out_path, "w", encoding="utf-8") as out:
        for brand in brands:
            start = time.process_time()
            fuzz = dnstwist.Fuzzer(brand, dictionary=words, tld_dictionary=tlds)
            fuzz.generate()
            perms = fuzz.permutations()
            elapsed += time.process_time() - start
            for p in perms:
                if p["fuzzer"] == "*original":
                    continue
                out.write(f"{brand}\t{p['fuzzer']}\t{p['domain']}\n")
                total += 1
    print(json.dumps({"brands": len(brands), "permutations": total, "seconds": elapsed}))


if __name__ == "__main__":
    main()
