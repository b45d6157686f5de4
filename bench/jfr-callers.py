#!/usr/bin/env python3
"""Who calls a frame, in the stack samples of one thread group: the caller chain (depth frames up) of every sample
   whose top frames include the given one.
   jfr print --stack-depth 80 --events jdk.ExecutionSample rec.jfr | bench/jfr-callers.py 'HashMap.getNode' [depth] [thread]"""
import re, sys, collections
target = sys.argv[1]; depth = int(sys.argv[2]) if len(sys.argv) > 2 else 3
want = sys.argv[3] if len(sys.argv) > 3 else "StreamThread"
c = collections.Counter(); thread, frames, in_stack = None, [], False
def flush():
    if thread and want in thread:
        for i, f in enumerate(frames):
            if target in f:
                c[" <- ".join(re.sub(r"\(.*", "", x) for x in frames[i:i + depth + 1])] += 1
                break
for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        flush(); thread, frames, in_stack = None, [], False
    elif s.startswith("sampledThread"):
        m = re.search(r'"([^"]*)"', s); thread = m.group(1) if m else s
    elif s.startswith("stackTrace = ["): in_stack = True
    elif in_stack:
        if s.startswith("]") or s.startswith("..."): in_stack = False
        else: frames.append(re.sub(r"\s+line:.*$", "", s))
flush()
for k, n in c.most_common(25): print(f"{n:5d} {k}")
