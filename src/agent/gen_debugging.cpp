// The debugging family: a program crashes or prints the wrong thing; the model is shown the symptom (a
// Python traceback, a C++ segfault with its debugger backtrace, a Rust panic, a Java exception, a wrong JavaScript
// total) and must find and fix the cause so that the program prints the expected output.
#include <algorithm>

#include "task_families.hpp"

namespace hrm::agent::families {

namespace {

// A list of item prices and the program's correct report line.
struct Order {
  std::vector<int> prices;
  int total() const {
    int s = 0;
    for (int p : prices) s += p;
    return s;
  }
  std::string list(const std::string& sep = ", ") const {
    std::string out;
    for (int p : prices) out += (out.empty() ? "" : sep) + std::to_string(p);
    return out;
  }
};

Order pick_order(std::mt19937_64& rng) {
  Order o;
  const int n = uniform(rng, 3, 7);
  for (int i = 0; i < n; ++i) o.prices.push_back(uniform(rng, 1, 99));
  return o;
}

}  // namespace

Task python_traceback(std::mt19937_64& rng) {
  const std::string empty = pick(rng, std::vector<std::string>{"tools", "garden", "toys", "books"});
  const std::string full = pick(rng, std::vector<std::string>{"food", "music", "games"});
  const Order o = pick_order(rng);
  Task t;
  t.files = {{"report.py",
              "import json\n\n\ndef mean(values):\n    return sum(values) / len(values)\n\n\n"
              "def main():\n    with open(\"sales.json\") as f:\n        sales = json.load(f)\n"
              "    for category in sorted(sales):\n        print(f\"{category}: {mean(sales[category]):.2f}\")\n\n\n"
              "if __name__ == \"__main__\":\n    main()\n"},
             {"sales.json", "{\"" + full + "\": [" + o.list() + "], \"" + empty + "\": []}\n"}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(o.total()) / static_cast<double>(o.prices.size()));
  const std::string full_line = full + ": " + buf, empty_line = empty + ": 0.00";
  const std::string expected = empty < full ? empty_line + "\n" + full_line : full_line + "\n" + empty_line;
  t.instruction =
      "`python3 report.py` crashes with\n\n```\nTraceback (most recent call last):\n  ...\n  File "
      "\"report.py\", line 5, in mean\n    return sum(values) / len(values)\nZeroDivisionError: division by "
      "zero\n```\n\nFix it: a category without sales must be reported with a mean of 0.00.";
  t.verify = write_cmd("/tmp/sales.json", t.files["sales.json"]) + "cp /tmp/sales.json sales.json\n" +
             expect_output("python3 report.py", expected);
  t.reference = fix_and_rerun("python3 report.py", "report.py", "    return sum(values) / len(values)\n",
                              "    if not values:\n        return 0.0\n    return sum(values) / len(values)\n",
                              /*read_first=*/true);
  return t;
}

Task cpp_segfault(std::mt19937_64& rng) {
  const Order o = pick_order(rng);
  const std::string missing = pick(rng, std::vector<std::string>{"lamp", "chair", "kettle", "drill"});
  Task t;
  t.files = {{"inventory.cpp",
              "#include <iostream>\n#include <map>\n#include <string>\n\nstruct Item {\n  int stock;\n};\n\n"
              "// The item called `name`, or nullptr when there is none.\nconst Item* find(const std::map<std::string, "
              "Item>& items, "
              "const std::string& name) {\n  auto it = items.find(name);\n  return it == items.end() ? nullptr : "
              "&it->second;\n}\n\n"
              "int main() {\n  std::map<std::string, Item> items;\n  int n = 0;\n  for (int stock : {" +
                  o.list() +
                  "}) items[\"item\" + std::to_string(n++)] = {stock};\n  int total = 0;\n"
                  "  for (const char* name : {\"item0\", \"" +
                  missing +
                  "\", \"item1\"}) {\n    total += find(items, name)->stock;\n  }\n"
                  "  std::cout << \"total stock: \" << total << \"\\n\";\n  return 0;\n}\n"},
             {"run.sh", "#!/bin/sh\nset -e\ng++ -g -O0 -o inventory inventory.cpp\n./inventory\n"}};
  const std::string& source = t.files["inventory.cpp"];
  const std::string crash_line = "    total += find(items, name)->stock;";
  const auto before = source.begin() + static_cast<std::ptrdiff_t>(source.find(crash_line));
  const std::string line = std::to_string(1 + std::count(source.begin(), before, '\n'));
  t.instruction =
      "`sh run.sh` builds and runs inventory.cpp, which crashes. A debugger shows:\n\n```\nProgram "
      "received signal SIGSEGV, Segmentation fault.\n0x0000555555556a1c in main () at inventory.cpp:" +
      line + "\n" + line + "\t" + crash_line.substr(4) +
      "\n(gdb) bt\n#0  0x0000555555556a1c in main () at inventory.cpp:" + line +
      "\n```\n\nFix the crash: an item that is not in the inventory counts as 0 stock.";
  t.verify = "g++ -O1 -o /tmp/inventory inventory.cpp || exit 1\n" +
             expect_output("/tmp/inventory", "total stock: " + std::to_string(o.prices[0] + o.prices[1]));
  t.reference = fix_and_rerun("sh run.sh", "inventory.cpp", "    total += find(items, name)->stock;\n",
                              "    const Item* item = find(items, name);\n    total += item ? item->stock : 0;\n",
                              /*read_first=*/true);
  return t;
}

Task rust_panic(std::mt19937_64& rng) {
  const Order o = pick_order(rng);
  Task t;
  t.files = {
      {"pairs.rs",
       "// Sums of neighbouring readings.\nfn pair_sums(xs: &[i64]) -> Vec<i64> {\n    let mut out = Vec::new();\n"
       "    for i in 0..xs.len() {\n        out.push(xs[i] + xs[i + 1]);\n    }\n    out\n}\n\n"
       "fn main() {\n    let readings = [" +
           o.list() + "];\n    println!(\"{:?}\", pair_sums(&readings));\n}\n"}};
  std::string expected = "[";
  for (size_t i = 0; i + 1 < o.prices.size(); ++i)
    expected += (i ? ", " : "") + std::to_string(o.prices[i] + o.prices[i + 1]);
  expected += "]";
  t.instruction =
      "`rustc pairs.rs && ./pairs` panics with \"index out of bounds\". Fix pair_sums so that it returns "
      "the sum of each pair of neighbouring readings (one fewer than the readings).";
  t.verify = "rustc -o /tmp/pairs pairs.rs || exit 1\n" + expect_output("/tmp/pairs", expected);
  t.reference = fix_and_rerun("rustc pairs.rs && ./pairs", "pairs.rs", "    for i in 0..xs.len() {\n",
                              "    for i in 0..xs.len().saturating_sub(1) {\n", /*read_first=*/false);
  return t;
}

Task java_exception(std::mt19937_64& rng) {
  const Order o = pick_order(rng);
  Task t;
  t.files = {{"Totals.java",
              "public class Totals {\n    static int total(int[] prices) {\n        int sum = 0;\n"
              "        for (int i = 1; i <= prices.length; i++) {\n            sum += prices[i];\n        }\n"
              "        return sum;\n    }\n\n    public static void main(String[] args) {\n"
              "        int[] prices = {" +
                  o.list() +
                  "};\n        System.out.println(\"total: \" + total(prices));\n"
                  "    }\n}\n"}};
  t.instruction =
      "`javac Totals.java && java Totals` throws java.lang.ArrayIndexOutOfBoundsException. Fix total() so "
      "that it sums every price.";
  t.verify = "mkdir -p /tmp/j && javac -d /tmp/j Totals.java || exit 1\n" +
             expect_output("java -cp /tmp/j Totals", "total: " + std::to_string(o.total()));
  t.reference = fix_and_rerun("javac Totals.java && java Totals", "Totals.java",
                              "        for (int i = 1; i <= prices.length; i++) {\n",
                              "        for (int i = 0; i < prices.length; i++) {\n", /*read_first=*/false);
  return t;
}

Task javascript_wrong_total(std::mt19937_64& rng) {
  const Order o = pick_order(rng);
  const int discount = uniform(rng, 1, 5) * 5;
  const int total = o.total();
  Task t;
  t.files = {
      {"cart.js",
       "function total(prices, discountPercent) {\n  let sum = 0;\n  for (let i = 0; i <= prices.length; i++) {\n"
       "    sum += prices[i];\n  }\n  return sum - (sum * discountPercent) / 100;\n}\n\n"
       "console.log(`total: ${total([" +
           o.list() + "], " + std::to_string(discount) + ").toFixed(2)}`);\n"}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", total - total * discount / 100.0);
  t.instruction = "`node cart.js` prints `total: NaN`. Find the bug and fix it so the discounted total is printed.";
  t.verify = expect_output("node cart.js", std::string("total: ") + buf);
  t.reference =
      fix_and_rerun("node cart.js", "cart.js", "i <= prices.length", "i < prices.length", /*read_first=*/false);
  return t;
}

}  // namespace hrm::agent::families
