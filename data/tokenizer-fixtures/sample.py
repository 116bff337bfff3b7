"""Dijkstra's shortest paths, written for the hrm tokenizer tests."""
import heapq
from typing import Dict, List, Tuple


def shortest_paths(graph: Dict[str, List[Tuple[str, int]]], source: str) -> Dict[str, int]:
    dist = {source: 0}
    queue = [(0, source)]
    while queue:
        d, node = heapq.heappop(queue)
        if d > dist.get(node, float("inf")):
            continue
        for nxt, weight in graph.get(node, []):
            nd = d + weight
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                heapq.heappush(queue, (nd, nxt))
    return dist


if __name__ == "__main__":
    g = {"a": [("b", 7), ("c", 9), ("f", 14)], "b": [("c", 10), ("d", 15)], "c": [("d", 11), ("f", 2)]}
    print(shortest_paths(g, "a"))
