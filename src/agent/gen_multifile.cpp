// The multifile family: implement a function that two modules use (their tests must pass), and rename
// an API across every file that uses it while the tests stay green.
#include "task_families.hpp"

namespace hrm::agent::families {

Task python_shared_function(std::mt19937_64& rng) {
  const std::string sep = pick(rng, std::vector<std::string>{"-", "_"});
  const std::string title = pick(rng, std::vector<std::string>{"Hello World", "Big Sale Today", "New Release Notes"});
  std::string slug;
  for (char c : title)
    slug += c == ' ' ? sep : std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  Task t;
  t.files = {
      {"textutil.py",
       "def slugify(text):\n    \"\"\"Lower case, words joined by '" + sep +
           "', characters other than letters, digits and spaces dropped.\"\"\"\n    raise NotImplementedError\n"},
      {"blog.py", "from textutil import slugify\n\n\ndef post_url(title):\n    return \"/posts/\" + slugify(title)\n"},
      {"shop.py", "from textutil import slugify\n\n\ndef product_id(name, n):\n    return slugify(name) + \"" + sep +
                      "\" + str(n)\n"},
      {"test_all.py", "import blog\nimport shop\n\nassert blog.post_url(\"" + title + "!\") == \"/posts/" + slug +
                          "\", blog.post_url(\"" + title +
                          "!\")\nassert shop.product_id(\"  Red   Mug \", 7) == \"red" + sep + "mug" + sep +
                          "7\", shop.product_id(\"  Red   Mug \", 7)\nprint(\"ok\")\n"}};
  t.instruction =
      "`textutil.slugify` is not implemented yet; `blog.py` and `shop.py` use it. Implement it as its "
      "docstring says so that `python3 test_all.py` passes.";
  t.verify = write_cmd("/tmp/v/test_all.py", t.files["test_all.py"]) +
             "cp /tmp/v/test_all.py test_all.py && python3 test_all.py";
  t.reference = {read("textutil.py"), bash("python3 test_all.py; cat blog.py shop.py"),
                 edit("textutil.py", "    raise NotImplementedError\n",
                      "    kept = \"\".join(c for c in text.lower() if c.isalnum() or c == \" \")\n    return \"" +
                          sep + "\".join(kept.split())\n"),
                 bash("python3 test_all.py"), submit()};
  return t;
}

Task javascript_rename_api(std::mt19937_64& rng) {
  const std::string old_name = pick(rng, std::vector<std::string>{"getTotal", "calcSum", "sumUp"});
  const std::string new_name = pick(rng, std::vector<std::string>{"computeTotal", "totalOf", "sumPrices"});
  const int a = uniform(rng, 1, 50), b = uniform(rng, 1, 50);
  Task t;
  t.files = {
      {"lib/prices.js", "function " + old_name +
                            "(prices) {\n  return prices.reduce((s, p) => s + p, 0);\n}\n\n"
                            "module.exports = { " +
                            old_name + " };\n"},
      {"lib/cart.js", "const { " + old_name + " } = require('./prices');\n\nfunction cartTotal(cart) {\n  return " +
                          old_name + "(cart.map((item) => item.price));\n}\n\nmodule.exports = { cartTotal };\n"},
      {"lib/invoice.js", "const { " + old_name +
                             " } = require('./prices');\n\nfunction invoiceLine(prices) {\n"
                             "  return `total ${" +
                             old_name + "(prices)}`;\n}\n\nmodule.exports = { invoiceLine };\n"},
      {"test.js",
       "const assert = require('assert');\nconst prices = require('./lib/prices');\nconst { cartTotal } = "
       "require('./lib/cart');\nconst { invoiceLine } = require('./lib/invoice');\n\n"
       "assert.strictEqual(typeof prices." +
           new_name + ", 'function');\nassert.strictEqual(prices." + old_name +
           ", undefined);\nassert.strictEqual(cartTotal([{ price: " + std::to_string(a) + " }, { price: " +
           std::to_string(b) + " }]), " + std::to_string(a + b) + ");\nassert.strictEqual(invoiceLine([" +
           std::to_string(a) + "]), 'total " + std::to_string(a) + "');\nconsole.log('ok');\n"}};
  t.instruction = "Rename the function `" + old_name + "` of lib/prices.js to `" + new_name +
                  "` everywhere it is "
                  "defined, exported or used, so that `node test.js` passes.";
  t.verify = "set -e\n! grep -rq " + quote(old_name) + " lib || { echo 'old name left in lib/'; exit 1; }\n" +
             write_cmd("/tmp/test.js", t.files["test.js"]) + "cp /tmp/test.js test.js && node test.js\n";
  t.reference = {bash("grep -rn " + quote(old_name) + " ."),
                 bash("sed -i 's/\\b" + old_name + "\\b/" + new_name + "/g' lib/*.js && node test.js"), submit()};
  return t;
}

Task cpp_rename_api(std::mt19937_64& rng) {
  const std::string old_name = pick(rng, std::vector<std::string>{"parse_number", "to_int", "read_value"});
  const std::string new_name = pick(rng, std::vector<std::string>{"parse_int", "as_integer", "number_from"});
  const int x = uniform(rng, 10, 999);
  Task t;
  t.files = {
      {"parse.hpp", "#pragma once\n#include <string>\n\nint " + old_name + "(const std::string& text);\n"},
      {"parse.cpp",
       "#include \"parse.hpp\"\n\nint " + old_name + "(const std::string& text) { return std::stoi(text); }\n"},
      {"config.cpp",
       "#include \"parse.hpp\"\n\nint config_port(const std::string& value) { return " + old_name + "(value); }\n"},
      {"main.cpp",
       "#include <iostream>\n#include <string>\n\n#include \"parse.hpp\"\n\nint config_port(const std::string& "
       "value);\n\n"
       "int main() {\n  std::cout << " +
           new_name + "(\"" + std::to_string(x) +
           "\") + config_port(\"1\") << \"\\n\";\n"
           "  return 0;\n}\n"},
      {"Makefile", "app: main.cpp parse.cpp config.cpp parse.hpp\n\tg++ -O1 -o app main.cpp parse.cpp config.cpp\n"}};
  t.instruction = "main.cpp already calls `" + new_name + "`: rename the function `" + old_name +
                  "` (declared in parse.hpp) to `" + new_name + "` in every file so that `make && ./app` works.";
  t.verify =
      "set -e\n! grep -q " + quote(old_name) +
      " *.cpp *.hpp || { echo 'old name left'; exit 1; }\n"
      "g++ -O1 -o /tmp/app main.cpp parse.cpp config.cpp >/tmp/build.log 2>&1 || { cat /tmp/build.log; exit 1; }\n" +
      expect_output("/tmp/app", std::to_string(x + 1));
  t.reference = {
      bash("make 2>&1 | head -5; grep -n " + quote(old_name) + " *.cpp *.hpp"),
      bash("sed -i 's/\\b" + old_name + "\\b/" + new_name + "/g' parse.hpp parse.cpp config.cpp && make && ./app"),
      submit()};
  return t;
}

}  // namespace hrm::agent::families
