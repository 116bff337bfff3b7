// Stage 2 of the curriculum: small algorithms (sorting, searching, counting, small DP, simple graphs).
// Solutions are written out (insertion sort, binary search, DP tables, union-find, BFS) rather than
// calling a library, so the code carries the algorithm. Bodies use four-space indents.
#include <algorithm>
#include <map>

#include "family_kit.hpp"

namespace hrm::synth {

using namespace kit;

namespace {

Family sort_list() {
  Family f;
  f.name = "sort-list";
  f.title = "Insertion sort";
  f.statement =
      "Write a function $f($nums) that returns the elements of $nums sorted in $order order, using insertion sort.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"sort_values", "insertion_sort", "order", "arrange", "sorted_copy",
                                                "rank", "sort_list", "organize"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kIntList;
    const bool asc = r.coin();
    in.text("order", asc ? "ascending" : "descending");
    in.text("cmp", asc ? ">" : "<");
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_ints(r, 0, 8, -30, 30))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    auto v = a[0].ints;
    std::sort(v.begin(), v.end());
    if (in.word("cmp") == "<") std::reverse(v.begin(), v.end());
    return Value::of(v);
  };
  f.body = {
      {"python",
       "out = list($nums)\nfor i in range(1, len(out)):\n    j = i\n    while j > 0 and out[j - 1] $cmp out[j]:\n"
       "        out[j - 1], out[j] = out[j], out[j - 1]\n        j -= 1\nreturn out"},
      {"javascript",
       "const out = [...$nums];\nfor (let i = 1; i < out.length; i++) {\n    let j = i;\n"
       "    while (j > 0 && out[j - 1] $cmp out[j]) {\n        [out[j - 1], out[j]] = [out[j], out[j - 1]];\n"
       "        j--;\n    }\n}\nreturn out;"},
      {"java",
       "int[] out = $nums.clone();\nfor (int i = 1; i < out.length; i++) {\n    int j = i;\n"
       "    while (j > 0 && out[j - 1] $cmp out[j]) {\n        int tmp = out[j];\n        out[j] = out[j - 1];\n"
       "        out[j - 1] = tmp;\n        j--;\n    }\n}\nreturn out;"},
      {"cpp",
       "std::vector<int> out = $nums;\nfor (size_t i = 1; i < out.size(); i++) {\n    size_t j = i;\n"
       "    while (j > 0 && out[j - 1] $cmp out[j]) {\n        std::swap(out[j - 1], out[j]);\n        j--;\n    }\n}\n"
       "return out;"},
      {"go",
       "out := append([]int{}, $nums...)\nfor i := 1; i < len(out); i++ {\n    j := i\n"
       "    for j > 0 && out[j-1] $cmp out[j] {\n        out[j-1], out[j] = out[j], out[j-1]\n        j--\n    }\n}\n"
       "return out"},
      {"rust",
       "let mut out = $nums.to_vec();\nfor i in 1..out.len() {\n    let mut j = i;\n"
       "    while j > 0 && out[j - 1] $cmp out[j] {\n        out.swap(j - 1, j);\n        j -= 1;\n    }\n}\nout"}};
  return f;
}

Family index_of() {
  Family f;
  f.name = "index-of";
  f.title = "Linear search";
  f.statement =
      "Write a function $f($nums, $target) that returns the index of the first element of $nums equal to $target, "
      "or $miss when no element is equal.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"index_of", "find", "locate", "search", "position", "find_first", "seek", "lookup"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.param("target", r.pick(std::vector<std::string>{"target", "key", "wanted", "goal", "needle", "query"}),
             Type::kInt);
    in.result = Type::kInt;
    in.value("miss", Value::of(-r.range(1, 9)));
  };
  f.input = [](Rng& r, const Instance&) {
    return std::vector<Value>{Value::of(random_ints(r, 0, 8, 0, 9)), Value::of(r.range(0, 9))};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const auto& v = a[0].ints;
    const auto it = std::find(v.begin(), v.end(), a[1].i);
    return Value::of(it == v.end() ? in.integer("miss") : static_cast<int64_t>(it - v.begin()));
  };
  f.body = {
      {"python", "for i in range(len($nums)):\n    if $nums[i] == $target:\n        return i\nreturn $miss"},
      {"javascript",
       "for (let i = 0; i < $nums.length; i++) {\n    if ($nums[i] === $target) {\n        return i;\n    }\n}\nreturn "
       "$miss;"},
      {"java",
       "for (int i = 0; i < $nums.length; i++) {\n    if ($nums[i] == $target) {\n        return i;\n    }\n}\nreturn "
       "$miss;"},
      {"cpp",
       "for (size_t i = 0; i < $nums.size(); i++) {\n    if ($nums[i] == $target) {\n        return "
       "static_cast<int>(i);\n    }\n}\nreturn $miss;"},
      {"go", "for i, v := range $nums {\n    if v == $target {\n        return i\n    }\n}\nreturn $miss"},
      {"rust",
       "for (i, &v) in $nums.iter().enumerate() {\n    if v == $target {\n        return i as i32;\n    }\n}\n$miss"}};
  return f;
}

Family binary_search() {
  Family f;
  f.name = "binary-search";
  f.held_out = true;
  f.title = "Binary search";
  f.statement =
      "Write a function $f($nums, $target) that uses binary search on $nums, which is sorted in increasing order "
      "without repeats, and returns the index of $target, or $miss when it is absent.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"binary_search", "bisect", "find_sorted", "search", "locate",
                                                "halving_search", "probe", "lookup"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.param("target", r.pick(std::vector<std::string>{"target", "key", "wanted", "goal", "needle", "query"}),
             Type::kInt);
    in.result = Type::kInt;
    in.value("miss", Value::of(-r.range(1, 9)));
  };
  f.input = [](Rng& r, const Instance&) {
    std::vector<int64_t> v;
    int64_t x = r.range(-10, 5);
    for (int64_t k = r.range(0, 9); k > 0; --k) v.push_back(x += r.range(1, 4));
    const int64_t target = v.empty() || r.range(0, 3) == 0
                               ? r.range(-10, 40)
                               : v[static_cast<size_t>(r.range(0, static_cast<int64_t>(v.size()) - 1))];
    return std::vector<Value>{Value::of(v), Value::of(target)};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const auto& v = a[0].ints;
    const auto it = std::lower_bound(v.begin(), v.end(), a[1].i);
    return Value::of(it != v.end() && *it == a[1].i ? static_cast<int64_t>(it - v.begin()) : in.integer("miss"));
  };
  f.body = {
      {"python",
       "lo, hi = 0, len($nums) - 1\nwhile lo <= hi:\n    mid = (lo + hi) // 2\n    if $nums[mid] == $target:\n"
       "        return mid\n    if $nums[mid] < $target:\n        lo = mid + 1\n    else:\n        hi = mid - "
       "1\nreturn $miss"},
      {"javascript",
       "let lo = 0;\nlet hi = $nums.length - 1;\nwhile (lo <= hi) {\n    const mid = Math.floor((lo + hi) / 2);\n"
       "    if ($nums[mid] === $target) {\n        return mid;\n    }\n    if ($nums[mid] < $target) {\n"
       "        lo = mid + 1;\n    } else {\n        hi = mid - 1;\n    }\n}\nreturn $miss;"},
      {"java",
       "int lo = 0;\nint hi = $nums.length - 1;\nwhile (lo <= hi) {\n    int mid = (lo + hi) / 2;\n"
       "    if ($nums[mid] == $target) {\n        return mid;\n    }\n    if ($nums[mid] < $target) {\n"
       "        lo = mid + 1;\n    } else {\n        hi = mid - 1;\n    }\n}\nreturn $miss;"},
      {"cpp",
       "int lo = 0;\nint hi = static_cast<int>($nums.size()) - 1;\nwhile (lo <= hi) {\n    int mid = (lo + hi) / 2;\n"
       "    if ($nums[mid] == $target) {\n        return mid;\n    }\n    if ($nums[mid] < $target) {\n"
       "        lo = mid + 1;\n    } else {\n        hi = mid - 1;\n    }\n}\nreturn $miss;"},
      {"go",
       "lo, hi := 0, len($nums)-1\nfor lo <= hi {\n    mid := (lo + hi) / 2\n    if $nums[mid] == $target {\n"
       "        return mid\n    }\n    if $nums[mid] < $target {\n        lo = mid + 1\n    } else {\n"
       "        hi = mid - 1\n    }\n}\nreturn $miss"},
      {"rust",
       "let mut lo: i32 = 0;\nlet mut hi: i32 = $nums.len() as i32 - 1;\nwhile lo <= hi {\n    let mid = (lo + hi) / "
       "2;\n"
       "    if $nums[mid as usize] == $target {\n        return mid;\n    }\n    if $nums[mid as usize] < $target {\n"
       "        lo = mid + 1;\n    } else {\n        hi = mid - 1;\n    }\n}\n$miss"}};
  return f;
}

Family most_frequent() {
  Family f;
  f.name = "most-frequent";
  f.title = "The most frequent value";
  f.statement =
      "Write a function $f($nums) that returns the value that occurs most often in the non-empty list $nums; among "
      "equally frequent values return the $which one.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"most_frequent", "mode", "most_common", "top_value", "popular",
                                                "majority", "commonest", "favorite"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kInt;
    const bool smallest = r.coin();
    in.text("which", smallest ? "smallest" : "largest");
    in.text("cmp", smallest ? "<" : ">");
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_ints(r, 1, 8, -3, 5))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    std::map<int64_t, int> counts;
    for (auto v : a[0].ints) ++counts[v];
    int64_t best = a[0].ints[0];
    int best_count = 0;
    const bool smallest = in.word("cmp") == "<";
    for (const auto& [v, c] : counts) {
      if (c > best_count || (c == best_count && (smallest ? v < best : v > best))) best = v, best_count = c;
    }
    return Value::of(best);
  };
  f.body = {
      {"python",
       "best = $nums[0]\nbest_count = 0\nfor v in $nums:\n    c = $nums.count(v)\n"
       "    if c > best_count or (c == best_count and v $cmp best):\n        best = v\n        best_count = c\nreturn "
       "best"},
      {"javascript",
       "let best = $nums[0];\nlet bestCount = 0;\nfor (const v of $nums) {\n"
       "    const c = $nums.filter((w) => w === v).length;\n"
       "    if (c > bestCount || (c === bestCount && v $cmp best)) {\n        best = v;\n        bestCount = c;\n"
       "    }\n}\nreturn best;"},
      {"java",
       "int best = $nums[0];\nint bestCount = 0;\nfor (int v : $nums) {\n    int c = 0;\n    for (int w : $nums) {\n"
       "        if (w == v) {\n            c++;\n        }\n    }\n"
       "    if (c > bestCount || (c == bestCount && v $cmp best)) {\n        best = v;\n        bestCount = c;\n    "
       "}\n}\n"
       "return best;"},
      {"cpp",
       "int best = $nums[0];\nint best_count = 0;\nfor (int v : $nums) {\n"
       "    int c = static_cast<int>(std::count($nums.begin(), $nums.end(), v));\n"
       "    if (c > best_count || (c == best_count && v $cmp best)) {\n        best = v;\n        best_count = c;\n    "
       "}\n}\n"
       "return best;"},
      {"go",
       "best, bestCount := $nums[0], 0\nfor _, v := range $nums {\n    c := 0\n    for _, w := range $nums {\n"
       "        if w == v {\n            c++\n        }\n    }\n"
       "    if c > bestCount || (c == bestCount && v $cmp best) {\n        best, bestCount = v, c\n    }\n}\nreturn "
       "best"},
      {"rust",
       "let mut best = $nums[0];\nlet mut best_count = 0;\nfor &v in $nums {\n"
       "    let c = $nums.iter().filter(|&&w| w == v).count();\n"
       "    if c > best_count || (c == best_count && v $cmp best) {\n        best = v;\n        best_count = c;\n    "
       "}\n}\n"
       "best"}};
  return f;
}

Family window_sum() {
  Family f;
  f.name = "window-sum";
  f.title = "Best window";
  f.statement =
      "Write a function $f($nums) that returns the largest sum of $k consecutive elements of $nums, which has at least "
      "$k elements.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"best_window", "max_window", "window_sum", "best_run", "peak_stretch",
                                                "max_block", "best_span", "top_window"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kInt;
    in.value("k", Value::of(r.range(2, 4)));
  };
  f.input = [](Rng& r, const Instance& in) {
    return std::vector<Value>{Value::of(random_ints(r, static_cast<int>(in.integer("k")), 8, -10, 10))};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const auto& v = a[0].ints;
    const size_t k = static_cast<size_t>(in.integer("k"));
    int64_t best = INT64_MIN;
    for (size_t i = 0; i + k <= v.size(); ++i) {
      int64_t s = 0;
      for (size_t j = i; j < i + k; ++j) s += v[j];
      best = std::max(best, s);
    }
    return Value::of(best);
  };
  f.body = {{"python",
             "window = sum($nums[:$k])\nbest = window\nfor i in range($k, len($nums)):\n"
             "    window += $nums[i] - $nums[i - $k]\n    best = max(best, window)\nreturn best"},
            {"javascript",
             "let window = 0;\nfor (let i = 0; i < $k; i++) {\n    window += $nums[i];\n}\nlet best = window;\n"
             "for (let i = $k; i < $nums.length; i++) {\n    window += $nums[i] - $nums[i - $k];\n"
             "    best = Math.max(best, window);\n}\nreturn best;"},
            {"java",
             "int window = 0;\nfor (int i = 0; i < $k; i++) {\n    window += $nums[i];\n}\nint best = window;\n"
             "for (int i = $k; i < $nums.length; i++) {\n    window += $nums[i] - $nums[i - $k];\n"
             "    best = Math.max(best, window);\n}\nreturn best;"},
            {"cpp",
             "int window = 0;\nfor (size_t i = 0; i < $k; i++) {\n    window += $nums[i];\n}\nint best = window;\n"
             "for (size_t i = $k; i < $nums.size(); i++) {\n    window += $nums[i] - $nums[i - $k];\n"
             "    best = std::max(best, window);\n}\nreturn best;"},
            {"go",
             "window := 0\nfor i := 0; i < $k; i++ {\n    window += $nums[i]\n}\nbest := window\n"
             "for i := $k; i < len($nums); i++ {\n    window += $nums[i] - $nums[i-$k]\n    if window > best {\n"
             "        best = window\n    }\n}\nreturn best"},
            {"rust",
             "let mut window: i32 = $nums[..$k].iter().sum();\nlet mut best = window;\nfor i in $k..$nums.len() {\n"
             "    window += $nums[i] - $nums[i - $k];\n    best = best.max(window);\n}\nbest"}};
  return f;
}

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

Family pair_sum() {
  Family f;
  f.name = "pair-sum";
  f.title = "A pair with a given sum";
  f.statement =
      "Write a function $f($nums) that returns true if two elements of $nums at different positions add up to $t, "
      "and false otherwise.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"has_pair", "pair_sum", "two_sum", "find_pair", "sum_exists",
                                                "can_pair", "pair_exists", "match_sum"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kBool;
    in.value("t", Value::of(r.range(-5, 15)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_ints(r, 0, 7, -5, 10))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const auto& v = a[0].ints;
    for (size_t i = 0; i < v.size(); ++i) {
      for (size_t j = i + 1; j < v.size(); ++j) {
        if (v[i] + v[j] == in.integer("t")) return Value::of_bool(true);
      }
    }
    return Value::of_bool(false);
  };
  f.body = {
      {"python",
       "for i in range(len($nums)):\n    for j in range(i + 1, len($nums)):\n        if $nums[i] + $nums[j] == $t:\n"
       "            return True\nreturn False"},
      {"javascript",
       "for (let i = 0; i < $nums.length; i++) {\n    for (let j = i + 1; j < $nums.length; j++) {\n"
       "        if ($nums[i] + $nums[j] === $t) {\n            return true;\n        }\n    }\n}\nreturn false;"},
      {"java",
       "for (int i = 0; i < $nums.length; i++) {\n    for (int j = i + 1; j < $nums.length; j++) {\n"
       "        if ($nums[i] + $nums[j] == $t) {\n            return true;\n        }\n    }\n}\nreturn false;"},
      {"cpp",
       "for (size_t i = 0; i < $nums.size(); i++) {\n    for (size_t j = i + 1; j < $nums.size(); j++) {\n"
       "        if ($nums[i] + $nums[j] == $t) {\n            return true;\n        }\n    }\n}\nreturn false;"},
      {"go",
       "for i := 0; i < len($nums); i++ {\n    for j := i + 1; j < len($nums); j++ {\n"
       "        if $nums[i]+$nums[j] == $t {\n            return true\n        }\n    }\n}\nreturn false"},
      {"rust",
       "for i in 0..$nums.len() {\n    for j in i + 1..$nums.len() {\n        if $nums[i] + $nums[j] == $t {\n"
       "            return true;\n        }\n    }\n}\nfalse"}};
  return f;
}

}  // namespace

std::vector<Family> stage2_families() {
  std::vector<Family> out = {sort_list(),    index_of(),  binary_search(), most_frequent(), window_sum(),
                             climb_stairs(), coin_ways(), components(),    path_length(),   pair_sum()};
  for (auto& f : out) f.stage = 2;
  return out;
}

}  // namespace hrm::synth
