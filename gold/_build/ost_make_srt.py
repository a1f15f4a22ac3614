"""Build ostergotland/06_projektledare_omg2.srt from gold/_build/ost_06_dialogue.py.

Usage: python gold/_build/ost_make_srt.py gold/_build/ost_06_dialogue.py transcripts/ostergotland/06_projektledare_omg2.srt
"""
import sys, textwrap, importlib.util
spec = importlib.util.spec_from_file_location("d", sys.argv[1]); d = importlib.util.module_from_spec(spec); spec.loader.exec_module(d)

def chunks(text, maxlen=86):
    words = text.split(); out = []; cur = ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > maxlen:
            out.append(cur); cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur: out.append(cur)
    # avoid a tiny last chunk
    if len(out) > 1 and len(out[-1]) < 20:
        last = out.pop(); out[-1] += " " + last
    return out

def wrap(t):
    if len(t) <= 50: return t
    i = t.find(" ", 48)
    if i == -1: return t
    return t[:i] + "\n" + t[i+1:]

def ts(s):
    ms = int(round(s * 1000)); h, ms = divmod(ms, 3600000); m, ms = divmod(ms, 60000); sec, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d},{ms:03d}"

t = 1.2; n = 0; out = []
for spk, text in d.TURNS:
    for c in chunks(text):
        n += 1
        dur = max(1.0, len(c) / 14.0)
        out.append(f"{n}\n{ts(t)} --> {ts(t+dur)}\n{wrap(spk + ': ' + c)}\n")
        t += dur + 0.24
    t += 0.6
open(sys.argv[2], "w", encoding="utf-8", newline="\n").write("\n".join(out))
print(n, "cues")
