// Stage 2 of the curriculum, array algorithms: sorting, linear and binary search, counting, sliding
// windows and pair sums. Solutions are written out (insertion sort, binary search, ...) rather than calling a
// library, so the code carries the algorithm. Bodies use four-space indents. The dynamic-programming and
// graph families are in families_stage2_dp_graphs.cpp.
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
    in.param("target", r.pick(kTargetNames), Type::kInt);
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
    in.param("target", r.pick(kTargetNames), Type::kInt);
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

// The order is the curriculum's family order, which seeds and splits depend on.
std::vector<Family> stage2_families() {
  const auto dp_graphs = stage2_dp_graph_families();
  std::vector<Family> out = {sort_list(), index_of(), binary_search(), most_frequent(), window_sum()};
  out.insert(out.end(), dp_graphs.begin(), dp_graphs.end());
  out.push_back(pair_sum());
  for (auto& f : out) f.stage = 2;
  return out;
}

}  // namespace hrm::synth
