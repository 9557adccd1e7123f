#!/usr/bin/env python3
"""Where a Flight Recorder profile of `raftkv bench --jfr FILE` says time and allocation go.

Usage: bench/jfr-top.py FILE.jfr [N]
Reads the recording with `jfr print --json` (the JDK's jfr tool on the PATH, or $JAVA_HOME/bin/jfr) and prints
the top N (default 25) of: allocation by site (the first frame outside java.util collections, boxing and
CompletableFuture, so a HashMap grown by the metrics counts against the metrics) and by thread; CPU samples by
thread and by the first frame in dev.raft or io.aeron code (the JDK's bounds checks and copies are charged to
their caller). Only for where, not for how fast: the sampler sees Java frames, not the kernel."""
import collections
import json
import os
import shutil
import subprocess
import sys

GENERIC = ("java/util/", "java/lang/Long.", "java/lang/Integer.", "java/lang/invoke/", "java/lang/reflect/",
           "jdk/internal/", "org/agrona/ExpandableDirectByteBuffer", "org/agrona/ExpandableArrayBuffer")


def jfr_tool():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    return shutil.which("jfr") or "jfr"


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    return [f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}:{f.get('lineNumber')}"
            for f in stack.get("frames", [])]


def thread(event, key):
    t = event["values"].get(key) or {}
    return t.get("javaName") or t.get("osName") or "?"


def main(path, n):
    text = subprocess.run([jfr_tool(), "print", "--json", "--stack-depth", "16", "--events",
                           "jdk.ObjectAllocationSample,jdk.ExecutionSample", path],
                          check=True, capture_output=True, text=True).stdout
    events = json.loads(text)["recording"]["events"]
    alloc, alloc_thread, cpu, cpu_thread = (collections.Counter() for _ in range(4))
    for e in events:
        fr = frames(e)
        if e["type"] == "jdk.ObjectAllocationSample":
            site = next((f for f in fr if not f.replace(".", "/").startswith(GENERIC)), fr[0] if fr else "?")
            alloc[(site, e["values"]["objectClass"]["name"].replace("/", "."))] += e["values"]["weight"]
            alloc_thread[thread(e, "eventThread")] += e["values"]["weight"]
        else:
            site = next((f for f in fr if f.startswith(("dev.raft", "io.aeron"))), fr[0] if fr else "?")
            cpu[site] += 1
            cpu_thread[thread(e, "sampledThread")] += 1
    total = sum(alloc.values()) or 1
    samples = sum(cpu.values()) or 1
    print(f"allocation samples: {sum(1 for e in events if e['type'] == 'jdk.ObjectAllocationSample')}, "
          f"estimated {total / 1e6:,.0f} MB; execution samples: {samples}")
    print("\nallocation by site (first frame outside collections/boxing/futures) [class]:")
    for (site, cls), w in alloc.most_common(n):
        print(f"  {100 * w / total:5.1f}%  {site}  [{cls}]")
    print("\nallocation by thread:")
    for t, w in alloc_thread.most_common(n):
        print(f"  {100 * w / total:5.1f}%  {t}")
    print("\nCPU samples by thread:")
    for t, c in cpu_thread.most_common(n):
        print(f"  {100 * c / samples:5.1f}%  {t}")
    print("\nCPU samples by first dev.raft / io.aeron frame:")
    for site, c in cpu.most_common(n):
        print(f"  {100 * c / samples:5.1f}%  {site}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
