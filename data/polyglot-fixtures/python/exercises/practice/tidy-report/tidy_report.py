# Works, but is hard to read: refactor it without changing what it returns.
def report(scores):
    l = []
    for k in sorted(scores.keys()):
        l.append(k + ": " + str(scores[k]))
    return "\n".join(l)
