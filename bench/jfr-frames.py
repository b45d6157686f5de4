#!/usr/bin/env python3
"""Stack samples of one thread group in a flight recording, by frame: self and total (inclusive) sample counts.
   jfr print --events jdk.ExecutionSample rec.jfr | bench/jfr-frames.py [thread-substring] [top]
Two recordings of the same work (e.g. bench/streams-vs with JFR=1) compare by absolute counts: at the profile
setting's fixed sampling period, a sample is about the same slice of running time in each."""
import re, sys, collections
want = sys.argv[1] if len(sys.argv) > 1 else "StreamThread"
top = int(sys.argv[2]) if len(sys.argv) > 2 else 60
selfc, total = collections.Counter(), collections.Counter()
n = 0
thread, frames, in_stack = None, [], False
def flush():
    global n
    if thread and want in thread and frames:
        n += 1
        selfc[frames[0]] += 1
        for f in set(frames):
            total[f] += 1
for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        flush(); thread, frames, in_stack = None, [], False
    elif s.startswith("sampledThread"):
        m = re.search(r'"([^"]*)"', s); thread = m.group(1) if m else s
    elif s.startswith("stackTrace = ["):
        in_stack = True
    elif in_stack:
        if s.startswith("]") or s.startswith("..."):
            in_stack = False
        else:
            frames.append(re.sub(r"\s+line:.*$", "", s))
flush()
print(f"{n} samples of threads matching {want!r}")
print("--- self"); [print(f"{c:6d} {100*c/n:5.1f}% {f}") for f, c in selfc.most_common(top)]
print("--- total"); [print(f"{c:6d} {100*c/n:5.1f}% {f}") for f, c in total.most_common(top)]
