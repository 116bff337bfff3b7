// Stage 1 of the curriculum: syntax and simple functions (arithmetic, strings, lists, conditionals,
// loops). Every instance parameter (names, constants, operators) appears in the statement and in the
// code, so a small model can learn to copy and map them. Bodies use four-space indents.
#include "family_kit.hpp"

namespace hrm::synth {

using namespace kit;

namespace {

Family add_const() {
  Family f;
  f.name = "add-const";
  f.title = "Add a constant";
  f.statement = "Write a function $f($x) that takes an integer $x and returns $x $opw $k.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"add_k", "adjust", "shift", "apply_op", "compute", "transform", "step",
                                                "update", "combine", "calc"}));
    in.param("x", r.pick(kIntNames), Type::kInt);
    in.result = Type::kInt;
    const Op& op = r.pick(kArith);
    in.text("op", op.symbol);
    in.text("opw", op.word);
    in.value("k", Value::of(r.range(2, 20)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(r.range(-100, 100))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(arith(in.word("op"), a[0].i, in.integer("k")));
  };
  f.body = {{"python", "return $x $op $k"}, {"javascript", "return $x $op $k;"}, {"java", "return $x $op $k;"},
            {"cpp", "return $x $op $k;"},   {"go", "return $x $op $k"},          {"rust", "$x $op $k"}};
  return f;
}

Family linear() {
  Family f;
  f.name = "linear";
  f.title = "A linear function";
  f.statement = "Write a function $f($x) that returns $a times $x plus $b.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"linear", "scale", "line", "evaluate", "affine", "project", "map_value", "convert"}));
    in.param("x", r.pick(kIntNames), Type::kInt);
    in.result = Type::kInt;
    in.value("a", Value::of(r.range(2, 9)));
    in.value("b", Value::of(r.range(1, 50)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(r.range(-50, 50))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(in.integer("a") * a[0].i + in.integer("b"));
  };
  f.body = {{"python", "return $a * $x + $b"}, {"javascript", "return $a * $x + $b;"},
            {"java", "return $a * $x + $b;"},  {"cpp", "return $a * $x + $b;"},
            {"go", "return $a*$x + $b"},       {"rust", "$a * $x + $b"}};
  return f;
}

Family two_args() {
  Family f;
  f.name = "two-args";
  f.title = "Combine two integers";
  f.statement = "Write a function $f($a, $b) that takes two integers and returns $l $opw $r.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"combine", "merge", "join_values", "pair_op", "mix", "blend", "apply",
                                                "operate", "fold"}));
    const auto& names = r.pick(kIntPairs);
    in.param("a", names[0], Type::kInt);
    in.param("b", names[1], Type::kInt);
    in.result = Type::kInt;
    const Op& op = r.pick(kArith);
    in.text("op", op.symbol);
    in.text("opw", op.word);
    const bool swap = r.coin();
    in.vars["l"] = in.vars[swap ? "b" : "a"];
    in.vars["r"] = in.vars[swap ? "a" : "b"];
    in.text("swap", swap ? "1" : "0");
  };
  f.input = [](Rng& r, const Instance&) {
    return std::vector<Value>{Value::of(r.range(-60, 60)), Value::of(r.range(-60, 60))};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const bool swap = in.word("swap") == "1";
    return Value::of(arith(in.word("op"), swap ? a[1].i : a[0].i, swap ? a[0].i : a[1].i));
  };
  f.body = {{"python", "return $l $op $r"}, {"javascript", "return $l $op $r;"}, {"java", "return $l $op $r;"},
            {"cpp", "return $l $op $r;"},   {"go", "return $l $op $r"},          {"rust", "$l $op $r"}};
  return f;
}

Family max_of_two() {
  Family f;
  f.name = "max-of-two";
  f.title = "The larger or smaller of two";
  f.statement = "Write a function $f($a, $b) that returns the $which of the two integers $a and $b.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"pick", "choose", "select", "best_of", "compare", "winner", "extreme", "pick_one"}));
    const auto& names = r.pick(kIntPairs);
    in.param("a", names[0], Type::kInt);
    in.param("b", names[1], Type::kInt);
    in.result = Type::kInt;
    const bool larger = r.coin();
    in.text("which", larger ? "larger" : "smaller");
    in.text("cmp", larger ? ">" : "<");
  };
  f.input = [](Rng& r, const Instance&) {
    return std::vector<Value>{Value::of(r.range(-50, 50)), Value::of(r.range(-50, 50))};
  };
  f.edge_inputs = [](const Instance&) { return std::vector<std::vector<Value>>{{Value::of(3), Value::of(3)}}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const bool larger = in.word("cmp") == ">";
    return Value::of(larger ? std::max(a[0].i, a[1].i) : std::min(a[0].i, a[1].i));
  };
  f.body = {{"python", "if $a $cmp $b:\n    return $a\nreturn $b"},
            {"javascript", "if ($a $cmp $b) {\n    return $a;\n}\nreturn $b;"},
            {"java", "if ($a $cmp $b) {\n    return $a;\n}\nreturn $b;"},
            {"cpp", "if ($a $cmp $b) {\n    return $a;\n}\nreturn $b;"},
            {"go", "if $a $cmp $b {\n    return $a\n}\nreturn $b"},
            {"rust", "if $a $cmp $b {\n    return $a;\n}\n$b"}};
  return f;
}

Family threshold() {
  Family f;
  f.name = "threshold";
  f.title = "Above or below a threshold";
  f.statement = "Write a function $f($x) that returns $p if $x is $cmpw $t, and $q otherwise.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"classify", "grade", "rate", "bucket", "check_level", "judge", "label_of", "decide"}));
    in.param("x", r.pick(kIntNames), Type::kInt);
    in.result = Type::kInt;
    const bool greater = r.coin();
    in.text("cmp", greater ? ">" : "<");
    in.text("cmpw", greater ? "greater than" : "less than");
    in.value("t", Value::of(r.range(-20, 60)));
    const int64_t p = r.range(0, 99);
    int64_t q = r.range(0, 99);
    if (q == p) q = (p + 1) % 100;
    in.value("p", Value::of(p));
    in.value("q", Value::of(q));
  };
  f.input = [](Rng& r, const Instance& in) {
    return std::vector<Value>{Value::of(in.integer("t") + r.range(-30, 30))};
  };
  f.edge_inputs = [](const Instance& in) {
    const int64_t t = in.integer("t");
    return std::vector<std::vector<Value>>{{Value::of(t)}, {Value::of(t + 1)}, {Value::of(t - 1)}};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const bool hit = in.word("cmp") == ">" ? a[0].i > in.integer("t") : a[0].i < in.integer("t");
    return Value::of(hit ? in.integer("p") : in.integer("q"));
  };
  f.body = {{"python", "if $x $cmp $t:\n    return $p\nreturn $q"},
            {"javascript", "if ($x $cmp $t) {\n    return $p;\n}\nreturn $q;"},
            {"java", "if ($x $cmp $t) {\n    return $p;\n}\nreturn $q;"},
            {"cpp", "if ($x $cmp $t) {\n    return $p;\n}\nreturn $q;"},
            {"go", "if $x $cmp $t {\n    return $p\n}\nreturn $q"},
            {"rust", "if $x $cmp $t {\n    return $p;\n}\n$q"}};
  return f;
}

Family divisible() {
  Family f;
  f.name = "divisible";
  f.title = "Divisibility test";
  f.statement = "Write a function $f($x) that returns true if $x is divisible by $k, and false otherwise.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"divisible", "is_multiple", "divides", "check", "check_value", "fits",
                                                "is_even_split", "accept"}));
    in.param("x", r.pick(kIntNames), Type::kInt);
    in.result = Type::kBool;
    in.value("k", Value::of(r.range(2, 12)));
  };
  f.input = [](Rng& r, const Instance& in) {
    return std::vector<Value>{Value::of(r.coin() ? in.integer("k") * r.range(-8, 8) : r.range(-60, 100))};
  };
  f.edge_inputs = [](const Instance& in) {
    return std::vector<std::vector<Value>>{{Value::of(0)}, {Value::of(in.integer("k") + 1)}};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of_bool(a[0].i % in.integer("k") == 0);
  };
  f.body = {{"python", "return $x % $k == 0"}, {"javascript", "return $x % $k === 0;"},
            {"java", "return $x % $k == 0;"},  {"cpp", "return $x % $k == 0;"},
            {"go", "return $x%$k == 0"},       {"rust", "$x % $k == 0"}};
  return f;
}

Family clamp() {
  Family f;
  f.name = "clamp";
  f.held_out = true;
  f.title = "Clamp into a range";
  f.statement =
      "Write a function $f($x) that returns $x limited to the range from $lo to $hi: values below $lo become $lo "
      "and values above $hi become $hi.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"clamp", "limit", "bound", "restrict", "fit_range", "squeeze", "cap", "confine"}));
    in.param("x", r.pick(kIntNames), Type::kInt);
    in.result = Type::kInt;
    const int64_t lo = r.range(-20, 30);
    in.value("lo", Value::of(lo));
    in.value("hi", Value::of(lo + r.range(1, 40)));
  };
  f.input = [](Rng& r, const Instance& in) {
    return std::vector<Value>{Value::of(r.range(in.integer("lo") - 20, in.integer("hi") + 20))};
  };
  f.edge_inputs = [](const Instance& in) {
    return std::vector<std::vector<Value>>{{Value::of(in.integer("lo") - 1)}, {Value::of(in.integer("hi") + 1)}};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(std::min(std::max(a[0].i, in.integer("lo")), in.integer("hi")));
  };
  f.body = {{"python", "if $x < $lo:\n    return $lo\nif $x > $hi:\n    return $hi\nreturn $x"},
            {"javascript", "if ($x < $lo) {\n    return $lo;\n}\nif ($x > $hi) {\n    return $hi;\n}\nreturn $x;"},
            {"java", "if ($x < $lo) {\n    return $lo;\n}\nif ($x > $hi) {\n    return $hi;\n}\nreturn $x;"},
            {"cpp", "if ($x < $lo) {\n    return $lo;\n}\nif ($x > $hi) {\n    return $hi;\n}\nreturn $x;"},
            {"go", "if $x < $lo {\n    return $lo\n}\nif $x > $hi {\n    return $hi\n}\nreturn $x"},
            {"rust", "if $x < $lo {\n    return $lo;\n}\nif $x > $hi {\n    return $hi;\n}\n$x"}};
  return f;
}

Family repeat_str() {
  Family f;
  f.name = "repeat-str";
  f.title = "Repeat a string";
  f.statement = "Write a function $f($s) that returns the string $s repeated $k times.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"repeat", "echo", "copies", "multiply_text", "stutter", "duplicate",
                                                "chain", "replicate"}));
    in.param("s", r.pick(kStrNames), Type::kStr);
    in.result = Type::kStr;
    in.value("k", Value::of(r.range(2, 5)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_word(r, 0, 5))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    std::string out;
    for (int64_t k = 0; k < in.integer("k"); ++k) out += a[0].s;
    return Value::of(out);
  };
  f.body = {{"python", "return $s * $k"},
            {"javascript", "return $s.repeat($k);"},
            {"java", "return $s.repeat($k);"},
            {"cpp", "std::string out;\nfor (int i = 0; i < $k; i++) {\n    out += $s;\n}\nreturn out;"},
            {"go", "return strings.Repeat($s, $k)"},
            {"rust", "$s.repeat($k)"}};
  f.prelude = {{"go", "import \"strings\"\n"}};
  return f;
}

Family wrap_str() {
  Family f;
  f.name = "wrap-str";
  f.held_out = true;
  f.title = "Wrap a string";
  f.statement = "Write a function $f($s) that returns $s with $pre added before it and $suf added after it.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"wrap", "decorate", "surround", "frame", "enclose", "tag", "pad_text", "bracket"}));
    in.param("s", r.pick(kStrNames), Type::kStr);
    in.result = Type::kStr;
    in.value("pre", Value::of(random_word(r, 1, 3)));
    in.value("suf", Value::of(random_word(r, 1, 3)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_word(r, 0, 6))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(in.constant("pre").s + a[0].s + in.constant("suf").s);
  };
  f.body = {{"python", "return $pre + $s + $suf"}, {"javascript", "return $pre + $s + $suf;"},
            {"java", "return $pre + $s + $suf;"},  {"cpp", "return std::string($pre) + $s + $suf;"},
            {"go", "return $pre + $s + $suf"},     {"rust", "format!(\"{}{}{}\", $pre, $s, $suf)"}};
  return f;
}

Family count_char() {
  Family f;
  f.name = "count-char";
  f.title = "Count a letter";
  f.statement = "Write a function $f($s) that returns how many times the letter $c occurs in the string $s.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"count_letter", "occurrences", "tally", "count_of", "frequency", "hits",
                                                "letter_count", "how_many"}));
    in.param("s", r.pick(kStrNames), Type::kStr);
    in.result = Type::kInt;
    const std::string c = random_word(r, 1, 1, "abcdefghijklmnopqrstuvwxyz");
    in.value("c", Value::of(c));
    in.text("ch", "'" + c + "'");
  };
  f.input = [](Rng& r, const Instance& in) {
    return std::vector<Value>{Value::of(random_word(r, 0, 8, in.constant("c").s + "abcde"))};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(static_cast<int64_t>(std::count(a[0].s.begin(), a[0].s.end(), in.constant("c").s[0])));
  };
  f.body = {
      {"python", "return $s.count($c)"},
      {"javascript",
       "let count = 0;\nfor (const ch of $s) {\n    if (ch === $c) {\n        count++;\n    }\n}\nreturn count;"},
      {"java",
       "int count = 0;\nfor (char ch : $s.toCharArray()) {\n    if (ch == $ch) {\n        count++;\n    }\n}\nreturn "
       "count;"},
      {"cpp", "int count = 0;\nfor (char ch : $s) {\n    if (ch == $ch) {\n        count++;\n    }\n}\nreturn count;"},
      {"go", "return strings.Count($s, $c)"},
      {"rust", "$s.matches($c).count() as i32"}};
  f.prelude = {{"go", "import \"strings\"\n"}};
  return f;
}

Family take_prefix() {
  Family f;
  f.name = "take-prefix";
  f.title = "The first characters";
  f.statement = "Write a function $f($s) that returns the first $k characters of $s, or all of $s when it is shorter.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(
        std::vector<std::string>{"prefix", "head", "first_chars", "truncate", "shorten", "cut", "clip", "abbreviate"}));
    in.param("s", r.pick(kStrNames), Type::kStr);
    in.result = Type::kStr;
    in.value("k", Value::of(r.range(1, 6)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_word(r, 0, 9))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    return Value::of(a[0].s.substr(0, static_cast<size_t>(in.integer("k"))));
  };
  f.body = {{"python", "return $s[:$k]"},
            {"javascript", "return $s.slice(0, $k);"},
            {"java", "return $s.substring(0, Math.min($k, $s.length()));"},
            {"cpp", "return $s.substr(0, $k);"},
            {"go", "if len($s) < $k {\n    return $s\n}\nreturn $s[:$k]"},
            {"rust", "$s.chars().take($k).collect()"}};
  return f;
}

// Lists: a loop with a condition, a count, a map.
Family sum_above() {
  Family f;
  f.name = "sum-above";
  f.held_out = true;
  f.title = "Sum of the large elements";
  f.statement =
      "Write a function $f($nums) that returns the sum of the elements of the list $nums that are greater than $t.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"sum_above", "big_total", "sum_large", "add_high", "total_over",
                                                "heavy_sum", "sum_big", "top_total"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kInt;
    in.value("t", Value::of(r.range(-5, 20)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_ints(r, 0, 7, -10, 30))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    int64_t total = 0;
    for (auto v : a[0].ints) total += v > in.integer("t") ? v : 0;
    return Value::of(total);
  };
  f.body = {
      {"python", "total = 0\nfor v in $nums:\n    if v > $t:\n        total += v\nreturn total"},
      {"javascript",
       "let total = 0;\nfor (const v of $nums) {\n    if (v > $t) {\n        total += v;\n    }\n}\nreturn total;"},
      {"java",
       "int total = 0;\nfor (int v : $nums) {\n    if (v > $t) {\n        total += v;\n    }\n}\nreturn total;"},
      {"cpp", "int total = 0;\nfor (int v : $nums) {\n    if (v > $t) {\n        total += v;\n    }\n}\nreturn total;"},
      {"go", "total := 0\nfor _, v := range $nums {\n    if v > $t {\n        total += v\n    }\n}\nreturn total"},
      {"rust", "let mut total = 0;\nfor &v in $nums {\n    if v > $t {\n        total += v;\n    }\n}\ntotal"}};
  return f;
}

Family count_cmp() {
  Family f;
  f.name = "count-cmp";
  f.title = "Count matching elements";
  f.statement = "Write a function $f($nums) that returns how many elements of the list $nums are $cmpw $t.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"count_if", "count_matches", "how_many", "tally", "number_of",
                                                "count_hits", "matches", "census"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kInt;
    const Op c = r.pick(std::vector<Op>{{">", "greater than"}, {"<", "less than"}, {"==", "equal to"}});
    in.text("cmp", c.symbol);
    in.text("cmpw", c.word);
    in.text("cmpjs", c.symbol == "==" ? "===" : c.symbol);
    in.value("t", Value::of(r.range(-5, 10)));
  };
  f.input = [](Rng& r, const Instance& in) {
    const int64_t t = in.integer("t");
    return std::vector<Value>{Value::of(random_ints(r, 0, 8, t - 4, t + 4))};
  };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    const std::string& c = in.word("cmp");
    const int64_t t = in.integer("t");
    int64_t n = 0;
    for (auto v : a[0].ints) n += c == ">" ? v > t : c == "<" ? v < t : v == t;
    return Value::of(n);
  };
  f.body = {
      {"python", "count = 0\nfor v in $nums:\n    if v $cmp $t:\n        count += 1\nreturn count"},
      {"javascript",
       "let count = 0;\nfor (const v of $nums) {\n    if (v $cmpjs $t) {\n        count++;\n    }\n}\nreturn count;"},
      {"java",
       "int count = 0;\nfor (int v : $nums) {\n    if (v $cmp $t) {\n        count++;\n    }\n}\nreturn count;"},
      {"cpp", "int count = 0;\nfor (int v : $nums) {\n    if (v $cmp $t) {\n        count++;\n    }\n}\nreturn count;"},
      {"go", "count := 0\nfor _, v := range $nums {\n    if v $cmp $t {\n        count++\n    }\n}\nreturn count"},
      {"rust", "let mut count = 0;\nfor &v in $nums {\n    if v $cmp $t {\n        count += 1;\n    }\n}\ncount"}};
  return f;
}

Family map_add() {
  Family f;
  f.name = "map-add";
  f.title = "Transform every element";
  f.statement =
      "Write a function $f($nums) that returns a new list with every element of $nums $opw $k, in the same order.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"map_all", "shift_all", "transform", "apply_each", "update_all",
                                                "convert", "adjust_all", "each"}));
    in.param("nums", r.pick(kListNames), Type::kIntList);
    in.result = Type::kIntList;
    const Op& op = r.pick(kArith);
    in.text("op", op.symbol);
    in.text("opw", op.word);
    in.value("k", Value::of(r.range(2, 12)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(random_ints(r, 0, 6, -20, 20))}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    std::vector<int64_t> out;
    for (auto v : a[0].ints) out.push_back(arith(in.word("op"), v, in.integer("k")));
    return Value::of(out);
  };
  f.body = {
      {"python", "return [v $op $k for v in $nums]"},
      {"javascript", "return $nums.map((v) => v $op $k);"},
      {"java",
       "int[] out = new int[$nums.length];\nfor (int i = 0; i < $nums.length; i++) {\n    out[i] = $nums[i] $op "
       "$k;\n}\nreturn out;"},
      {"cpp", "std::vector<int> out;\nfor (int v : $nums) {\n    out.push_back(v $op $k);\n}\nreturn out;"},
      {"go",
       "out := make([]int, 0, len($nums))\nfor _, v := range $nums {\n    out = append(out, v $op $k)\n}\nreturn out"},
      {"rust", "$nums.iter().map(|&v| v $op $k).collect()"}};
  return f;
}

Family sum_multiples() {
  Family f;
  f.name = "sum-multiples";
  f.title = "Sum of multiples";
  f.statement = "Write a function $f($n) that returns the sum of all multiples of $k from 1 to $n inclusive.";
  f.sample = [](Rng& r, Instance& in) {
    in.function(r.pick(std::vector<std::string>{"sum_multiples", "multiples_total", "add_multiples", "sum_steps",
                                                "series", "accumulate", "sum_every", "stride_sum"}));
    in.param("n", r.pick(std::vector<std::string>{"n", "limit", "bound", "top", "upper", "stop", "most", "until"}),
             Type::kInt);
    in.result = Type::kInt;
    in.value("k", Value::of(r.range(2, 9)));
  };
  f.input = [](Rng& r, const Instance&) { return std::vector<Value>{Value::of(r.range(0, 60))}; };
  f.edge_inputs = [](const Instance& in) { return std::vector<std::vector<Value>>{{Value::of(in.integer("k"))}}; };
  f.oracle = [](const Instance& in, const std::vector<Value>& a) {
    int64_t total = 0;
    for (int64_t i = 1; i <= a[0].i; ++i) total += i % in.integer("k") == 0 ? i : 0;
    return Value::of(total);
  };
  f.body = {
      {"python", "total = 0\nfor i in range(1, $n + 1):\n    if i % $k == 0:\n        total += i\nreturn total"},
      {"javascript",
       "let total = 0;\nfor (let i = 1; i <= $n; i++) {\n    if (i % $k === 0) {\n        total += i;\n    "
       "}\n}\nreturn total;"},
      {"java",
       "int total = 0;\nfor (int i = 1; i <= $n; i++) {\n    if (i % $k == 0) {\n        total += i;\n    }\n}\nreturn "
       "total;"},
      {"cpp",
       "int total = 0;\nfor (int i = 1; i <= $n; i++) {\n    if (i % $k == 0) {\n        total += i;\n    }\n}\nreturn "
       "total;"},
      {"go", "total := 0\nfor i := 1; i <= $n; i++ {\n    if i%$k == 0 {\n        total += i\n    }\n}\nreturn total"},
      {"rust", "let mut total = 0;\nfor i in 1..=$n {\n    if i % $k == 0 {\n        total += i;\n    }\n}\ntotal"}};
  return f;
}

}  // namespace

std::vector<Family> stage1_families() {
  std::vector<Family> out = {add_const(),   linear(),    two_args(),   max_of_two(), threshold(),
                             divisible(),   clamp(),     repeat_str(), wrap_str(),   count_char(),
                             take_prefix(), sum_above(), count_cmp(),  map_add(),    sum_multiples()};
  for (auto& f : out) f.stage = 1;
  return out;
}

}  // namespace hrm::synth
