// Unit tests of the synthetic curriculum: families, determinism, rendering in the evaluators' formats
// (checked with the evaluators' own parsers), the private-test encoding, mutations and edits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "hrm/eval/edit_format.hpp"
#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/lcb_codec.hpp"
#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/eval/polyglot_exercise.hpp"
#include "hrm/synth/family.hpp"
#include "hrm/synth/lcb_render.hpp"
#include "hrm/synth/mutate.hpp"
#include "hrm/synth/polyglot_render.hpp"
#include "hrm/synth/synth.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::synth;

using hrm::testing::scratch_dir;

TEST(SynthFamilies, StagesHaveEnoughFamiliesInAllLanguagesWithHeldOutOnes) {
  int stage1 = 0, stage2 = 0, held1 = 0, held2 = 0;
  std::set<std::string> names;
  for (const auto& f : all_families()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    (f.stage == 1 ? stage1 : stage2)++;
    if (f.held_out) (f.stage == 1 ? held1 : held2)++;
    for (const auto& lang : kSynthLanguages) EXPECT_TRUE(f.has(lang)) << f.name << " " << lang;
  }
  EXPECT_GE(stage1, 12);
  EXPECT_GE(stage2, 8);
  EXPECT_GE(held1, 1);
  EXPECT_GE(held2, 1);
  EXPECT_GE(stage1 - held1, 12);  // training families of stage 1
  EXPECT_THROW(find_family("no-such-family"), hrm::Error);
}

TEST(SynthFamilies, InstancesAreDeterministicVariedAndComputeTheirTests) {
  for (const auto& f : all_families()) {
    const Instance a = make_instance(f, 7, 3, 6), b = make_instance(f, 7, 3, 6);
    EXPECT_EQ(a.key(), b.key()) << f.name;
    ASSERT_EQ(a.tests.size(), b.tests.size());
    for (size_t k = 0; k < a.tests.size(); ++k) EXPECT_EQ(a.tests[k].expected, b.tests[k].expected);
    EXPECT_GE(a.tests.size(), 3u) << f.name;
    std::set<std::string> keys;
    for (int i = 0; i < 40; ++i) {
      const Instance inst = make_instance(f, 7, i, 2);
      keys.insert(inst.key());
      // pytest collects a `test*` function imported into the test module as a test of its own.
      EXPECT_NE(inst.function_name("python").rfind("test", 0), 0u) << f.name << ": " << inst.function_name("python");
    }
    EXPECT_GE(keys.size(), 20u) << f.name << ": too few distinct parameter draws";
    // Every instance parameter the statement names appears in the reference code too.
    const std::string st = statement(f, a, "python");
    EXPECT_NE(st.find(a.function_name("python")), std::string::npos) << st;
    EXPECT_NE(reference_function(f, a, "python").find(a.function_name("python")), std::string::npos);
  }
}

TEST(SynthFamilies, ValueOracleAndTemplateRendering) {
  const Family& f = find_family("add-const");
  Instance inst = make_instance(f, 1, 0, 4);
  for (const auto& t : inst.tests) {
    const int64_t k = inst.integer("k");
    const std::string& op = inst.word("op");
    const int64_t x = t.args[0].i;
    EXPECT_EQ(t.expected.i, op == "+" ? x + k : op == "-" ? x - k : x * k);
  }
  EXPECT_THROW(render_template("return $nope", inst, "python"), hrm::Error);
  inst.function("add_seven_more");
  EXPECT_EQ(inst.function_name("go"), "AddSevenMore");
  EXPECT_EQ(inst.function_name("java"), "addSevenMore");
  EXPECT_EQ(inst.function_name("rust"), "add_seven_more");
  EXPECT_EQ(literal("rust", Value::of(std::vector<int64_t>{}), LiteralUse::kValue), "Vec::<i32>::new()");
  EXPECT_EQ(literal("rust", Value::of(std::vector<int64_t>{1, 2}), LiteralUse::kArgument), "&[1, 2]");
  EXPECT_EQ(literal("python", Value::of_bool(true)), "True");
  EXPECT_EQ(literal("java", Value::of(std::vector<std::string>{"a"})), "new String[]{\"a\"}");
}

TEST(SynthLcb, RowsParseWithTheEvaluatorsReaderAndDecodePrivateTests) {
  EXPECT_EQ(hrm::eval::lcb::unpickle_string(hrm::eval::lcb::pickle_string("hello")), "hello");
  const std::string long_text(70000, 'x');
  EXPECT_EQ(hrm::eval::lcb::unpickle_string(hrm::eval::lcb::pickle_string(long_text)), long_text);
  for (const auto style : {LcbStyle::kFunctional, LcbStyle::kStdin}) {
    const Family& f = find_family("map-add");
    const Instance inst = make_instance(f, 3, 5, 6);
    const auto row = lcb_row(f, inst, "synth-test-1", style);
    const auto problem = hrm::eval::lcb::parse_problem(row.dump(), "test:1");
    const auto tests = hrm::eval::lcb::problem_tests(problem);  // decodes base64(zlib(pickle))
    ASSERT_EQ(tests.size(), inst.tests.size());
    EXPECT_EQ(problem.functional(), style == LcbStyle::kFunctional);
    if (style == LcbStyle::kFunctional) {
      EXPECT_EQ(problem.func_name, inst.function_name("python"));
      EXPECT_EQ(nlohmann::json::parse(tests[1].output), json_of(inst.tests[1].expected));
    } else {
      EXPECT_EQ(tests[1].output, stdin_line(inst.tests[1].expected) + "\n");
    }
    const auto prompt = hrm::eval::lcb::codegen_messages(problem);
    ASSERT_EQ(prompt.size(), 2u);
    EXPECT_NE(prompt[1].content.find(statement(f, inst, "python")), std::string::npos);
    const std::string answer = lcb_answer(lcb_program(inst, reference_function(f, inst, "python"), style));
    EXPECT_EQ(answer.rfind("```python\n", 0), 0u);
    EXPECT_EQ(answer.substr(answer.size() - 4), "\n```");
  }
}

TEST(SynthPolyglot, ExercisesLoadWithTheRunnersReaderAndMapTheReference) {
  const fs::path root = scratch_dir("polyglot");
  for (const auto& lang : kSynthLanguages) {
    const Family& f = find_family("count-cmp");
    const Instance inst = make_instance(f, 0, 1, 5);
    const ExerciseFiles files = polyglot_exercise(f, inst, lang, "count-cmp-0001");
    const fs::path dir = root / lang / "exercises" / "practice" / "count-cmp-0001";
    write_exercise(files, dir);
    const auto ex = hrm::eval::load_exercise(dir, lang);
    ASSERT_FALSE(ex.solution_files.empty());
    EXPECT_EQ(ex.solution_files[0], files.solution_path);
    const auto reference = hrm::eval::reference_solution(ex);
    ASSERT_TRUE(reference.count(files.solution_path)) << lang;
    EXPECT_NE(reference.at(files.solution_path).find(inst.function_name(lang)), std::string::npos);
    const auto current = hrm::eval::read_files(dir, ex.solution_files);
    const auto messages = hrm::eval::build_messages(ex, hrm::eval::EditFormat::kWhole, current, {}, {});
    std::string all;
    for (const auto& m : messages) all += m.content;
    EXPECT_NE(all.find(statement(f, inst, lang)), std::string::npos) << lang;
    for (const auto& t : ex.test_files)
      EXPECT_EQ(all.find(hrm::read_file(dir / t)), std::string::npos) << "tests shown";
    // The oracle's reply parses back into the reference.
    const std::string reply = hrm::eval::render_reply(hrm::eval::EditFormat::kWhole, current, reference);
    const auto parsed = hrm::eval::parse_reply(hrm::eval::EditFormat::kWhole, reply, ex.solution_files);
    EXPECT_FALSE(parsed.malformed()) << reply;
  }
  fs::remove_all(root);
}

TEST(SynthMutate, EveryKindChangesTheBodyAndTheEditUndoesIt) {
  const Family& f = find_family("sum-multiples");
  const Instance inst = make_instance(f, 0, 0, 3);
  for (const auto& lang : kSynthLanguages) {
    const std::string body = render_template(f.body.at(lang), inst, lang);
    const std::string fixed = solution_file(f, inst, lang, function_source(inst, lang, body));
    for (const auto m : kMutations) {
      Rng rng(42);
      const auto broken_body = mutate(body, m, lang, {inst.param_name(lang, 0), "total", "i"}, rng);
      ASSERT_TRUE(broken_body.has_value()) << lang << " " << mutation_name(m);
      EXPECT_NE(*broken_body, body) << lang << " " << mutation_name(m);
      const std::string broken = solution_file(f, inst, lang, function_source(inst, lang, *broken_body));
      const std::string edit = search_replace_edit("sol", broken, fixed, "```");
      const auto parsed = hrm::eval::parse_reply(hrm::eval::EditFormat::kDiff, edit, {"sol"});
      ASSERT_FALSE(parsed.malformed()) << edit;
      ASSERT_EQ(parsed.edits.size(), 1u);
      const auto applied =
          hrm::eval::replace_most_similar_chunk(broken, parsed.edits[0].search, parsed.edits[0].replace);
      ASSERT_TRUE(applied.has_value()) << edit;
      EXPECT_EQ(*applied, fixed) << edit;
    }
  }
  EXPECT_EQ(parse_mutation("off_by_one"), Mutation::kOffByOne);
  EXPECT_THROW(parse_mutation("flip"), hrm::Error);
  Rng rng(1);
  EXPECT_FALSE(mutate("return x\n", Mutation::kOffByOne, "python", {"x"}, rng).has_value());
}

TEST(SynthOptions, BadOptionsAreRefusedWithTheirName) {
  SynthOptions o;
  o.out_dir = scratch_dir("options");
  hrm::write_file_atomic(o.out_dir / "x", "not empty");
  try {
    run_synth(o);
    FAIL() << "a non-empty --out was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.message().find("not empty"), std::string::npos) << e.message();
  }
  fs::remove_all(o.out_dir);
  o.languages = {"cobol"};
  EXPECT_THROW(run_synth(o), hrm::Error);
  o.languages = {"python"};
  o.stages = {3};
  EXPECT_THROW(run_synth(o), hrm::Error);
  o.stages = {1};
  o.lcb_style = "rpc";
  EXPECT_THROW(run_synth(o), hrm::Error);
}

}  // namespace
