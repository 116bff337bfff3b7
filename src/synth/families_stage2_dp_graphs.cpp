// Stage 2 of the curriculum, small dynamic programs (stairs, coin change) and simple graphs (connected
// components by union-find, shortest path by BFS). Solutions are written out, so the code carries the
// algorithm. Bodies use four-space indents.
#include <algorithm>
#include <map>

#include "family_kit.hpp"

namespace hrm::synth {

using namespace kit;

namespace {

Family climb_stairs() {
  Family f;
  f.name = "climb-stairs";
  f.title = "Climbing stairs";
  f.statement =
      "Write a function $f($n) that returns the number of ways to climb a staircase of $n steps when each move "
      "climbs between 1 and $k steps.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"climb_ways", "stairs", "count_paths", "ways", "climb", "step_ways",
                                                "staircase", "count_climbs"}));
    in.param("n", r.pick(std::vector<std::string>{"n", "steps", "height", "stairs_count", "goal", "total_steps"}),
             Type::kInt);
    in.result = Type::kInt;
    in.value("k", Value::of(r.range(2, 4)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(r.range(0, 20))}; };
  f.edge_inputs = [](const Instance&) { return std::vector<std::vector<Value>>{{Value::of(0)}, {Value::of(1)}}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    std::vector<int64_t> ways(static_cast<size_t>(a[0].i) + 1, 0);
    ways[0] = 1;
    for (int64_t i = 1; i <= a[0].i; ++i) {
      for (int64_t s = 1; s <= in.integer("k") && s <= i; ++s)
        ways[static_cast<size_t>(i)] += ways[static_cast<size_t>(i - s)];
    }
    return Value::of(ways[static_cast<size_t>(a[0].i)]);
  };
  f.body = {{"python",
             "ways = [0] * ($n + 1)\nways[0] = 1\nfor i in range(1, $n + 1):\n    for step in range(1, $k + 1):\n"
             "        if step <= i:\n            ways[i] += ways[i - step]\nreturn ways[$n]"},
            {"javascript",
             "const ways = new Array($n + 1).fill(0);\nways[0] = 1;\nfor (let i = 1; i <= $n; i++) {\n"
             "    for (let step = 1; step <= $k && step <= i; step++) {\n        ways[i] += ways[i - step];\n    }\n}\n"
             "return ways[$n];"},
            {"java",
             "int[] ways = new int[$n + 1];\nways[0] = 1;\nfor (int i = 1; i <= $n; i++) {\n"
             "    for (int step = 1; step <= $k && step <= i; step++) {\n        ways[i] += ways[i - step];\n    }\n}\n"
             "return ways[$n];"},
            {"cpp",
             "std::vector<int> ways($n + 1, 0);\nways[0] = 1;\nfor (int i = 1; i <= $n; i++) {\n"
             "    for (int step = 1; step <= $k && step <= i; step++) {\n        ways[i] += ways[i - step];\n    }\n}\n"
             "return ways[$n];"},
            {"go",
             "ways := make([]int, $n+1)\nways[0] = 1\nfor i := 1; i <= $n; i++ {\n"
             "    for step := 1; step <= $k && step <= i; step++ {\n        ways[i] += ways[i-step]\n    }\n}\nreturn "
             "ways[$n]"},
            {"rust",
             "let n = $n as usize;\nlet mut ways = vec![0; n + 1];\nways[0] = 1;\nfor i in 1..=n {\n"
             "    for step in 1..=$k.min(i) {\n        ways[i] += ways[i - step];\n    }\n}\nways[n]"}};
  return f;
}

Family coin_ways() {
  Family f;
  f.name = "coin-ways";
  f.title = "Coin combinations";
  f.statement =
      "Write a function $f($amount) that returns the number of ways to make $amount from coins worth $coinwords. Each "
      "coin may be used any number of times and the order of the coins does not matter.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"coin_ways", "change_ways", "count_change", "make_change",
                                                "combinations", "pay_ways", "coin_count", "ways_to_pay"}));
    in.param("amount", r.pick(std::vector<std::string>{"amount", "total", "price", "sum_due", "money", "cost"}),
             Type::kInt);
    in.result = Type::kInt;
    std::vector<int64_t> coins;
    for (int64_t c = 1; c <= 12; ++c) {
      if (r.range(0, 3) == 0) coins.push_back(c);
    }
    if (coins.size() < 2) coins = {1, r.range(2, 12)};
    if (coins.size() > 4) coins.resize(4);
    std::string words;
    for (size_t k = 0; k < coins.size(); ++k) {
      words += (k == 0 ? "" : k + 1 == coins.size() ? " and " : ", ") + std::to_string(coins[k]);
    }
    in.value("coins", Value::of(coins));
    in.text("coinwords", words);
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(r.range(0, 40))}; };
  f.edge_inputs = [](const Instance&) { return std::vector<std::vector<Value>>{{Value::of(0)}}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    std::vector<int64_t> ways(static_cast<size_t>(a[0].i) + 1, 0);
    ways[0] = 1;
    for (int64_t c : in.constant("coins").ints) {
      for (int64_t v = c; v <= a[0].i; ++v) ways[static_cast<size_t>(v)] += ways[static_cast<size_t>(v - c)];
    }
    return Value::of(ways[static_cast<size_t>(a[0].i)]);
  };
  f.body = {{"python",
             "ways = [0] * ($amount + 1)\nways[0] = 1\nfor coin in $coins:\n    for v in range(coin, $amount + 1):\n"
             "        ways[v] += ways[v - coin]\nreturn ways[$amount]"},
            {"javascript",
             "const ways = new Array($amount + 1).fill(0);\nways[0] = 1;\nfor (const coin of $coins) {\n"
             "    for (let v = coin; v <= $amount; v++) {\n        ways[v] += ways[v - coin];\n    }\n}\nreturn "
             "ways[$amount];"},
            {"java",
             "int[] ways = new int[$amount + 1];\nways[0] = 1;\nfor (int coin : $coins) {\n"
             "    for (int v = coin; v <= $amount; v++) {\n        ways[v] += ways[v - coin];\n    }\n}\nreturn "
             "ways[$amount];"},
            {"cpp",
             "std::vector<int> ways($amount + 1, 0);\nways[0] = 1;\nfor (int coin : $coins) {\n"
             "    for (int v = coin; v <= $amount; v++) {\n        ways[v] += ways[v - coin];\n    }\n}\nreturn "
             "ways[$amount];"},
            {"go",
             "ways := make([]int, $amount+1)\nways[0] = 1\nfor _, coin := range $coins {\n"
             "    for v := coin; v <= $amount; v++ {\n        ways[v] += ways[v-coin]\n    }\n}\nreturn ways[$amount]"},
            {"rust",
             "let total = $amount as usize;\nlet mut ways = vec![0; total + 1];\nways[0] = 1;\nfor coin in $coins {\n"
             "    for v in coin..=total {\n        ways[v] += ways[v - coin];\n    }\n}\nways[total]"}};
  return f;
}

// Graphs: nodes 0..n-1, undirected edges us[i]-vs[i].
std::vector<Value> random_graph(Rng& r) {
  const int64_t n = r.range(1, 7);
  std::vector<int64_t> us, vs;
  for (int64_t e = r.range(0, 7); e > 0; --e) {
    us.push_back(r.range(0, n - 1));
    vs.push_back(r.range(0, n - 1));
  }
  return {Value::of(n), Value::of(us), Value::of(vs)};
}

void graph_params(Rng& r, Instance& in) {
  in.param("n", r.pick(std::vector<std::string>{"n", "nodes", "count", "size", "vertices"}), Type::kInt);
  const std::vector<std::string> lists = r.pick(std::vector<std::vector<std::string>>{
      {"us", "vs"}, {"starts", "ends"}, {"src", "dst"}, {"left", "right"}, {"from_nodes", "to_nodes"}});
  in.param("us", lists[0], Type::kIntList);
  in.param("vs", lists[1], Type::kIntList);
}

Family components() {
  Family f;
  f.name = "components";
  f.title = "Connected components";
  f.statement =
      "Write a function $f($n, $us, $vs) for an undirected graph with nodes 0 to $n - 1 and an edge between $us[i] "
      "and $vs[i] for each i. It returns the number of connected components.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"components", "count_groups", "islands", "clusters", "count_components",
                                                "regions", "groups", "connected_parts"}));
    graph_params(r, in);
    in.result = Type::kInt;
  };
  f.input = [](Rng& r, const Instance&) { return random_graph(r); };
  f.oracle = [](const Instance&, const std::vector<Value>& a) {
    std::vector<int64_t> parent(static_cast<size_t>(a[0].i));
    for (size_t k = 0; k < parent.size(); ++k) parent[k] = static_cast<int64_t>(k);
    auto find = [&](int64_t v) {
      while (parent[static_cast<size_t>(v)] != v) v = parent[static_cast<size_t>(v)];
      return v;
    };
    int64_t count = a[0].i;
    for (size_t e = 0; e < a[1].ints.size(); ++e) {
      const int64_t x = find(a[1].ints[e]), y = find(a[2].ints[e]);
      if (x != y) parent[static_cast<size_t>(x)] = y, --count;
    }
    return Value::of(count);
  };
  f.body = {
      {"python",
       "parent = list(range($n))\ngroups = $n\nfor i in range(len($us)):\n    a = $us[i]\n    while parent[a] != a:\n"
       "        a = parent[a]\n    b = $vs[i]\n    while parent[b] != b:\n        b = parent[b]\n    if a != b:\n"
       "        parent[a] = b\n        groups -= 1\nreturn groups"},
      {"javascript",
       "const parent = Array.from({ length: $n }, (_, i) => i);\nlet groups = $n;\n"
       "for (let i = 0; i < $us.length; i++) {\n    let a = $us[i];\n    while (parent[a] !== a) {\n        a = "
       "parent[a];\n"
       "    }\n    let b = $vs[i];\n    while (parent[b] !== b) {\n        b = parent[b];\n    }\n    if (a !== b) {\n"
       "        parent[a] = b;\n        groups--;\n    }\n}\nreturn groups;"},
      {"java",
       "int[] parent = new int[$n];\nfor (int i = 0; i < $n; i++) {\n    parent[i] = i;\n}\nint groups = $n;\n"
       "for (int i = 0; i < $us.length; i++) {\n    int a = $us[i];\n    while (parent[a] != a) {\n        a = "
       "parent[a];\n"
       "    }\n    int b = $vs[i];\n    while (parent[b] != b) {\n        b = parent[b];\n    }\n    if (a != b) {\n"
       "        parent[a] = b;\n        groups--;\n    }\n}\nreturn groups;"},
      {"cpp",
       "std::vector<int> parent($n);\nfor (int i = 0; i < $n; i++) {\n    parent[i] = i;\n}\nint groups = $n;\n"
       "for (size_t i = 0; i < $us.size(); i++) {\n    int a = $us[i];\n    while (parent[a] != a) {\n        a = "
       "parent[a];\n"
       "    }\n    int b = $vs[i];\n    while (parent[b] != b) {\n        b = parent[b];\n    }\n    if (a != b) {\n"
       "        parent[a] = b;\n        groups--;\n    }\n}\nreturn groups;"},
      {"go",
       "parent := make([]int, $n)\nfor i := range parent {\n    parent[i] = i\n}\ngroups := $n\nfor i := range $us {\n"
       "    a := $us[i]\n    for parent[a] != a {\n        a = parent[a]\n    }\n    b := $vs[i]\n    for parent[b] != "
       "b {\n"
       "        b = parent[b]\n    }\n    if a != b {\n        parent[a] = b\n        groups--\n    }\n}\nreturn "
       "groups"},
      {"rust",
       "let mut parent: Vec<usize> = (0..$n as usize).collect();\nlet mut groups = $n;\nfor i in 0..$us.len() {\n"
       "    let mut a = $us[i] as usize;\n    while parent[a] != a {\n        a = parent[a];\n    }\n"
       "    let mut b = $vs[i] as usize;\n    while parent[b] != b {\n        b = parent[b];\n    }\n    if a != b {\n"
       "        parent[a] = b;\n        groups -= 1;\n    }\n}\ngroups"}};
  return f;
}

Family path_length() {
  Family f;
  f.name = "path-length";
  f.held_out = true;
  f.title = "Shortest path";
  f.statement =
      "Write a function $f($n, $us, $vs) for an undirected graph with nodes 0 to $n - 1 and an edge between $us[i] "
      "and $vs[i] for each i. It returns the number of edges on a shortest path from node 0 to node $n - 1, or "
      "$miss when there is no path.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"shortest_path", "distance", "hops", "path_length", "bfs",
                                                "route_length", "min_edges", "travel"}));
    graph_params(r, in);
    in.result = Type::kInt;
    in.value("miss", Value::of(-r.range(1, 9)));
  };
  f.input = [](Rng& r, const Instance&) { return random_graph(r); };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const size_t n = static_cast<size_t>(a[0].i);
    std::vector<int64_t> dist(n, -1);
    std::vector<int64_t> queue = {0};
    dist[0] = 0;
    for (size_t head = 0; head < queue.size(); ++head) {
      const int64_t u = queue[head];
      for (size_t e = 0; e < a[1].ints.size(); ++e) {
        int64_t v = -1;
        if (a[1].ints[e] == u) v = a[2].ints[e];
        if (a[2].ints[e] == u) v = a[1].ints[e];
        if (v >= 0 && dist[static_cast<size_t>(v)] < 0)
          dist[static_cast<size_t>(v)] = dist[static_cast<size_t>(u)] + 1, queue.push_back(v);
      }
    }
    return Value::of(dist[n - 1] < 0 ? in.integer("miss") : dist[n - 1]);
  };
  f.body = {
      {"python",
       "dist = [-1] * $n\ndist[0] = 0\nqueue = [0]\nfor u in queue:\n    for i in range(len($us)):\n"
       "        w = -1\n        if $us[i] == u:\n            w = $vs[i]\n        if $vs[i] == u:\n            w = "
       "$us[i]\n"
       "        if w >= 0 and dist[w] < 0:\n            dist[w] = dist[u] + 1\n            queue.append(w)\n"
       "return dist[$n - 1] if dist[$n - 1] >= 0 else $miss"},
      {"javascript",
       "const dist = new Array($n).fill(-1);\ndist[0] = 0;\nconst queue = [0];\n"
       "for (let head = 0; head < queue.length; head++) {\n    const u = queue[head];\n"
       "    for (let i = 0; i < $us.length; i++) {\n        let w = -1;\n        if ($us[i] === u) {\n            w = "
       "$vs[i];\n"
       "        }\n        if ($vs[i] === u) {\n            w = $us[i];\n        }\n        if (w >= 0 && dist[w] < 0) "
       "{\n"
       "            dist[w] = dist[u] + 1;\n            queue.push(w);\n        }\n    }\n}\n"
       "return dist[$n - 1] >= 0 ? dist[$n - 1] : $miss;"},
      {"java",
       "int[] dist = new int[$n];\njava.util.Arrays.fill(dist, -1);\ndist[0] = 0;\nint[] queue = new int[$n];\n"
       "int tail = 1;\nfor (int head = 0; head < tail; head++) {\n    int u = queue[head];\n"
       "    for (int i = 0; i < $us.length; i++) {\n        int w = -1;\n        if ($us[i] == u) {\n            w = "
       "$vs[i];\n"
       "        }\n        if ($vs[i] == u) {\n            w = $us[i];\n        }\n        if (w >= 0 && dist[w] < 0) "
       "{\n"
       "            dist[w] = dist[u] + 1;\n            queue[tail++] = w;\n        }\n    }\n}\n"
       "return dist[$n - 1] >= 0 ? dist[$n - 1] : $miss;"},
      {"cpp",
       "std::vector<int> dist($n, -1);\ndist[0] = 0;\nstd::vector<int> queue = {0};\n"
       "for (size_t head = 0; head < queue.size(); head++) {\n    int u = queue[head];\n"
       "    for (size_t i = 0; i < $us.size(); i++) {\n        int w = -1;\n        if ($us[i] == u) {\n            w "
       "= $vs[i];\n"
       "        }\n        if ($vs[i] == u) {\n            w = $us[i];\n        }\n        if (w >= 0 && dist[w] < 0) "
       "{\n"
       "            dist[w] = dist[u] + 1;\n            queue.push_back(w);\n        }\n    }\n}\n"
       "return dist[$n - 1] >= 0 ? dist[$n - 1] : $miss;"},
      {"go",
       "dist := make([]int, $n)\nfor i := range dist {\n    dist[i] = -1\n}\ndist[0] = 0\nqueue := []int{0}\n"
       "for head := 0; head < len(queue); head++ {\n    u := queue[head]\n    for i := range $us {\n        w := -1\n"
       "        if $us[i] == u {\n            w = $vs[i]\n        }\n        if $vs[i] == u {\n            w = "
       "$us[i]\n        }\n"
       "        if w >= 0 && dist[w] < 0 {\n            dist[w] = dist[u] + 1\n            queue = append(queue, w)\n"
       "        }\n    }\n}\nif dist[$n-1] >= 0 {\n    return dist[$n-1]\n}\nreturn $miss"},
      {"rust",
       "let n = $n as usize;\nlet mut dist = vec![-1; n];\ndist[0] = 0;\nlet mut queue = vec![0usize];\nlet mut head = "
       "0;\n"
       "while head < queue.len() {\n    let u = queue[head];\n    head += 1;\n    for i in 0..$us.len() {\n"
       "        let mut w = -1;\n        if $us[i] as usize == u {\n            w = $vs[i];\n        }\n"
       "        if $vs[i] as usize == u {\n            w = $us[i];\n        }\n"
       "        if w >= 0 && dist[w as usize] < 0 {\n            dist[w as usize] = dist[u] + 1;\n"
       "            queue.push(w as usize);\n        }\n    }\n}\nif dist[n - 1] >= 0 {\n    dist[n - 1]\n} else {\n   "
       " $miss\n}"}};
  return f;
}

}  // namespace

std::vector<Family> stage2_dp_graph_families() { return {climb_stairs(), coin_ways(), components(), path_length()}; }

}  // namespace hrm::synth
