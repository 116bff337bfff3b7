def report(scores):
    return "\n".join(f"{name}: {score}" for name, score in sorted(scores.items()))
